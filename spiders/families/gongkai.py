"""The Zibo/Jinan ``gongkai`` open-government platform (淄博经济开发区, 高新区, 周村区, Jinan districts).

* the platform index links one site per agency, ``/gongkai/site_{slug}/index.html`` (sibling
  platforms: ``/site_{slug}/…`` without ``/gongkai/``, or the site's channel ``/gongkai/channel_…/?open=…``);
  a site page renders its 指南 next to a channel tree; the spider follows the
  channels named like an annual-report column (年报, 年度报告);
* channel IDs come in many shapes (``c_{24hex}_n_{unix.float}``, ``{24hex}``,
  ``c_{24hex}_{24hex}``, ``c1534`` …), so channels are recognised by their place
  (``/gongkai/site_…/channel_…/``), not by the ID's shape;
* a channel page is a shell whose list an inline script loads from a JSON
  endpoint; the endpoint and the channel's IDs are read from the script and paged
  with ``page=N`` until ``pages``; a channel with a single document renders that
  document in place, and is then the report page itself;
* documents are ``doc_{ObjectId}.html``: the ObjectId (a creation time) identifies
  the document whatever channel URL reached it, and its timestamp is the fallback
  publication date; the metadata table (标题/索引号/文号/发文日期/发布机构) is read
  for title and date (``2021-01-31T09:00:17`` or ``2025-01-21``);
* reports may be PDFs next to the page (``doc_{ObjectId}_{md5}.pdf``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlencode, urljoin, urlsplit

from scrapy.http import Request, Response, TextResponse

from gxcrawler import discovery

from .base import Column, ListedReport, ReportSpider, iso_date

CST = timezone(timedelta(hours=8))
SITE = re.compile(r"^(?:/gongkai)?/site_([\w-]+)/(?:index\.html)?$")
#: with or without ``/gongkai/`` (sibling platforms), with or without the site (``/gongkai/channel_…/?open=…``)
CHANNEL = re.compile(r"^(?:/gongkai)?(?:/site_([\w-]+))?/channel_([\w.-]+)/$")
DOC = re.compile(r"/doc_([0-9a-f]{24})(?:_[0-9a-f]{32})?\.(?:html|pdf)$")
REPORT_CHANNEL_WORDS = ("年报", "年度报告")
_CONFIG_VALUE = re.compile(r"\b(siteId|channelId|pageSize)\s*[:=]\s*[\"']?([\w.-]+)")
_TIME_LINE = re.compile(r">\s*时间\s*[:：]\s*((?:19|20)\d{2}-\d{1,2}-\d{1,2})")
_API_PATH = re.compile(r"[\"'](/[\w/.-]*api[\w/.-]*)\?")


def objectid_time(url_or_id: str) -> datetime | None:
    """When a MongoDB ObjectId was made: its first 4 bytes are Unix seconds."""
    m = DOC.search(url_or_id) or re.fullmatch(r"([0-9a-f]{24})", url_or_id)
    return datetime.fromtimestamp(int(m.group(1)[:8], 16), UTC) if m else None


def channel_api(html: str, base_url: str, page: int = 1) -> str | None:
    """The JSON list URL a channel page's script would load (None when there is no script list)."""
    values = dict(_CONFIG_VALUE.findall(html))
    api = _API_PATH.search(html)
    if not api or "channelId" not in values:
        return None
    query = {"siteId": values.get("siteId", ""), "channelId": values["channelId"], "page": page,
             "size": values.get("pageSize", "10")}
    return urljoin(base_url, api.group(1)) + "?" + urlencode(query)


def listed_from_json(payload: dict, base_url: str) -> tuple[list[ListedReport], int]:
    """Rows of one JSON list page, and the number of pages."""
    data = payload.get("data") or {}
    rows = data.get("rows") or data.get("list") or []
    listed = [
        ListedReport(url=urljoin(base_url, row["url"]), title=row.get("title", ""),
                     published=iso_date(row.get("publishDate") or ""))
        for row in rows
        if row.get("url")
    ]
    return listed, int(data.get("pages") or 1)


def meta_table(response: TextResponse) -> dict[str, str]:
    """The 标题/索引号/文号/发文日期/发布机构 table, label → value."""
    out: dict[str, str] = {}
    for row in response.xpath("//table[.//*[starts-with(normalize-space(.), '标题')]]//tr"):
        cells = [" ".join(c.css("::text").getall()).strip() for c in row.xpath("./th|./td")]
        for label, value in zip(cells[::2], cells[1::2], strict=False):
            out[label.rstrip(":：").strip()] = value
    return out


class GongkaiSpider(ReportSpider):
    def document_key(self, url: str) -> str:
        m = DOC.search(urlsplit(url).path)
        return f"doc:{m.group(1)}" if m else url

    def list_output(self, response: TextResponse, column: Column) -> Iterator[Request]:
        path = urlsplit(response.url).path
        if CHANNEL.match(path):
            yield from self._parse_channel(response, column)
            return
        for url, text in self._links(response):
            link_path = urlsplit(url).path
            is_site = bool(SITE.match(link_path)) and link_path != path
            channel = CHANNEL.match(link_path)
            is_report_channel = bool(channel) and any(w in text for w in REPORT_CHANNEL_WORDS)
            # a channel linked without its site (/gongkai/channel_…/?open=zfxxgknb) is a site's entry
            is_site_entry = bool(channel) and not channel.group(1)
            if is_site or is_report_channel or is_site_entry:
                yield self.list_request(url, Column(url=url, region=column.region))

    def _links(self, response: TextResponse) -> Iterable[tuple[str, str]]:
        for a in response.css("a[href]"):
            url = response.urljoin(a.attrib["href"].strip())
            if not discovery.is_mirror(url) and urlsplit(url).netloc == urlsplit(response.url).netloc:
                yield url, discovery.normalize_title(" ".join(a.css("::text").getall()))

    def _parse_channel(self, response: TextResponse, column: Column) -> Iterator[Request]:
        api = channel_api(response.text, response.url)
        if api:
            yield self.json_request(api, column, self.parse_json, meta={"gx_page": 1})
            return
        # A channel holding one document shows it in place: the page is the document.
        # It is requested again as a report (the list fetch and the document fetch
        # are different things to the incremental re-crawl, which skips unchanged
        # documents but always reads lists).
        hints = self._page_hints(response, {})  # no metadata table on such pages: the heading is the title
        listed = ListedReport(url=response.url, title=hints.get("title", ""), published=hints.get("published"))
        if discovery.is_annual_report(listed.title) and self.wants(listed):
            yield self.report_request(listed, column).replace(dont_filter=True)

    def parse_json(self, response: Response) -> Iterator[Request]:
        column: Column = response.meta["gx_column"]
        try:
            payload = json.loads(response.text)
        except (ValueError, AttributeError):
            self.logger.warning("channel list is not JSON: %s", response.url)
            return
        listed, pages = listed_from_json(payload, response.url)
        for item in listed:
            if discovery.is_annual_report(item.title) and self.wants(item):
                yield self.report_request(item, column)
        page = response.meta.get("gx_page", 1)
        if page == 1:
            for n in range(2, pages + 1):
                url = re.sub(r"([?&]page=)\d+", rf"\g<1>{n}", response.url)
                yield self.json_request(url, column, self.parse_json, meta={"gx_page": n})

    def page_hints(self, response: TextResponse, hints: dict) -> dict:
        hints = dict(hints)
        meta = meta_table(response)
        if discovery.is_annual_report(meta.get("标题")):
            hints["title"] = meta["标题"]
        if published := iso_date(meta.get("发文日期")):
            hints["published"] = published
        elif (m := _TIME_LINE.search(response.text)) and (published := iso_date(m.group(1))):
            hints["published"] = published  # a single-document channel: 时间:YYYY-MM-DD under the heading
        elif "published" not in hints and (made := objectid_time(response.url)):
            hints["published"] = made.astimezone(CST).date().isoformat()
        return hints
