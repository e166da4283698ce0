"""A generic spider for a portal no one has configured.

    scrapy crawl portal -a start_url=http://www.xinye.gov.cn/xxgknb/index.html -a year=2022 \
        [-a county=新野县 -a city=南阳市 -a province=河南省] [-a agency=王庄镇] [-a depth=3]
    scrapy crawl portal -a portal=ynmg          # a registry row (gxcrawler portals list)

It knows no URL shapes and no markup, only the shared detectors: report titles (with
a year) become report requests, pagination links and scripts become list requests,
and links whose text names a report column (…年报, …年度报告 without a year, or a
bare year such as ``2021年``) are followed on the same host up to ``depth`` levels,
as are, below such a column, the index pages of its sub-folders (column trees).

On every list page it recognises the CMS family from the page itself
(``gxcrawler.discovery.families``) and reads what that family hides from a link
crawl: Hanweb's XML-island records and dataproxy POSTs, TRS script page counts, VSB's
downward page numbers, gkmlpt's JSON API, ASP.NET postback pagers. A family base
(``spiders/families/``) is this spider with its ``family`` named.

A start page that is gone or shows no report and no report column is not the end:
the spider goes to the site's home page and finds the 政府信息公开 entry and the
annual-report column by their link text. A list page that is itself a report
(one page per agency and year) is taken as the report. Reports come only from the
start URL's own site and never name another county; documents may come from any
``.gov.cn`` host (files often live on a city-wide host); clone sites never.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import FormRequest, Request, Response, TextResponse

from gxcrawler import discovery, portals
from gxcrawler.discovery import families
from gxcrawler.model import Region

from .families.base import Column, ListedReport, ReportSpider, iso_date

_INDEX_PAGE = re.compile(r"/(?:index\.s?html?)?$")


class PortalSpider(ReportSpider):
    name = "portal"
    #: set by the spiders the registry builds (spiders/registered.py): where to start
    default_start_urls: tuple[str, ...] = ()
    #: a family base names its family; the generic spider recognises it on each page
    family: str | None = None

    def __init__(self, start_url: str | None = None, depth: str | int = 3, province: str | None = None,
                 city: str | None = None, county: str | None = None, division_code: str | None = None,
                 portal: str | None = None, family: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        row = portals.find(portal) if portal else None
        if portal and row is None:
            raise ValueError(f"no portal {portal!r} in the registry (gxcrawler portals list)")
        urls = [u.strip() for u in (start_url or "").split(",") if u.strip()]
        urls = urls or list(row.start_urls if row else self.default_start_urls)
        if not urls:
            raise ValueError("portal needs -a start_url=URL (comma-separated for several) or -a portal=ID")
        if any((province, city, county, division_code)):
            region = Region(province=province, city=city, county=county, division_code=division_code)
        else:  # the registry row's, or a registry-built spider's own (the plain portal spider has none)
            region = row.region if row else self.region
        self.region = replace(region, portal=self.name)
        self.region_known = bool(self.region.county or self.region.city)
        self.family = family or (row.family if row and row.family != "auto" else None) or self.family
        self.columns = tuple(Column(url=u, extra={"depth": 0, "start": True, "reports": urlsplit(u).path not in ("", "/")})
                             for u in urls)
        self.allowed_domains = sorted({d for u in urls for d in discovery.allowed_domains_for(u)})
        if not str(depth).strip().isdigit():
            raise ValueError(f"depth={depth!r} is not a number of link levels (e.g. -a depth=3)")
        self.max_depth = int(depth)
        self.sites = {discovery.site_domain(u) for u in urls}
        self._posts_seen: set[tuple[str, ...]] = set()

    # --- where the portal is ------------------------------------------------------

    def on_site(self, url: str) -> bool:
        return discovery.site_domain(url) in self.sites

    def document_key(self, url: str) -> str:
        return families.document_key(url)

    # --- report pages that are JavaScript shells (gkmlpt: the article is JSON in a script) ---

    def not_a_document(self, response: Response) -> bool:
        if isinstance(response, TextResponse) and families.script_article(response.text) == {}:
            self.logger.info("%s is not a document: the shell's article is gone", response.url)
            return True
        return super().not_a_document(response)

    def page_hints(self, response: TextResponse, hints: dict) -> dict:
        article = families.script_article(response.text) or {}
        if discovery.report_year(article.get("title")):
            hints = {**hints, "title": article["title"]}
        if article.get("publisher") and not discovery.title_agency(hints.get("title")):
            hints = {**hints, "agency": article["publisher"]}
        return hints

    def report_attachments(self, response: TextResponse) -> list[discovery.Link]:
        links = super().report_attachments(response)
        article = families.script_article(response.text) or {}
        for item in article.get("attachment") or []:
            if isinstance(item, dict) and item.get("url"):
                links.append(discovery.Link(response.urljoin(item["url"]), item.get("name", "")))
        if article.get("content"):
            links += discovery.attachment_links(article["content"], response.url)
        return list({link.url: link for link in links}.values())

    def learn_region(self, response: TextResponse) -> None:
        """With only a start URL, the site's own name (``<title>``, SiteName) tells the county."""
        if self.region_known:
            return
        names = response.xpath("//meta[@name='SiteName' or @name='sitename']/@content").getall()
        names += response.css("title::text").getall()
        for name in (piece for full in names for piece in re.split(r"[-_|—–·:：\s]+", full)):
            city, county = discovery.titles.place_of(name)
            if county:
                self.region = replace(self.region, city=city or self.region.city, county=county)
                self.region_known = True
                self.logger.info("portal region from the site's name %r: %s %s", name, city or "", county)
                return

    def wants(self, listed: ListedReport) -> bool:
        """Reports only from the portal's own site, and never another county's (a sidebar link)."""
        if not self.on_site(listed.url) or discovery.titles.names_other_county(listed.title, self.region.county):
            return False
        return super().wants(listed)

    # --- list pages -----------------------------------------------------------------

    def families_on(self, response: TextResponse) -> list[str]:
        """The families this page shows (and the one a family base names), counted once per page."""
        found = response.meta.get("gx_families")
        if found is None:
            found = families.detect(response.text, response.url)
            if self.family and self.family not in found:
                found.append(self.family)
            response.meta["gx_families"] = found
            if found:
                self.count(f"{families.STATS_PREFIX}{found[0]}")
        return found

    def list_output(self, response: TextResponse, column: Column) -> Iterator[Request]:
        if column.extra.get("start"):
            self.learn_region(response)
        kinds = self.families_on(response)
        requests = [*super().list_output(response, column), *self.family_requests(response, column, kinds)]
        yield from requests
        if not any(r.meta.get("gx_kind") == "report" for r in requests) and (page := self.page_as_report(response)):
            yield self.report_request(page, column).replace(dont_filter=True)

    def listed_reports(self, response: TextResponse, column: Column) -> Iterable[ListedReport]:
        yield from super().listed_reports(response, column)
        if "hanweb" in self.families_on(response):
            for link in families.hanweb_records(response.text, response.url):
                yield ListedReport(url=link.url, title=link.text)

    def next_pages(self, response: TextResponse, column: Column) -> Iterable[str]:
        kinds = self.families_on(response)
        pages = list(super().next_pages(response, column))
        if "trs" in kinds:
            pages += families.trs_pages(response.text, response.url)
        if "vsb" in kinds:
            pages += families.vsb_pages(response.text, response.url)
        return [u for u in dict.fromkeys(pages) if self.on_site(u)]

    def family_requests(self, response: TextResponse, column: Column, kinds: list[str]) -> Iterator[Request]:
        """POSTs and JSON requests a family's scripts would make."""
        posts: list[families.FormPost] = []
        if "hanweb" in kinds:
            posts += families.hanweb_next_posts(response.text, response.url)
        if "aspx" in kinds:
            posts += families.aspx_postbacks(response.text, response.url)
        for post in posts:
            key = (post.url, *(f"{k}={v}" for k, v in post.formdata if k not in ("__VIEWSTATE", "__EVENTVALIDATION")))
            if key in self._posts_seen or not self.on_site(post.url):
                continue
            self._posts_seen.add(key)
            meta = {"gx_kind": "list", "gx_column": column, "gx_region": self.region_for(column)}
            yield FormRequest(post.url, formdata=dict(post.formdata), callback=self.parse_list, meta=meta)
        if "gkmlpt" in kinds and (config := families.gkmlpt_config(response.text)):
            sid, tree = config
            for column_id, _name in families.gkmlpt_report_columns(tree):
                url = families.gkmlpt_api(response.url, column_id, sid)
                yield self.json_request(url, column, self.parse_gkmlpt, meta={"gx_api": (column_id, sid)})

    def parse_gkmlpt(self, response: Response) -> Iterator[Request]:
        column: Column = response.meta["gx_column"]
        try:
            payload = json.loads(response.text)
        except (ValueError, AttributeError):
            self.logger.warning("gkmlpt list is not JSON: %s", response.url)
            return
        links, pages = families.gkmlpt_articles(payload, response.url)
        dates = {a.get("url"): a.get("date") for a in payload.get("articles") or []}
        for link in links:
            listed = ListedReport(url=link.url, title=link.text, published=_date(dates.get(link.url)))
            if discovery.report_year(link.text) and self.wants(listed):
                yield self.report_request(listed, column)
        column_id, sid = response.meta["gx_api"]
        if "page=1&" in response.url:
            for page in range(2, pages + 1):
                yield self.json_request(families.gkmlpt_api(response.url, column_id, sid, page), column,
                                        self.parse_gkmlpt, meta={"gx_api": (column_id, sid)})

    def page_as_report(self, response: TextResponse) -> ListedReport | None:
        """A list page that is itself a report (its heading a report title, its tables or files on it)."""
        heading = discovery.page_heading(response.selector)
        if not heading or not discovery.report_year(heading):
            return None
        if not (discovery.has_statistics_tables(response.text) or self.report_attachments(response)):
            return None
        listed = ListedReport(url=response.url, title=heading)
        return listed if self.wants(listed) else None

    def subcolumns(self, response: TextResponse, column: Column) -> Iterable[Column]:
        level = column.extra.get("depth", 0)
        if level >= self.max_depth:
            return
        here = urlsplit(response.url)
        folder = here.path.rsplit("/", 1)[0] + "/"
        in_reports = column.extra.get("reports", False)
        for a in response.css("a[href]"):
            text = discovery.normalize_title(" ".join(a.css("::text").getall()))
            url = response.urljoin(a.attrib["href"].strip())
            parts = urlsplit(url)
            if not text or not self.on_site(url) or discovery.is_mirror(url) or parts.scheme not in ("http", "https"):
                continue
            named_like_a_column = discovery.is_report_column_name(text, years=in_reports)
            entry = level == 0 and not in_reports and discovery.is_entry_name(text)
            # a column tree: the index page of a folder below a report column (one per agency)
            child_index = in_reports and level > 0 and parts.path.startswith(folder) \
                and bool(_INDEX_PAGE.search(parts.path)) and parts.path.rsplit("/", 1)[0] + "/" != folder
            if named_like_a_column or child_index or entry:
                # a year-named column is not trusted to hold only that year: reports get misfiled
                reports = in_reports or named_like_a_column or child_index
                yield Column(url=url, region=column.region, extra={"depth": level + 1, "reports": reports})


def _date(value: Any) -> str | None:
    """A gkmlpt article date: a Unix time or a printed date."""
    if isinstance(value, int | float) and value > 0:
        from datetime import UTC, datetime, timedelta

        return (datetime.fromtimestamp(value, UTC) + timedelta(hours=8)).date().isoformat()
    return iso_date(str(value)) if value else None
