"""``scrapy shell``: Scrapy's, recording no crawl run (it is a look, not a crawl)."""

from __future__ import annotations

from scrapy.commands.shell import Command as ScrapyShell


class Command(ScrapyShell):
    default_settings = {**ScrapyShell.default_settings, "GX_RECORD_RUNS": False}
