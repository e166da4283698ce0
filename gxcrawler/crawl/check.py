"""``gxcrawler portals check``: crawl a portal's lists, write nothing, say what was found.

The generic ``portal`` spider runs with no item pipeline, no run record and no
incremental store; a spider middleware takes every report request it yields and
keeps its title, year and URL instead of fetching it. What comes back: the CMS
families recognised on the pages, the list pages read, the reports per year. Through
``GXCRAWLER_SIMULATION_URL`` it runs against the offline simulations like any crawl.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from scrapy import Request

from gxcrawler.discovery import families as family_markers


@dataclass
class Found:
    url: str
    title: str
    year: int | None


@dataclass
class CheckResult:
    families: Counter = field(default_factory=Counter)
    reports: dict[str, Found] = field(default_factory=dict)
    lists: int = 0
    requests: int = 0
    errors: Counter = field(default_factory=Counter)

    def by_year(self) -> dict[int | None, list[Found]]:
        out: dict[int | None, list[Found]] = {}
        for found in self.reports.values():
            out.setdefault(found.year, []).append(found)
        return dict(sorted(out.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))


class ReportCollector:
    """Spider middleware: record report requests instead of sending them."""

    def __init__(self, crawler) -> None:
        self.result = CheckResult()
        crawler.gx_check = self.result

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _passes(self, item: Any) -> bool:
        if isinstance(item, Request) and item.meta.get("gx_kind") in ("report", "attachment"):
            hints = item.meta.get("gx_hints") or {}
            self.result.reports.setdefault(item.url, Found(item.url, hints.get("title") or "", hints.get("year")))
            return False
        return True

    def process_spider_output(self, response, result: Iterable[Any], spider=None):
        yield from (item for item in result if self._passes(item))

    async def process_spider_output_async(self, response, result, spider=None):
        async for item in result:
            if self._passes(item):
                yield item


#: settings of a check crawl: nothing stored, nothing recorded
CHECK_SETTINGS: dict[str, Any] = {
    "ITEM_PIPELINES": {"pipelines.parse.ParsePipeline": None, "pipelines.load.LoadPipeline": None},
    "EXTENSIONS": {"gxcrawler.crawl.runner.NightlyExtension": None},
    "SPIDER_MIDDLEWARES": {"gxcrawler.crawl.incremental.FetchChainMiddleware": None,
                           "gxcrawler.crawl.check.ReportCollector": 900},
    "DOWNLOADER_MIDDLEWARES": {"gxcrawler.crawl.incremental.IncrementalMiddleware": None},
    "JOBDIR": None,
    "LOG_LEVEL": "WARNING",
}


def check_portal(start_urls: list[str], *, year: str | None = None, family: str | None = None,
                 settings: dict[str, Any] | None = None) -> CheckResult:
    """Crawl the lists from ``start_urls`` with the generic spider; return what it found."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    project = get_project_settings()
    for key, value in {**CHECK_SETTINGS, **(settings or {})}.items():
        if isinstance(value, dict):  # components switched off or added, the others kept
            project.set(key, {**project.getdict(key), **value}, priority="cmdline")
        else:
            project.set(key, value, priority="cmdline")
    process = CrawlerProcess(project)
    crawler = process.create_crawler("portal")
    kwargs: dict[str, Any] = {"start_url": ",".join(start_urls)}
    if year:
        kwargs["year"] = year
    if family:
        kwargs["family"] = family
    process.crawl(crawler, **kwargs)
    process.start()
    result: CheckResult = getattr(crawler, "gx_check", CheckResult())
    stats = crawler.stats.get_stats() if crawler.stats else {}
    result.requests = int(stats.get("downloader/request_count") or 0)
    result.lists = int(stats.get("gx/lists") or 0)
    for key, value in stats.items():
        if key.startswith(family_markers.STATS_PREFIX):
            result.families[key.removeprefix(family_markers.STATS_PREFIX)] += int(value)
        elif key.startswith("downloader/response_status_count/") and int(key.rsplit("/", 1)[1]) >= 400:
            result.errors[f"http_{key.rsplit('/', 1)[1]}"] += int(value)
    return result
