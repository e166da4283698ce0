"""淄博经济开发区 (Zibo Economic Development Zone) on the Zibo ``gongkai`` platform.

One site per agency (管委会办公室, the towns 南定/傅家/沣水, departments), each with
its own 年报 channel whose list comes from a JSON endpoint. The zone is not an
administrative division, so it has no GB/T 2260 code.
"""

from __future__ import annotations

from gxcrawler.model import Region

from .families.gongkai import GongkaiSpider


class ZbjkqSpider(GongkaiSpider):
    name = "zbjkq"
    allowed_domains = ["zbjkq.gov.cn"]
    region = Region(province="山东省", city="淄博市", county="淄博经济开发区", portal="zbjkq")
    columns = ("http://www.zbjkq.gov.cn/gongkai/index.html",)
