"""``scrapy fetch``: Scrapy's, recording no crawl run (it is a look, not a crawl)."""

from __future__ import annotations

from scrapy.commands.fetch import Command as ScrapyFetch


class Command(ScrapyFetch):
    default_settings = {**ScrapyFetch.default_settings, "GX_RECORD_RUNS": False}
