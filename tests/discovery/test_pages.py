"""What a report page says about itself: its publisher when the title names none, its heading."""

from __future__ import annotations

import pytest

from gxcrawler import discovery

META_TABLE = """<table class="xxgk"><tr><th>索引号：</th><td>11530000/2024-00012</td><th>发布机构：</th>
<td>砚山县维摩彝族乡人民政府</td></tr><tr><th>标题：</th><td colspan="3">2023年政府信息公开工作年度报告</td></tr>
<tr><th>发文日期：</th><td>2024-01-20</td></tr></table><div class="content">…</div>"""


@pytest.mark.parametrize(
    ("html", "agency"),
    [
        (META_TABLE, "砚山县维摩彝族乡人民政府"),
        ("<div class='info'>发布时间：2024-01-15 来源：蚌峨乡 阅读次数：12</div>", "蚌峨乡"),
        ("<p>信息来源：新野县统计局&nbsp;&nbsp;发布日期：2023-01-29</p>", "新野县统计局"),
        ("<p>来源：本网 发布时间：2023-01-29</p>", None),  # a website is not a publisher
        ("<p>来源：新华社</p>", None),
        ("<p>详见附件</p>", None),
    ],
)
def test_page_agency(html, agency):
    assert discovery.page_agency(f"<html><body>{html}</body></html>") == agency


def test_page_heading_prefers_the_metadata_title_and_skips_the_site_name():
    html = f"<html><head><title>砚山县人民政府</title></head><body><h1>砚山县人民政府</h1>{META_TABLE}</body></html>"
    assert discovery.page_heading(html) == "2023年政府信息公开工作年度报告"
    assert discovery.page_heading("<title>信息不存在</title><h1>页面不存在</h1>") is None


def test_navigation_links_lead_from_a_home_page_to_the_report_column():
    html = """<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/col/col1/index.html">政府信息公开</a>
      <a href="/xwzx/">新闻中心</a></div><ul><li><a href="/zwgk/xxgknb/">信息公开年报</a></li>
      <li><a href="/zwgk/2021/">2021年</a></li><li><a href="/a/1.html">某县2022年政府信息公开工作年度报告</a></li>
      <li><a href="/zwgk/zn/">政府信息公开指南</a></li></ul>"""
    links = discovery.navigation_links(html, "https://www.x.gov.cn/")
    assert [(link.url, link.kind) for link in links] == [
        ("https://www.x.gov.cn/zwgk/", "entry"), ("https://www.x.gov.cn/col/col1/index.html", "entry"),
        ("https://www.x.gov.cn/zwgk/xxgknb/", "column")]  # a bare year is a column only inside a report column
    assert discovery.is_report_column_name("2021年") and not discovery.is_report_column_name("2021年", years=False)
