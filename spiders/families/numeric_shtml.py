"""The numeric ``.shtml`` family (Panzhihua's shared city/county platform).

* columns are directories with an ``index.shtml`` list, paginated ``index_N.shtml``;
* a column tree: a list page links its sub-columns (``…/{child}/index.shtml``);
* details are ``…/{numeric id}.shtml``; the id is unique across every site of the
  platform, so the same document under two paths (www and wap) is fetched once;
* the detail header reads ``发布时间:YYYY-MM-DD 来源:{机构}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from urllib.parse import urlsplit

from scrapy.http import TextResponse

from gxcrawler import discovery

from .base import Column, ReportSpider, iso_date

_DETAIL = re.compile(r"/(\d{4,})\.shtml$")
_SOURCE = re.compile(r"来源\s*[:：]\s*(\S+)")


def column_dir(url: str) -> str:
    path = urlsplit(url).path
    return path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"


class NumericShtmlSpider(ReportSpider):
    def document_key(self, url: str) -> str:
        m = _DETAIL.search(urlsplit(url).path)
        return f"doc:{m.group(1)}" if m else url  # one ID space across all sites of the platform

    def subcolumns(self, response: TextResponse, column: Column) -> Iterable[Column]:
        """Links to deeper ``index.shtml`` (or ``/``) pages under this column's directory."""
        here = urlsplit(response.url)
        base_dir = column_dir(column.url)
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href.strip())
            parts = urlsplit(url)
            if parts.netloc != here.netloc or discovery.is_mirror(url):
                continue
            path = parts.path
            if path.endswith("/"):
                path += "index.shtml"
            if not path.endswith("/index.shtml") or not path.startswith(base_dir):
                continue
            if path.rsplit("/", 1)[0] + "/" == base_dir:
                continue  # the column itself
            yield replace(column, url=url, agency=None)

    def page_hints(self, response: TextResponse, hints: dict) -> dict:
        header = " ".join(response.xpath("//body//text()[contains(., '发布时间')]/ancestor::*[1]//text()").getall())
        hints = dict(hints)
        title = " ".join(response.css("h1 ::text").getall() or response.css(".title ::text").getall()).strip()
        if discovery.is_annual_report(title):
            hints["title"] = title
        published = iso_date(header.split("发布时间", 1)[-1]) if "发布时间" in header else None
        if published:
            hints["published"] = published
        return hints
