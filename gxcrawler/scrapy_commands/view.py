"""``scrapy view``: Scrapy's, recording no crawl run (it is a look, not a crawl)."""

from __future__ import annotations

from scrapy.commands.view import Command as ScrapyView


class Command(ScrapyView):
    default_settings = {**ScrapyView.default_settings, "GX_RECORD_RUNS": False}
