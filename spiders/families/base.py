"""The base every report spider builds on: columns → list pages → report pages → documents.

A portal spider is declarative (``name``, ``allowed_domains``, ``columns``, ``region``);
a CMS-family base overrides a few hooks (how list rows look, how pages paginate,
what a detail page's header says). The crawl itself, the year/agency filters, the
request meta contract (``gxcrawler.crawl``) and the items live here once.

Hooks, in crawl order:

* :meth:`start_columns` — the columns to start from (default: ``columns``).
* :meth:`subcolumns` — columns found on a list page (column trees).
* :meth:`listed_reports` — report rows on a list page (default: generic detectors).
* :meth:`next_pages` — other pages of the same list (default: generic detectors).
* :meth:`document_key` — identity of a document across URLs (mirrors, wap paths).
* :meth:`page_hints` — title/agency/date read from a detail page's header.
* :meth:`report_attachments` — attachments holding the report (when the page has no tables).
* :meth:`json_request` / :meth:`script_request` — for lists delivered by XHR or JS.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import HtmlResponse, Request, Response, TextResponse

from gxcrawler import discovery, pagekind
from gxcrawler.crawl.arguments import parse_years
from gxcrawler.crawl.items import ReportItem
from gxcrawler.model import Region

_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


@dataclass(frozen=True)
class Column:
    """A list page to start from (or found on the way), with what is known about it."""

    url: str
    region: Region | None = None  # overrides the spider's region
    agency: str | None = None  # every report in it is by this agency
    category: str | None = None  # e.g. "department", "township", "county"
    year: int | None = None  # a year-named column holds only this year
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class ListedReport:
    """A report as a list page shows it."""

    url: str
    title: str
    published: str | None = None  # YYYY-MM-DD as listed
    agency: str | None = None

    @property
    def year(self) -> int | None:
        return discovery.report_year(self.title)


def iso_date(text: str | None) -> str | None:
    """The first ``YYYY-MM-DD`` (or ``YYYY年M月D日``…) in ``text``, normalised."""
    m = _DATE.search(unicodedata.normalize("NFKC", text or ""))
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else None


#: the publisher a report title names (kept here for the families' imports)
agency_from_title = discovery.title_agency


class ReportSpider(scrapy.Spider):
    """Crawl columns of a portal and yield a :class:`ReportItem` per report document."""

    #: the portal's administrative region; a Column may override it
    region: Region = Region()
    #: start columns (URLs or :class:`Column`)
    columns: tuple[Column | str, ...] = ()
    #: follow attachments when a report page has no statistics tables itself
    follow_attachments: bool = True
    #: ``-a`` arguments read as attributes rather than by ``__init__`` (gxcrawler.crawl.arguments)
    arguments: tuple[str, ...] = ("refresh",)

    def __init__(self, year: str | None = None, agency: str | None = None, *args, start_url: str | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        if start_url:  # -a start_url=…: start from other pages than the configured columns
            self.columns = tuple(Column(url=u.strip()) for u in start_url.split(",") if u.strip())
        self.years = parse_years(year)
        self.agency_filter = discovery.normalize_title(agency) if agency else None
        self._seen_documents: set[str] = set()

    # --- start --------------------------------------------------------------------

    def start_columns(self) -> Iterable[Column]:
        for col in self.columns:
            col = col if isinstance(col, Column) else Column(url=col)
            yield replace(col, extra={"start": True, **col.extra})

    async def start(self) -> AsyncIterator[Any]:
        for column in self.start_columns():
            if self.wants_column(column):
                yield self.list_request(column.url, column, errback=self.start_failed)

    def count(self, key: str) -> None:
        """One more in the crawl's stats (nothing when the spider runs without a crawler, as in tests)."""
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(key)

    # --- surviving a wrong guess: from the home page to the report column ---------------

    def start_failed(self, failure) -> Iterator[Request]:
        """A configured column that is gone (404, DNS …): find the report column from the home page."""
        column = failure.request.meta.get("gx_column")
        if column is not None and column.extra.get("start"):
            yield from self.from_home(failure.request.url, column)

    def from_home(self, url: str, column: Column) -> Iterator[Request]:
        parts = urlsplit(url)
        home = f"{parts.scheme}://{parts.netloc}/"
        homes = self.__dict__.setdefault("_homes_tried", set())
        if home in homes or parts.path in ("", "/"):
            return
        homes.add(home)
        self.logger.warning("column %s yields nothing; looking for the report column from %s", url, home)
        self.count("gx/columns/from_home")
        yield self.list_request(home, Column(url=home, region=column.region, extra={"navigate": 0}))

    def navigate(self, response: TextResponse, column: Column) -> Iterator[Request]:
        """A home or menu page: follow the report column by its link text (年报, 年度报告), else the
        政府信息公开 / 政务公开 entry (two levels at most)."""
        level = column.extra.get("navigate", 0)
        host = urlsplit(response.url).hostname
        for link in discovery.navigation_links(response.selector, response.url):
            if urlsplit(link.url).hostname != host or discovery.is_mirror(link.url):
                continue
            if link.kind == "column":
                yield self.list_request(link.url, Column(url=link.url, region=column.region,
                                                         extra={"reports": True, "depth": 1}))
            elif level < 2:
                yield self.list_request(link.url, Column(url=link.url, region=column.region,
                                                         extra={"navigate": level + 1}))

    # --- requests (the meta contract) ---------------------------------------------

    def region_for(self, column: Column | None) -> Region:
        region = column.region if column and column.region else self.region
        return region if region.portal else replace(region, portal=self.name)

    def list_request(self, url: str, column: Column, **kwargs) -> Request:
        meta = {"gx_kind": "list", "gx_column": column, "gx_region": self.region_for(column)}
        meta.update(kwargs.pop("meta", {}))
        return Request(url, callback=kwargs.pop("callback", self.parse_list), meta=meta, **kwargs)

    def json_request(self, url: str, column: Column, callback, **kwargs) -> Request:
        meta = {"gx_kind": "json", "gx_column": column, "gx_region": self.region_for(column)}
        meta.update(kwargs.pop("meta", {}))
        return Request(url, callback=callback, meta=meta, **kwargs)

    def script_request(self, url: str, column: Column, callback, **kwargs) -> Request:
        meta = {"gx_kind": "script", "gx_column": column, "gx_region": self.region_for(column)}
        meta.update(kwargs.pop("meta", {}))
        return Request(url, callback=callback, meta=meta, **kwargs)

    def report_request(self, listed: ListedReport, column: Column) -> Request:
        hints = {
            "title": listed.title,
            "agency": listed.agency or column.agency or agency_from_title(listed.title),
            "published": listed.published,
            "year": listed.year,
        }
        meta = {
            "gx_kind": "report",
            "gx_hints": {k: v for k, v in hints.items() if v is not None},
            "gx_column": column,
            "gx_region": self.region_for(column),
        }
        return Request(listed.url, callback=self.parse_report, meta=meta)

    def attachment_request(self, url: str, response: Response, hints: dict) -> Request:
        meta = {
            "gx_kind": "attachment",
            "gx_hints": hints,
            "gx_column": response.meta.get("gx_column"),
            "gx_region": response.meta.get("gx_region") or self.region_for(None),
            "gx_page_url": response.url,
        }
        return Request(url, callback=self.parse_attachment, meta=meta)

    # --- filters ------------------------------------------------------------------

    def wants_column(self, column: Column) -> bool:
        return not (self.years and column.year is not None and column.year not in self.years)

    def wants(self, listed: ListedReport) -> bool:
        """Year and agency filters on what the list shows (unknown year: decided after parsing)."""
        if discovery.is_mirror(listed.url):
            return False
        year = listed.year
        if self.years and year is not None and year not in self.years:
            return False
        if self.agency_filter:
            names = discovery.normalize_title(f"{listed.agency or ''} {listed.title}")
            if self.agency_filter not in names:
                return False
        key = self.document_key(listed.url)
        if key in self._seen_documents:
            return False
        self._seen_documents.add(key)
        return True

    def document_key(self, url: str) -> str:
        """Identity of a document; the same key under two URLs is fetched once."""
        return url.split("#")[0]

    def note_document(self, url: str) -> None:
        """A document asked for tonight without passing :meth:`wants` (below a list page not read tonight,
        ``gxcrawler.crawl.lists``): the same document under another URL, listed on a page read tonight, is
        not asked for again — as when both lists are read."""
        self._seen_documents.add(self.document_key(url))

    # --- list pages ---------------------------------------------------------------

    def parse_list(self, response: Response) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            return
        column: Column = response.meta["gx_column"]
        self.count("gx/lists")
        if "navigate" in column.extra:
            yield from self.navigate(response, column)
            return
        gone = pagekind.classify(response.body, status=response.status, headers=response.headers, url=response.url)
        found = [] if gone else list(self.list_output(response, column))
        yield from found
        if column.extra.get("start") and not found and not response.meta.get("gx_listed"):
            yield from self.from_home(response.url, column)

    def list_output(self, response: TextResponse, column: Column) -> Iterator[Request]:
        """What a list page yields: its sub-columns, its other pages, its reports."""
        for sub in self.subcolumns(response, column):
            if self.wants_column(sub):
                yield self.list_request(sub.url, sub)
        for url in self.next_pages(response, column):
            yield self.list_request(url, column)
        for listed in self.listed_reports(response, column):
            response.meta["gx_listed"] = True  # a report column, even when the filters want none of it
            if self.wants(listed):
                yield self.report_request(listed, column)

    def listed_reports(self, response: TextResponse, column: Column) -> Iterable[ListedReport]:
        """Report links anywhere on the page, with the date printed in the same row."""
        rows = {}
        for a in response.css("a[href]"):
            url = response.urljoin(a.attrib["href"].strip())
            if url not in rows:
                row = a.xpath("ancestor::*[self::li or self::tr][1]") or [a]
                rows[url] = " ".join(row[0].css("::text").getall())
        for link in discovery.report_links(response.selector, response.url):
            yield ListedReport(url=link.url, title=link.text, published=iso_date(rows.get(link.url)))

    def next_pages(self, response: TextResponse, column: Column) -> Iterable[str]:
        return [u for u in discovery.pagination_links(response.text, response.url) if not discovery.is_mirror(u)]

    def subcolumns(self, response: TextResponse, column: Column) -> Iterable[Column]:
        return ()

    # --- detail pages and documents -----------------------------------------------

    def page_hints(self, response: TextResponse, hints: dict) -> dict:
        """Refine list hints from the detail page (families read their header here)."""
        return hints

    def _page_hints(self, response: TextResponse, hints: dict) -> dict:
        """The family's hints, then what any page says: its heading, and its publisher when no title names one."""
        hints = self.page_hints(response, hints)
        if not discovery.report_year(hints.get("title")) and (heading := discovery.page_heading(response.selector)):
            hints = {**hints, "title": heading}
        named = hints.get("agency") or discovery.title_agency(hints.get("title"))
        if not named and (agency := discovery.page_agency(response.selector)):
            hints = {**hints, "agency": agency}
        return hints

    def report_attachments(self, response: TextResponse) -> list[discovery.Link]:
        return discovery.attachment_links(response.text, response.url)

    def not_a_document(self, response: Response) -> bool:
        """A soft 404, maintenance or login page where a report was listed: never a report row."""
        kind = pagekind.classify(response.body, status=response.status, headers=response.headers, url=response.url)
        if kind is not None:
            self.logger.info("%s is not a document: %s", response.url, kind.reason)
            self.count(f"gx/reports/not_a_document/{kind.kind}")
        return kind is not None

    def parse_report(self, response: Response) -> Iterator[ReportItem | Request]:
        hints = dict(response.meta.get("gx_hints", {}))
        if self.not_a_document(response):
            return
        if not isinstance(response, HtmlResponse):
            yield self.make_item(response, page_url=response.url, hints=hints)
            return
        own_title = discovery.page_title(response.selector)
        if discovery.is_decoy(own_title) and not discovery.has_statistics_tables(response.text):
            self.logger.info("%s is not a report: %s", response.url, own_title)  # a cut list title misled us
            self.count("gx/reports/not_a_report_page")
            return
        hints = self._page_hints(response, hints)
        if self.follow_attachments and not discovery.has_statistics_tables(response.text):
            attachments = [a for a in self.report_attachments(response) if not discovery.is_mirror(a.url)]
            if attachments:
                for link in attachments:
                    yield self.attachment_request(link.url, response, hints)
                return
        item = self.make_item(response, page_url=response.url, hints=hints)
        if not discovery.has_statistics_tables(response.text):
            # tables pasted as pictures: fetched and read by OCR with the page (pipelines.parse)
            item.image_urls = discovery.table_images(response.selector, response.url)
        yield item

    def parse_attachment(self, response: Response) -> Iterator[ReportItem]:
        if self.not_a_document(response):
            return
        page_url = response.meta.get("gx_page_url") or response.url
        yield self.make_item(response, page_url=page_url, hints=dict(response.meta.get("gx_hints", {})))

    def make_item(self, response: Response, *, page_url: str, hints: dict) -> ReportItem:
        headers = response.headers
        content_type = headers.get("Content-Type")

        def text(value: bytes | None) -> str | None:
            return value.decode("latin-1") if value else None

        return ReportItem(
            spider=self.name,
            page_url=page_url,
            document_url=response.url,
            body=response.body,
            content_type=text(content_type),
            fetched_at=datetime.now(UTC),
            hints={k: v for k, v in hints.items() if v is not None},
            region=response.meta.get("gx_region") or self.region_for(None),
            etag=text(headers.get("ETag")),
            last_modified=text(headers.get("Last-Modified")),
            status=response.status,
        )
