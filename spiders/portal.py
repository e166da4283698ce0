"""A generic spider for a portal no one has configured.

    scrapy crawl portal -a start_url=http://www.xinye.gov.cn/xxgknb/index.html -a year=2022 \
        [-a county=新野县 -a city=南阳市 -a province=河南省] [-a agency=王庄镇] [-a depth=2]

It knows no URL shapes and no markup, only the shared detectors: report titles
(with a year) become report requests, pagination links and scripts become list
requests, and links whose text names a report column (…年报, …年度报告 without a
year, or a bare year such as ``2021年``) are followed as sub-columns on the same host
up to ``depth`` levels, as are, below such a column, the index pages of its
sub-folders (column trees with one folder per agency). Report pages without statistics tables are searched for
attachments. Any ``.gov.cn`` host may serve a document (files often live on a
city-wide host), but reports and lists only the start URL's own site; clone sites never.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from scrapy.http import TextResponse

from gxcrawler import discovery, portals
from gxcrawler.model import Region

from .families.base import Column, ReportSpider

_INDEX_PAGE = re.compile(r"/(?:index\.s?html?)?$")
_COLUMN_TEXT = re.compile(r"(?:年报|年度报告|年度工作报告)$|^(?:19|20)\d{2}\s*年?度?$")


class PortalSpider(ReportSpider):
    name = "portal"
    #: set by the spiders the registry builds (spiders/registered.py): where to start
    default_start_urls: tuple[str, ...] = ()

    def __init__(self, start_url: str | None = None, depth: str | int = 3, province: str | None = None,
                 city: str | None = None, county: str | None = None, division_code: str | None = None,
                 portal: str | None = None, *args, **kwargs):
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
        self.region = Region(province=region.province, city=region.city, county=region.county,
                             division_code=region.division_code, portal=self.name)
        self.columns = tuple(Column(url=u, region=self.region, extra={"depth": 0}) for u in urls)
        self.allowed_domains = sorted({d for u in urls for d in discovery.allowed_domains_for(u)})
        self.max_depth = int(depth)
        self.sites = {discovery.site_domain(u) for u in urls}

    def on_site(self, url: str) -> bool:
        return discovery.site_domain(url) in self.sites

    def wants(self, listed) -> bool:
        """Reports only from the portal's own site (another county's .gov.cn is another portal)."""
        return self.on_site(listed.url) and super().wants(listed)

    def next_pages(self, response: TextResponse, column: Column) -> Iterable[str]:
        return [u for u in super().next_pages(response, column) if self.on_site(u)]

    def subcolumns(self, response: TextResponse, column: Column) -> Iterable[Column]:
        level = column.extra.get("depth", 0)
        if level >= self.max_depth:
            return
        here = urlsplit(response.url)
        folder = here.path.rsplit("/", 1)[0] + "/"
        for a in response.css("a[href]"):
            text = discovery.normalize_title(" ".join(a.css("::text").getall()))
            url = response.urljoin(a.attrib["href"].strip())
            parts = urlsplit(url)
            if not text or parts.hostname != here.hostname or discovery.is_mirror(url):
                continue
            named_like_a_column = _COLUMN_TEXT.search(text) and discovery.report_year(text) is None
            # a column tree: the index page of a folder below a report column (one per agency)
            child_index = level > 0 and parts.path.startswith(folder) and _INDEX_PAGE.search(parts.path) \
                and parts.path.rsplit("/", 1)[0] + "/" != folder
            if named_like_a_column or child_index:
                # a year-named column is not trusted to hold only that year: reports get misfiled
                yield Column(url=url, region=column.region, extra={"depth": level + 1})
