"""The portal registry shipped in the package, and the spiders it makes."""

from __future__ import annotations

import re
from pathlib import Path

from gxcrawler import portals

SPEC = Path(__file__).resolve().parents[2] / "docs" / "spec" / "portals.md"


def test_registry_is_valid_and_ships_the_five_seed_portals():
    rows = portals.registry()
    assert portals.problems(rows) == []
    assert {p.spider for p in rows if p.spider} == {"panzhihua", "xinye", "yanshan", "zbjkq", "luoning"}


def test_seed_rows_start_where_their_spiders_start():
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    loader = SpiderLoader.from_settings(get_project_settings())
    starts: dict[str, set[str]] = {}
    for p in portals.registry():
        if p.spider:
            starts.setdefault(p.spider, set()).update(p.start_urls)
    for name, urls in starts.items():
        columns = {c if isinstance(c, str) else c.url for c in loader.load(name).columns}
        assert urls == columns, name


def test_every_county_host_the_research_names_is_registered_and_none_invented():
    text = SPEC.read_text(encoding="utf-8")
    registered = {portals._host(u) for p in portals.registry() for u in p.start_urls}
    for host in registered:
        assert host in text, f"{host} is not named in docs/spec/portals.md"
    named = {"screnhe.gov.cn", "pzhsxq.gov.cn", "scdongqu.gov.cn", "scyanbian.gov.cn", "scmiyi.gov.cn", "xinye.gov.cn",
             "yanshan.gov.cn", "zbjkq.gov.cn", "luoning.gov.cn", "ynmg.gov.cn", "xczw.gov.cn", "yngm.gov.cn",
             "ynfq.gov.cn", "zhoucun.gov.cn", "china-zibo.gov.cn", "jiyang.gov.cn", "licheng.gov.cn", "pingyin.gov.cn",
             "jnzq.gov.cn", "shizhong.gov.cn", "gaoqing.gov.cn", "laiwu.gov.cn", "jxq.gov.cn", "tongbai.gov.cn"}
    assert named <= registered


def test_a_registry_row_is_one_line_and_becomes_a_spider(tmp_path):
    path = tmp_path / "portals.tsv"
    path.write_text("\t".join(portals.COLUMNS) + "\n"
                    "demo\t某县人民政府\t某省\t某市\t某县\t123456\tauto\t\thttp://www.demo.gov.cn/\tone line\n",
                    encoding="utf-8")
    (row,) = portals.read(path)
    assert row.region.county == "某县" and row.region.division_code == "123456" and row.crawler == "demo"

    from spiders.registered import spider_class

    cls = spider_class(row)
    spider = cls()
    assert spider.name == "demo" and [c.url for c in spider.columns] == ["http://www.demo.gov.cn/"]
    assert spider.region.county == "某县" and spider.region.portal == "demo"


def test_problems_are_named():
    bad = portals.Portal("Bad Id", "", "", "", "", "12", "nosuch", "", ("ftp://x",))
    found = " ".join(portals.problems([bad, bad]))
    for word in ("lower-case", "duplicate", "6-digit", "unknown family", "http(s)", "required"):
        assert word in found
    assert re.search(r"start URLs", found)
