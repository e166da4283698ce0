"""Parse each fetched document with the project's parser (no Scrapy logic in there)."""

from __future__ import annotations

import logging

from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads

from gxcrawler.crawl.items import ReportItem

logger = logging.getLogger(__name__)


class ParsePipeline:
    """Fill ``item.parse_result``; drop documents of years the crawl did not ask for.

    Parsing (PDF layout analysis above all) is CPU work of up to seconds, so it runs
    on the reactor's thread pool and the downloads go on meanwhile. The spider
    filters by the year in list titles; a title without a year is followed anyway,
    so the parsed year is the final word.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @staticmethod
    def parse(item: ReportItem):
        from gxcrawler.parsing import parse_bytes

        return parse_bytes(
            item.body,
            source=item.document_url,
            content_type=item.content_type,
            filename=item.filename,
            hints={k: str(v) for k, v in item.hints.items() if v is not None},
        )

    async def process_item(self, item):
        if not isinstance(item, ReportItem):
            return item
        self.stats.inc_value("gx/reports/found")
        try:
            result = await maybe_deferred_to_future(threads.deferToThread(self.parse, item))
        except Exception as exc:  # the parser should not raise; keep the crawl alive if it does
            logger.exception("parser failed on %s", item.document_url)
            self.stats.inc_value("gx/parse/error")
            raise DropItem(f"parser raised {exc!r} on {item.document_url}") from exc
        return self.accept(item, result)

    def accept(self, item: ReportItem, result) -> ReportItem:
        """Attach the result and count it (on the reactor thread: stats are not thread-safe)."""
        item.parse_result = result
        self.stats.inc_value(f"gx/parse/{result.status}")
        years = getattr(self.crawler.spider, "years", None)
        if years and result.year is not None and result.year not in years:
            self.stats.inc_value("gx/reports/other_year")
            raise DropItem(f"{item.document_url}: report year {result.year} not requested")
        return item
