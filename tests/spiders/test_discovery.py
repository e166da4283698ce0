"""The shared detectors: report titles and years, pagination, attachments, mirrors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gxcrawler import discovery

REPORT_TITLES = [
    ("攀枝花市仁和区人民政府办公室2021年度政府信息公开工作报告", 2021),
    ("攀枝花市仁和区仁和镇2020年政府信息公开工作年度报告", 2020),
    ("攀枝花市仁和区太平乡2020年信息公开工作年度报告", 2020),
    ("洛宁县人民政府 2020 年政府信息公开工作 年度报告", 2020),
    ("洛宁县２０１９年政府信息公开工作年度报告", 2019),  # full-width digits
    ("洛宁县2016年政府信息公开年报", 2016),
    ("新野县人民政府汉华街道办事处2022年政府信息公开工作年度报告", 2022),
    ("淄博经济开发区管理委员会办公室 2020年政府信息公开工作年度报告", 2020),
    ("中坝乡2025政府信息公开工作年度报告", 2025),  # the year without 年
    ("攀枝花市仁和区2023年度政府信息公开工作年度报告", 2023),
    ("砚山县\u00a0蚌峨乡人民政府2023年政府信息公开工作年度报告", 2023),  # non-breaking space
    ("第一中学2021年政府信息公开工作年度报告", 2021),
]

NOT_REPORTS = [
    "2018年政府信息公开工作年度报告报送通知",
    "关于做好2021年政府信息公开工作年度报告编制和报送工作的通知",
    "新野县人民政府信息公开指南",
    "攀枝花市仁和区政府信息公开指南",
    "攀枝花市2023年度政府信息公开工作年度报告目录",
    "《2022年政府信息公开工作年度报告》解读",
    "新野县2023年政务公开工作要点",
    "2021年攀枝花市仁和区政府工作报告",
    "",
]


@pytest.mark.parametrize(("title", "year"), REPORT_TITLES)
def test_report_titles_and_their_year(title, year):
    assert discovery.is_annual_report(title)
    assert discovery.report_year(title) == year


@pytest.mark.parametrize("title", NOT_REPORTS)
def test_notices_guides_and_other_documents_are_not_reports(title):
    assert not discovery.is_annual_report(title)
    assert discovery.report_year(title) is None


def test_column_names_are_reports_without_a_year():
    assert discovery.is_annual_report("县(区)级部门政府信息公开工作年度报告")
    assert discovery.report_year("县(区)级部门政府信息公开工作年度报告") is None


@given(st.integers(2000, 2099), st.sampled_from(["", " ", "\u3000"]))
def test_year_survives_spacing_and_width(year, space):
    wide = str(year).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    title = f"某县人民政府{space}{wide}{space}年政府信息公开工作{space}年度报告"
    assert discovery.report_year(title) == year


@pytest.mark.parametrize(
    ("value", "years"),
    [(None, None), ("", None), ("2021", {2021}), ("2019-2021", {2019, 2020, 2021}), ("2019,2023", {2019, 2023}),
     ("2023-2021", {2021, 2022, 2023})],
)
def test_year_filter(value, years):
    assert discovery.parse_year_filter(value) == years


def test_report_links_use_the_title_attribute_of_truncated_rows():
    html = """<ul>
      <li><a href="/a/1.shtml" title="攀枝花市仁和区太平乡2024年度政府信息公开工作年度报告">攀枝花市仁和区太平乡2024年度政府信息公开工…</a></li>
      <li><a href="2.html">新野县王庄镇人民政府2022年政府信息公开工作年度报告</a></li>
      <li><a href="3.html">关于报送2021年度政府信息公开工作年度报告的通知</a></li>
      <li><a href="sub/index.shtml">(乡镇、街道)政府信息公开工作年度报告</a></li>
    </ul>"""
    links = discovery.report_links(html, "http://www.example.gov.cn/col/index.html")
    assert [link.url for link in links] == ["http://www.example.gov.cn/a/1.shtml", "http://www.example.gov.cn/col/2.html"]
    assert links[0].text.endswith("2024年度政府信息公开工作年度报告")


BASE = "http://www.site.gov.cn/zfxxgk/nb/index.shtml"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a href="index_1.shtml">下一页</a>', ["http://www.site.gov.cn/zfxxgk/nb/index_1.shtml"]),
        ('<a href="index_2.shtml">下页</a>', ["http://www.site.gov.cn/zfxxgk/nb/index_2.shtml"]),
        ('<a href="?page=2">&gt;</a>', ["http://www.site.gov.cn/zfxxgk/nb/index.shtml?page=2"]),
        ('<a href="list.jsp?pageNo=3">3</a>', ["http://www.site.gov.cn/zfxxgk/nb/list.jsp?pageNo=3"]),
        ('<a href="2.html">2</a><a href="3.html">3</a>',
         ["http://www.site.gov.cn/zfxxgk/nb/2.html", "http://www.site.gov.cn/zfxxgk/nb/3.html"]),
        ('<a class="default_pgBtn default_pgNext" href="/col/col1/index.html?uid=5&amp;pageNum=2"></a>',
         ["http://www.site.gov.cn/col/col1/index.html?uid=5&pageNum=2"]),
        ('<script>createPageHTML(3, 0, "index", "shtml");</script>',
         ["http://www.site.gov.cn/zfxxgk/nb/index_1.shtml", "http://www.site.gov.cn/zfxxgk/nb/index_2.shtml"]),
        ('<a href="index_1.shtml">2</a><script>var totalPage = 4;</script>',
         ["http://www.site.gov.cn/zfxxgk/nb/index_1.shtml", "http://www.site.gov.cn/zfxxgk/nb/index_2.shtml",
          "http://www.site.gov.cn/zfxxgk/nb/index_3.shtml", "http://www.site.gov.cn/zfxxgk/nb/index_4.shtml"]),
        ('<a href="/view/xxgknb/157142.html">1</a><a href="http://other.gov.cn/index_2.shtml">2</a>', []),
        ('<a href="index.shtml">首页</a><a href="/zwgk/index.shtml">政务公开</a>', []),
    ],
)
def test_pagination_links(html, expected):
    assert sorted(discovery.pagination_links(html, BASE)) == sorted(expected)


def test_attachment_links_by_extension():
    html = """<a href="https://oss.ly.gov.cn/upload-file/files/20210128/abc.pdf">报告.pdf</a>
      <a href="/upload/202101/x.DOCX">附件</a><a href="/u/y.doc">y</a><a href="/u/z.wps">z</a>
      <a href="/u/t.xlsx">t</a><a href="/2021/01-28/1.html">page</a><a href="/u/y.doc">again</a>"""
    urls = [link.url for link in discovery.attachment_links(html, "http://www.luoning.gov.cn/2021/01-28/1.html")]
    assert urls == [
        "https://oss.ly.gov.cn/upload-file/files/20210128/abc.pdf",
        "http://www.luoning.gov.cn/upload/202101/x.DOCX",
        "http://www.luoning.gov.cn/u/y.doc",
        "http://www.luoning.gov.cn/u/z.wps",
        "http://www.luoning.gov.cn/u/t.xlsx",
    ]


@pytest.mark.parametrize(
    ("host", "mirror"),
    [("poiraudeau.com", True), ("http://munkyxtc.com/2023/0209/112063.html", True), ("m.happymerchs.com", True),
     ("www.site571.com", True), ("www.xinye.gov.cn", False), ("wap.panzhihua.gov.cn", False), ("notmunkyxtc.com", False)],
)
def test_mirrors(host, mirror):
    assert discovery.is_mirror(host) is mirror


def test_statistics_tables_are_recognised_on_the_page():
    assert discovery.has_statistics_tables("<body><p>三、收到和处理政府信息公开申请情况</p><table><tr><td>1</td></tr></table></body>")
    assert not discovery.has_statistics_tables("<body><p>详见附件</p><a href='a.pdf'>a.pdf</a></body>")
    assert not discovery.has_statistics_tables("<body><table><tr><td>导航</td></tr></table></body>")
