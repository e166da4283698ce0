"""The ``/view/{column}/{id}.html`` family (砚山县 and similar Yunnan county sites).

* columns are ``/ysxrmzf/{slug}/pc/list.html`` pages (the ``/{prefix}rmzf/{path}/pc/list.html``
  shape of a public survey note; older guess ``/list/{slug}.html``), paginated ``pc/list_N.html`` or
  ``?page=N``; a column's side
  navigation links its sibling columns (a general one and year-named ones such as
  ``2021``), which are crawled too — a year column's name is not trusted as the
  report year (reports get misfiled), the title is;
* details ``/view/{column}/{id}.html``: the ID is the article, the column slug only
  the place it was reached from, so one article under two columns (or on http and
  https, with or without ``www``) is fetched once;
* the header ``发布时间:YYYY-MM-DD HH:MM:SS 来源:… 阅读次数:N`` follows a date widget
  that shows a stale date (``2023年11月5日 星期天``): the date is read after
  ``发布时间``, never the first date on the page; some pages have no title line, so
  the list's title stays the hint.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from scrapy.http import TextResponse

from gxcrawler import discovery

from .base import Column, ListedReport, ReportSpider, iso_date

DETAIL = re.compile(r"^/view/([\w-]+)/(\d+)\.html$")
LIST = re.compile(r"^/(?:list/([\w-]+)|[a-z]+rmzf/([\w-]+)/pc/list)\.html$")
_PUBLISHED = re.compile(r"发布时间\s*[:：]\s*([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})")
_SOURCE = re.compile(r"来源\s*[:：]\s*(\S+)")


def article_id(url: str) -> str | None:
    """The article ID of a ``/view/{col}/{id}.html`` URL (any host, scheme or column)."""
    m = DETAIL.match(urlsplit(url).path)
    return m.group(2) if m else None


class ViewColumnSpider(ReportSpider):
    #: column slugs worth following from the side navigation (default: any)
    column_slugs: re.Pattern[str] = re.compile(r"^(?:xxgknb|\d{4})$")

    def on_site(self, url: str) -> bool:
        host = discovery.host_of(url)
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def document_key(self, url: str) -> str:
        doc = article_id(url)
        return f"view:{doc}" if doc else url

    def listed_reports(self, response: TextResponse, column: Column) -> Iterable[ListedReport]:
        for listed in super().listed_reports(response, column):
            if self.on_site(listed.url) and article_id(listed.url):
                yield listed

    def subcolumns(self, response: TextResponse, column: Column) -> Iterable[Column]:
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href.strip())
            m = LIST.match(urlsplit(url).path)
            if m and self.on_site(url) and self.column_slugs.match(m.group(1) or m.group(2)) and not urlsplit(url).query:
                yield Column(url=url, region=column.region)

    def page_hints(self, response: TextResponse, hints: dict) -> dict:
        hints = dict(hints)
        title = " ".join(response.css(".article-title ::text, h1 ::text, h2 ::text").getall()).strip()
        if discovery.is_annual_report(title):
            hints["title"] = title
        info = " ".join(response.xpath("//*[contains(text(), '发布时间')]//text()").getall())
        if m := _PUBLISHED.search(info):
            hints["published"] = iso_date(m.group(1))
        if (m := _SOURCE.search(info)) and "agency" not in hints:
            hints["agency"] = m.group(1)
        return hints
