"""新野县 Xinye (Nanyang, Henan): one 信息公开年报 column on a PHPCMS site.

The site serves https and its columns sit under ``/zwgk/`` (public code); the column's slug
is a guess — when it yields nothing the spider finds the column from the home page by name.

The column mixes 县直部门, 乡镇 and 街道 reports with notices (报送通知, 指南); the
title detectors keep the reports. The clone munkyxtc.com is outside ``allowed_domains``.
"""

from __future__ import annotations

from gxcrawler.model import Region

from .families.phpcms import PhpcmsSpider


class XinyeSpider(PhpcmsSpider):
    name = "xinye"
    allowed_domains = ["xinye.gov.cn"]
    region = Region(province="河南省", city="南阳市", county="新野县", division_code="411329", portal="xinye")
    columns = ("https://www.xinye.gov.cn/zwgk/xxgknb/index.html",)
