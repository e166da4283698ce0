"""Scrapy settings for gxcrawler (named in ``scrapy.cfg``).

Politeness is the default; tests and simulations turn delays off with ``-s`` options,
never with code branches. Robots.txt policy: obeyed by default (``ROBOTSTXT_OBEY``).
Government portals publish these reports *for* the public, but a site that disallows
crawling a path is asking us not to; an operator who has permission (or a legal
reason) may run with ``-s ROBOTSTXT_OBEY=False`` and should say so in their notes.
"""

from __future__ import annotations

import os

BOT_NAME = "gxcrawler"
PROJECT_URL = os.environ.get("GXCRAWLER_PROJECT_URL", "https://github.com/gxcrawler/gxcrawler")

SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
# `scrapy crawl` validates arguments and the database first and exits with the run's verdict;
# `scrapy fetch/shell/view` record no crawl run (gxcrawler/scrapy_commands/: GX_RECORD_RUNS,
# on unless a command turns it off — not set here, where it would override the command's default)
COMMANDS_MODULE = "gxcrawler.scrapy_commands"

# An honest User-Agent: who we are and where to read about it.
USER_AGENT = f"gxcrawler/0.1 (+{PROJECT_URL}; open-government research)"
ROBOTSTXT_OBEY = True
# each host's robots.txt cached GX_ROBOTSTXT_CACHE_HOURS (RFC 9309's most: 24 h), across nights and,
# in distributed mode, across workers (in Redis); 0: asked every crawl (gxcrawler/crawl/robots.py)
GX_ROBOTSTXT_CACHE_HOURS = 24

# Politeness: at most 2 parallel requests per host, adaptive delays.
CONCURRENT_REQUESTS = 16
# Items in the pipelines at once per response (Scrapy's default 100 starts 100 asyncio tasks
# for every response, on the reactor thread; a page here yields a handful of items at most)
CONCURRENT_ITEMS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 %
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60

# Retries: transient errors and throttling answers, each one waiting longer than the
# last (BackoffRetryMiddleware below; AutoThrottle also slows a host that errs).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# Reports are at most a few MB; anything far larger is not a report.
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024
DOWNLOAD_WARNSIZE = 10 * 1024 * 1024

# Transport: the normal HTTP handler, or the portal simulation when
# GXCRAWLER_SIMULATION_URL is set (see gxcrawler/crawl/transport.py).
DOWNLOAD_HANDLERS = {
    "http": "gxcrawler.crawl.transport.SimulationAwareDownloadHandler",
    "https": "gxcrawler.crawl.transport.SimulationAwareDownloadHandler",
}
GXCRAWLER_SIMULATION_URL = os.environ.get("GXCRAWLER_SIMULATION_URL", "")

# Database the LoadPipeline writes to (default: gxcrawler.db.database_url()).
GXCRAWLER_DATABASE_URL = os.environ.get("GXCRAWLER_DATABASE_URL", "")
# Reports per loaded batch, and the longest a partial batch waits (s) before it is written
# (pipelines/load.py; docs/notes/performance.md: the sums are updated once per batch).
GXCRAWLER_LOAD_BATCH = 100
GXCRAWLER_LOAD_WAIT = 10.0

# Parsing runs in worker processes (gxcrawler/parsing/pool.py, docs/notes/parsing-pool.md):
# workers (empty: one per CPU; 0: in a thread of the crawl process, for debugging), the hard
# time (s) and memory (MiB) cap of one document, documents per worker before it is replaced,
# and the task function ("module:function"; empty: the parser).
GXCRAWLER_PARSE_WORKERS = os.environ.get("GXCRAWLER_PARSE_WORKERS", "")
GXCRAWLER_PARSE_TIMEOUT = os.environ.get("GXCRAWLER_PARSE_TIMEOUT", "")
GXCRAWLER_PARSE_MEMORY_MB = os.environ.get("GXCRAWLER_PARSE_MEMORY_MB", "")
GXCRAWLER_PARSE_MAX_TASKS = os.environ.get("GXCRAWLER_PARSE_MAX_TASKS", "")
GXCRAWLER_PARSE_TASK = os.environ.get("GXCRAWLER_PARSE_TASK", "")
# added to the parse workers' nice value (empty: 0): the reactor runs first when CPUs are short
GXCRAWLER_PARSE_NICE = os.environ.get("GXCRAWLER_PARSE_NICE", "")
# Reports printed as pictures (scanned PDFs, image files) are read by OCR in the parse
# workers (gxcrawler/formats/ocr.py, docs/notes/ocr.md); 0 turns it off (-s GXCRAWLER_OCR=0):
# such reports then load as no_tables, as before.
GXCRAWLER_OCR = os.environ.get("GXCRAWLER_OCR", "1")

ITEM_PIPELINES = {
    "pipelines.parse.ParsePipeline": 300,
    "pipelines.load.LoadPipeline": 800,
}

# Conditional re-fetches (ETag/Last-Modified) are handled by the nightly middlewares;
# plain HTTP caching stays off so every run sees the portal as it is.
HTTPCACHE_ENABLED = False

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
# `scrapy crawl NAME -O reports.jsonl|.json|.csv`: one record per report, never raw bytes
FEED_EXPORTERS = {
    "jsonlines": "gxcrawler.crawl.feeds.JsonLinesReportExporter",
    "jsonl": "gxcrawler.crawl.feeds.JsonLinesReportExporter",
    "json": "gxcrawler.crawl.feeds.JsonReportExporter",
    "csv": "gxcrawler.crawl.feeds.CsvReportExporter",
}

# Retries wait 2 s, 4 s, 8 s … (capped) before going out again.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "gxcrawler.crawl.robots.CachedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "gxcrawler.crawl.retry.BackoffRetryMiddleware": 550,
    # the public-suffix test of cookies' domains from tldextract's bundled list (no download)
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "gxcrawler.crawl.cookies.OfflineSuffixCookiesMiddleware": 700,
}
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0

# Nightly crawls (docs/notes/nightly.md): anti-bot pages dropped and backed off from,
# conditional/skipped re-fetches of known reports, a crawl_runs record judged by the
# monitors (thresholds: GX_MONITOR_* in gxcrawler/crawl/monitors.py, overridable here).
DOWNLOADER_MIDDLEWARES.update({
    "gxcrawler.crawl.antibot.ChallengeRedirectMiddleware": 610,
    "gxcrawler.crawl.antibot.AntiBotMiddleware": 585,
    "gxcrawler.crawl.incremental.IncrementalMiddleware": 570,
})
SPIDER_MIDDLEWARES = {
    "gxcrawler.crawl.incremental.FetchChainMiddleware": 800,
    # a request a callback yields carries no redirect record of the page it was found on (aliases)
    "gxcrawler.crawl.incremental.FreshRequestMiddleware": 850,
}
EXTENSIONS = {"gxcrawler.crawl.runner.NightlyExtension": 500}
GX_CRAWLS_DIR = os.environ.get("GXCRAWLER_CRAWLS_DIR", "crawls")  # crawl-all's JOBDIRs

# Reliability (issue 9, docs/reliability.md): every failure recorded with its reason,
# error pages refused, list pages decoded like documents, requests only to the
# spider's hosts over public addresses, bounded lists, a time budget per portal.
DOWNLOADER_MIDDLEWARES.update({
    "gxcrawler.crawl.ledger.FailureLedgerMiddleware": 30,
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,  # the guard below is stricter
    "gxcrawler.crawl.guards.RequestGuardMiddleware": 45,
    "gxcrawler.crawl.bounds.EndedListMiddleware": 46,
    "gxcrawler.crawl.responses.ResponseCheckMiddleware": 584,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "gxcrawler.crawl.guards.CappedDecompressionMiddleware": 590,
})
SPIDER_MIDDLEWARES["gxcrawler.crawl.bounds.ListBoundsMiddleware"] = 820
# a callback that raises is a failure of its page (ledger), not a page read with nothing on it
SPIDER_MIDDLEWARES["gxcrawler.crawl.ledger.CallbackFailureMiddleware"] = 55
# an unchanged list page's sub-lists are not requested (gxcrawler/crawl/lists.py, issue 16)
SPIDER_MIDDLEWARES["gxcrawler.crawl.lists.UnchangedListMiddleware"] = 810
TWISTED_DNS_RESOLVER = "gxcrawler.crawl.guards.GuardedResolver"  # no private addresses, even by name
GX_ALLOW_PRIVATE_ADDRESSES = False
GX_MAX_PAGES_PER_LIST = 200
GX_MAX_LIST_DEPTH = 6
CLOSESPIDER_TIMEOUT = 6 * 3600  # the nightly time budget per portal (seconds); resumed by the next run
RETRY_AFTER_MAX = 120  # a Retry-After is honoured up to this many seconds
# The cost of a night (issue 16, gxcrawler/crawl/lists.py): known documents are re-checked on a
# rolling schedule (1/N of them a night, each within N nights); a list page linking the same pages
# as last time leads to no further list requests; its sub-lists are read within N nights.
GX_REVALIDATE_EVERY = 28  # documents with validators: a conditional request every N nights
GX_REFETCH_EVERY = 7  # documents without validators: re-downloaded and compared by hash every N nights (issue 9: within 7)
GX_LIST_REVISIT_EVERY = 7  # a list page whose parent is unchanged is read at least every N nights
GX_GONE_RETRY_EVERY = 7  # a document gone (404/410) at its last fetch is asked again every N nights, not every night
GX_LOAD_RETRY_SECONDS = 120  # database unreachable: retry a batch this long, then spool it to disk
GX_DB_RETRIES = 5  # a deadlock, lock timeout or dropped connection: tried again this often at once (gxcrawler/db/retry.py)
GX_HEARTBEAT_SECONDS = 60  # a running crawl stamps its run; a silent open run was killed

# Distributed crawls (issue 16, docs/notes/distributed.md): several workers share one crawl
# through Redis (scrapy-redis) when GXCRAWLER_REDIS_URL is set; off by default.
ADDONS = {"gxcrawler.crawl.distributed.Distributed": 0}
GXCRAWLER_REDIS_URL = os.environ.get("GXCRAWLER_REDIS_URL", "")
GX_REDIS_PREFIX = os.environ.get("GXCRAWLER_REDIS_PREFIX", "gx")  # keys: <prefix>:<crawl id>:<spider>:…
GX_LEASE_SECONDS = 30  # a worker silent this long is dead: its in-flight requests go back to the queue
GX_WORKER_SPIDERS = 4  # portals one worker crawls at a time (crawl-all)
