"""The Henan ``/{YYYY}/{MM-DD}/{id}.html`` family (洛宁县, 洛阳市 and its districts, 桐柏县).

* list rows ``ul.list-unstyled > li`` with ``p > a`` and a ``span`` date; the pager
  ``ul#paging > li.next_page > a``;
* details ``/{YYYY}/{MM-DD}/{id}.html``: the URL date is when the CMS record was
  made or re-saved, *not* the publication date (it can even be another year), so
  it is never used; the date is the page's ``时间:YYYY-MM-DD HH:MM`` in
  ``li.date``; the numeric ID identifies the article on any host name of the site;
* the body is ``li.wzxqnr``; reports are often PDF/DOC/DOCX attachments linked from
  it, sometimes on another host of the same government (``oss.ly.gov.cn``): only
  links inside the body count, so page chrome never passes for the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from scrapy.http import TextResponse

from gxcrawler import discovery

from .base import Column, ListedReport, ReportSpider, iso_date

DETAIL = re.compile(r"^/(?:19|20)\d{2}/\d{2}-\d{2}/(\d+)\.html$")
_TIME = re.compile(r"时间\s*[:：]\s*([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})")


def article_id(url: str) -> str | None:
    m = DETAIL.match(urlsplit(url).path)
    return m.group(1) if m else None


class HenanDatedSpider(ReportSpider):
    def document_key(self, url: str) -> str:
        doc = article_id(url)
        return f"article:{doc}" if doc else url

    def listed_reports(self, response: TextResponse, column: Column) -> Iterable[ListedReport]:
        for row in response.css("ul.list-unstyled > li"):
            a = row.css("p > a, a")[:1]
            if not a:
                continue
            title = (a.attrib.get("title") or " ".join(a.css("::text").getall())).strip()
            url = response.urljoin(a.attrib.get("href", "").strip())
            if discovery.is_annual_report(title) and article_id(url):
                yield ListedReport(url=url, title=title, published=iso_date(" ".join(row.css("span::text").getall())))

    def next_pages(self, response: TextResponse, column: Column) -> Iterable[str]:
        pager = [response.urljoin(h) for h in response.css("ul#paging > li.next_page > a::attr(href)").getall()]
        return pager or super().next_pages(response, column)

    def page_hints(self, response: TextResponse, hints: dict) -> dict:
        hints = dict(hints)
        title = " ".join(response.css(".wzxq h3 ::text, h1 ::text").getall()).strip()
        if discovery.is_annual_report(title):
            hints["title"] = title
        if m := _TIME.search(" ".join(response.css("li.date ::text").getall())):
            hints["published"] = iso_date(m.group(1))
        return hints

    def report_attachments(self, response: TextResponse) -> list[discovery.Link]:
        body = response.css("li.wzxqnr")
        return discovery.attachment_links(body[0] if body else response.selector, response.url)
