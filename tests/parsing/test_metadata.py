"""Title, agency, report year and publication date, in the forms the portals print them."""

from __future__ import annotations

from datetime import date

import pytest

from gxcrawler.parsing import parse_bytes, parse_text
from gxcrawler.parsing.metadata import extract, published_from


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
