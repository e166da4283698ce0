"""The PHPCMS v9 family (Xinye): dated detail URLs, numbered list pages.

* columns ``/{catdir}/index.html`` then ``/{catdir}/2.html``, ``3.html`` … (or the
  dynamic ``index.php?m=content&c=index&a=lists&catid=N&page=N``);
* details ``/{YYYY}/{MMDD}/{id}.html``;
* detail markup ``p.yTit`` (title), ``div.lyBox.cl`` spans (发布时间 / 来源 / 作者),
  body ``div.conBox``.
"""

from __future__ import annotations

import re

from scrapy.http import TextResponse

from gxcrawler import discovery

from .base import ReportSpider, iso_date

DETAIL_URL = re.compile(r"/(?:19|20)\d{2}/\d{4}/\d+\.html$")


class PhpcmsSpider(ReportSpider):
    def page_hints(self, response: TextResponse, hints: dict) -> dict:
        hints = dict(hints)
        title = " ".join(response.css("p.yTit ::text").getall()).strip()
        if discovery.is_annual_report(title):
            hints["title"] = title
        spans = [" ".join(s.css("::text").getall()) for s in response.css("div.lyBox span")]
        for span in spans:
            if "发布时间" in span and (published := iso_date(span)):
                hints["published"] = published
        return hints
