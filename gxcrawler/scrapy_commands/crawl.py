"""``scrapy crawl NAME``: validated before any request, exit code from the run's verdict."""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from gxcrawler.errors import UserError


def preflight(spidercls: type, spargs: dict, settings) -> None:  # noqa: ANN001
    """Everything that can be known wrong before the first request: arguments, then the database."""
    from gxcrawler.crawl.arguments import validate

    validate(spidercls, spargs)
    check_database(settings)


def check_database(settings) -> None:  # noqa: ANN001
    """The crawl's database answers (an SQLite file is created, as the crawl would), its schema is
    one the crawl will use (``GXCRAWLER_AUTO_MIGRATE=0``: already current), and the crawls
    directory (job dirs, robots.txt cache, outage spool) can be written."""
    from gxcrawler.db import check_connection, database_url, make_engine
    from gxcrawler.db.migrate import check_schema

    if settings.getbool("GX_RECORD_RUNS", True):
        engine = make_engine(settings.get("GXCRAWLER_DATABASE_URL") or database_url())
        try:
            check_connection(engine)
            check_schema(engine)
        finally:
            engine.dispose()
    check_crawls_dir(settings)


def check_crawls_dir(settings) -> None:  # noqa: ANN001
    """The directories a crawl writes outside the database can be written (created if missing)."""
    import tempfile
    from pathlib import Path

    from gxcrawler.crawl.spool import spool_dir

    crawls = Path(settings.get("GX_CRAWLS_DIR") or "crawls")
    for path in dict.fromkeys([crawls, spool_dir(settings),
                               Path(settings.get("GX_ROBOTSTXT_CACHE_DIR") or crawls / "robots")]):
        try:
            path.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=path):
                pass
        except OSError as exc:
            raise UserError(f"cannot write the crawls directory {path}: {exc.strerror or exc} — make it writable "
                            "or set GXCRAWLER_CRAWLS_DIR to a writable directory (job dirs, robots.txt cache, "
                            "the spool of an outage)") from None


class Command(ScrapyCrawl):
    def long_desc(self) -> str:
        return ("Run a spider of the project. Exit code: 0 the run succeeded, 1 it failed its monitors, "
                "2 a usage or configuration error (nothing crawled), 3 interrupted (resumable).")

    def run(self, args: list[str], opts) -> None:  # noqa: ANN001
        from gxcrawler.crawl.runner import RunSummary, exit_code

        if len(args) != 1:
            raise UsageError("scrapy crawl takes exactly one spider name (gxcrawler crawl-all runs several)")
        name = args[0]
        assert self.crawler_process is not None
        try:
            spidercls = self.crawler_process.spider_loader.load(name)
        except KeyError:
            known = ", ".join(sorted(self.crawler_process.spider_loader.list()))
            print(f"scrapy crawl: no spider named {name!r} (spiders: {known})", file=sys.stderr)
            self.exitcode = 2
            return
        try:
            preflight(spidercls, opts.spargs, self.settings)
        except UserError as exc:
            print(f"scrapy crawl {name}: {exc}", file=sys.stderr)
            self.exitcode = exc.exit_code
            return
        crawler = self.crawler_process.create_crawler(spidercls)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        summary = getattr(crawler, "gx_summary", None)
        if self.crawler_process.bootstrap_failed and summary is None:
            self.exitcode = 1
        elif summary is not None:
            self.exitcode = exit_code([summary])
        elif not self.settings.getbool("GX_RECORD_RUNS", True):
            self.exitcode = 0
        else:
            self.exitcode = exit_code([RunSummary(spider=name, outcome="failed")])
