"""Title, agency, report year and publication date, in the forms the portals print them."""

from __future__ import annotations

from datetime import date

import pytest

from gxcrawler.model import ExtractedDocument
from gxcrawler.parsing import parse_bytes, parse_extracted, parse_text
from gxcrawler.parsing.metadata import extract, published_from, year_from_url


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("发布时间:2021-01-30 10:45:02 来源:新野县人民政府办公室", date(2021, 1, 30)),
        ("发文日期: | 2021-01-31T09:00:17 | 发布机构: | 经开区办公室 |", date(2021, 1, 31)),
        ("时间：2017-03-17 18:56 来源：洛宁县政府信息中心", date(2017, 3, 17)),
        ("发布时间：2022年1月25日", date(2022, 1, 25)),
        ("发布日期:2025-01-20", date(2025, 1, 20)),
        (
            "www.panzhihua.gov.cn\xa0\xa0 发布时间:2022-01-25\xa0\xa0 来源:仁和区人民政府办公室",
            date(2022, 1, 25),
        ),
        ("发布日期: Jan 25, 2022  来源: 某局", date(2022, 1, 25)),  # the dateparser fallback
    ],
)
def test_publication_line_formats(line, expected):
    assert published_from(["某县2021年政府信息公开工作年度报告", line]) == expected


def test_date_widget_and_signature_dates_are_not_the_publication_date():
    lines = [
        "2023年11月5日 星期天",
        "某乡人民政府2023年政府信息公开工作年度报告",
        "某乡人民政府",
        "2024年1月10日",
    ]
    md = extract(lines)
    assert md.published is None and md.year == 2023


def test_year_from_the_text_when_the_title_has_none():
    lines = [
        "2023年11月5日 星期天",
        "中坝乡政府信息公开工作年度报告",
        "发布时间:2026-01-19",
        "本报告所列数据的统计时限自2025年1月1日至2025年12月31日止。",
    ]
    md = extract(lines)
    assert md.year == 2025 and md.published == date(2026, 1, 19)
    assert md.title == "中坝乡政府信息公开工作年度报告" and md.agency == "中坝乡"


def test_agency_from_source_line_when_the_title_names_none():
    md = extract(["2020年政府信息公开工作年度报告", "发布时间:2021-01-22 来源:区政府办 作者:"])
    assert md.agency == "区政府办" and md.year == 2020


def test_hints_are_fallbacks_only():
    hints = {
        "title": "列表页标题2019年政府信息公开工作年度报告",
        "agency": "列表机构",
        "published": "2020-02-02",
        "year": "2019",
    }
    md = extract(
        ["东区银江镇2025年政府信息公开工作年度报告", "发布时间:2026-01-22 来源:攀枝花市东区银江镇"],
        hints=hints,
    )
    assert (md.title, md.agency, md.year, md.published) == (
        "东区银江镇2025年政府信息公开工作年度报告",
        "东区银江镇",
        2025,
        date(2026, 1, 22),
    )
    md2 = extract(["一、总体情况"], hints=hints)
    assert md2.title == hints["title"] and md2.agency == "列表页标题" and md2.year == 2019
    assert md2.published == date(2020, 2, 2)


def test_spaced_out_pdf_title():
    md = extract(["洛宁县人民政府 2020 年政府信息公开工作 年度报告", "一、总体情况"])
    assert md.title == "洛宁县人民政府2020年政府信息公开工作年度报告" and md.agency == "洛宁县人民政府"


def test_html_title_from_h1_not_from_sidebar_links():
    page = (
        "<html><head><title>东区2019年政府信息公开工作年度报告_攀枝花市东区人民政府</title></head><body>"
        "<div class=side><ul><li>西区2025年政府信息公开工作年度报告</li></ul></div>"
        "<h1>攀枝花市东区2019年政府信息公开工作年度报告</h1>"
        "<div>发布时间:2020-01-19 来源:攀枝花市东区人民政府办公室</div></body></html>"
    ).encode()
    r = parse_bytes(page, source="p.html")
    assert r.title == "攀枝花市东区2019年政府信息公开工作年度报告"
    assert r.year == 2019 and str(r.published) == "2020-01-19" and r.agency == "攀枝花市东区"


def test_zibo_metadata_table_in_html():
    page = (
        "<html><body><table><tr><td>标题:</td><td>淄博经济开发区管理委员会办公室 2020年政府信息公开工作年度报告</td></tr>"
        "<tr><td>发文日期:</td><td>2021-01-31T09:00:17</td><td>发布机构:</td><td>经开区办公室</td></tr></table>"
        "</body></html>"
    ).encode()
    r = parse_bytes(page, source="z.html")
    assert r.title == "淄博经济开发区管理委员会办公室2020年政府信息公开工作年度报告"
    assert str(r.published) == "2021-01-31" and r.year == 2020


def test_report_without_title_or_tables_is_not_a_report_but_with_title_no_tables():
    assert parse_text("一、总体情况\n本年度工作。", source="t").status == "not_a_report"
    r = parse_text("某镇2021年政府信息公开工作年度报告\n一、总体情况\n本年度工作。", source="t")
    assert r.status == "no_tables" and r.year == 2021


def test_a_column_name_is_not_a_title_and_the_list_hint_is_used():
    page = (
        "<html><body><div class=side><h3>政府信息公开年报</h3></div><div class=article>"
        "<div>发布时间:2023-01-12 10:00:00 来源:县政府办</div><p>一、总体情况</p></div></body></html>"
    ).encode()
    r = parse_bytes(page, source="y.html", hints={"title": "砚山县人民政府2022年政府信息公开工作年度报告"})
    assert r.title == "砚山县人民政府2022年政府信息公开工作年度报告"
    assert r.agency == "砚山县人民政府" and r.year == 2022


# ---------------------------------------------------------------- issue 11: metadata where reports put it
NARRATIVE_OPENINGS = [
    ("根据《中华人民共和国政府信息公开条例》要求，特编制湛江市人民政府地方志办公室2023年政府信息公开工作年度报告。",
     "湛江市人民政府地方志办公室"),
    ("根据《条例》（国务院令第711号）的要求，结合工作实际，现将湛江市司法局2025年政府信息公开工作情况公布如下。",
     "湛江市司法局"),
    ("根据《中华人民共和国政府信息公开条例》规定，现公布昭通市人民政府2023年政府信息公开工作年度报告。", "昭通市人民政府"),
    ("根据《中华人民共和国政府信息公开条例》规定，现公布区统计局2023年政府信息公开工作年度报告。", "区统计局"),
    ("根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，澴水县花园镇人民政府编制了2019", "澴水县花园镇人民政府"),
]


@pytest.mark.parametrize(("opening", "agency"), NARRATIVE_OPENINGS)
def test_agency_from_the_narrative_when_the_title_names_none(opening, agency):
    lines = ["2023年政府信息公开工作年度报告", "发布时间：2024-01-20 来源：本网", opening,
             "年政府信息公开工作年度报告。本报告所列数据统计期限自2023年1月1日起至2023年12月31日止。"]
    md = extract(lines)
    assert md.agency == agency and md.year == 2023


@pytest.mark.parametrize(
    "opening",
    [
        "根据《条例》要求，现将我局2023年政府信息公开工作情况公布如下。",
        "根据《条例》要求，现将全县2023年政府信息公开工作情况报告如下。",
        "根据《条例》要求，结合工作实际，编制本报告。",
    ],
)
def test_a_narrative_that_names_no_organ_names_no_agency(opening):
    md = extract(["2023年政府信息公开工作年度报告", "来源：某县人民政府门户网站", opening])
    assert md.agency is None  # the portal is a website, not the agency


def test_the_narrative_beats_the_office_that_posted_it():
    lines = ["2023年政府信息公开工作年度报告", "发布时间：2024-01-20 来源：县政府办",
             "根据《条例》要求，特编制某县自然资源局2023年政府信息公开工作年度报告。"]
    assert extract(lines).agency == "某县自然资源局"


@pytest.mark.parametrize(
    "title_lines",
    [
        ["新野县王庄镇人民政府", "2024年政府信息公开工作年度报告"],
        ["新野县王庄镇人民政府2024年政府", "信息公开工作年度报告"],
    ],
)
def test_pdf_title_over_two_lines(title_lines):
    lines = ["- 1 -", *title_lines, "根据《条例》要求，编制本报告。", "一、总体情况"]
    md = extract(lines, title_candidates=["扫描全能王 2025-01-15 09.30"], split_title=True)
    assert md.title == "新野县王庄镇人民政府2024年政府信息公开工作年度报告"
    assert (md.agency, md.year) == ("新野县王庄镇人民政府", 2024)


def test_a_web_page_does_not_join_its_site_name_to_the_title():
    lines = ["某县人民政府", "2024年政府信息公开工作年度报告", "一、总体情况"]
    md = extract(lines)  # a web page: the line above the heading is the site's, not the report's
    assert md.title == "2024年政府信息公开工作年度报告" and md.agency is None


@pytest.mark.parametrize(
    "junk", ["Administrator", "微软用户", "Scan_20240115_093012", "扫描全能王 2024-01-15 09.30", "文档1", "新建 Microsoft Word 文档"]
)
def test_pdf_metadata_titles_that_say_nothing_are_ignored(junk):
    doc = ExtractedDocument(source_type="pdf", text="某镇人民政府\n2023年政府信息公开工作年度报告\n一、总体情况", title=junk)
    r = parse_extracted(doc, source="a.pdf")
    assert r.title == "某镇人民政府2023年政府信息公开工作年度报告" and r.agency == "某镇人民政府"
    no_text = parse_extracted(ExtractedDocument(source_type="pdf", text="一、总体情况", title=junk), source="a.pdf")
    assert no_text.title is None


@pytest.mark.parametrize(
    ("sentence", "year"),
    [
        ("本报告所列数据统计期限自2023年1月1日起至2023年12月31日止。", 2023),
        ("所列数据统计期限自2022年1月1日起到2022年12月31日止。", 2022),
        ("本年度报告中所列数据统计期限为2021年1月1日至12月31日。", 2021),
        ("本报告中使用的数据统计期限为2024年1月1日至2024年12月31日。", 2024),
        ("本报告所列数据统计截至2020年12月31日。", 2020),
    ],
)
def test_statistics_year_from_the_period_sentence(sentence, year):
    lines = ["某局政府信息公开工作年度报告", "发布时间：2025-02-01", "上一篇：某局2018年政府信息公开工作年度报告",
             "根据《条例》要求，编制本报告。" + sentence, "2019年政府信息公开工作年度报告"]
    # a web page: its heading names no year, a sidebar names other reports' years
    md = extract(lines, title_candidates=["某局政府信息公开工作年度报告"])
    assert (md.title, md.year) == ("某局政府信息公开工作年度报告", year)


@pytest.mark.parametrize(
    ("url", "year"),
    [
        ("http://www.xinye.gov.cn/zwgk/zfxxgknb/2023nb/202401/t20240115_1234567.html", 2023),
        ("http://www.ry.gov.cn/xxgk/ndbg/2023/4567890.html", 2023),
        ("https://www.tcq.gov.cn/zfxxgk/nb/nb2022/202302/t20230210_88.html", 2022),
        ("https://x.gov.cn/gk/zfxxgknb/2021nd/77.shtml", 2021),
        ("http://x.gov.cn/zfxxgknb/zfxxgknb2023/2023zsndbg/202403/t20240311_296402.html", 2023),
        ("http://x.gov.cn/xxgk/2024/01/15/art_1.html", None),  # when it was posted
        ("http://x.gov.cn/xxgk/202401/t20240115_1.html", None),
        ("http://x.gov.cn/nb2022/2023nb/1.html", None),  # two years decide nothing
        ("/data/reports/2023/report.html", None),  # a local path is not an address
    ],
)
def test_statistics_year_from_the_url_year_folder(url, year):
    assert year_from_url(url) == year
    md = extract(["某局政府信息公开工作年度报告", "发布时间：2024-01-15", "一、总体情况"], url=url)
    assert md.year == year


def test_url_year_is_the_last_resort():
    url = "http://x.gov.cn/zwgk/zfxxgknb/2022nb/202401/t20240115_1.html"
    md = extract(["某局政府信息公开工作年度报告", "统计期限自2023年1月1日起至2023年12月31日止。"], url=url)
    assert md.year == 2023


@pytest.mark.parametrize(
    ("lines", "published"),
    [
        (["采集时间：2025-03-02 10:11:12", "索引号：1/2024-1", "公开日期：2024-01-20", "打印日期：2026-05-01"], "2024-01-20"),
        (["打印日期：2026年05月01日", "成文日期：2024年01月05日", "发布日期：2024/01/20"], "2024-01-20"),
        (["成文日期：2024年01月05日", "采集时间：2025-03-02 10:11:12"], "2024-01-05"),
        (["发布机构： | 某局 | 发布日期： | 2024-01-20 |", "打印日期： | 2026-05-01"], "2024-01-20"),
        (["采集时间：2025-03-02 10:11:12", "打印日期：2026-05-01"], None),
    ],
)
def test_publication_date_from_the_pages_own_line_never_capture_or_print_time(lines, published):
    md = extract(["某局2023年政府信息公开工作年度报告", *lines])
    assert (md.published.isoformat() if md.published else None) == published


def test_cms_article_meta_tags_when_the_page_prints_nothing():
    page = (
        '<html><head><title>2020年政府信息公开工作年度报告</title>'
        '<meta name="PubDate" content="2021-01-09 19:43"><meta name="ContentSource" content="深圳市盐田区盐田街道办事处">'
        "</head><body><h1>2020年政府信息公开工作年度报告</h1><p>一、总体情况</p></body></html>"
    ).encode()
    r = parse_bytes(page, source="p.html")
    assert (r.agency, r.year, str(r.published)) == ("深圳市盐田区盐田街道办事处", 2020, "2021-01-09")
    website = page.replace("深圳市盐田区盐田街道办事处".encode(), "深圳市盐田区人民政府网站".encode())
    assert parse_bytes(website, source="p.html").agency is None


META_LAYOUTS = ("meta/narrative-agency", "meta/period-year", "meta/url-year", "meta/date-lines",
                "pdf/split-title", "pdf/junk-title", "pdf/recent")


@pytest.mark.parametrize("layout", META_LAYOUTS)
def test_generated_metadata_cases(layout):
    """The generated layouts of issue 11 (gxcrawler.synthetic.unseen): every fact right."""
    from gxcrawler.synthetic.accuracy import parse_case, score
    from gxcrawler.synthetic.unseen import make_unseen_case

    for seed in range(100, 103):
        case = make_unseen_case(layout, seed)
        s = score(case.report, parse_case(case))
        assert all(s.meta[f] for f in ("agency", "year", "published") if f in s.meta), (seed, s.problems)
