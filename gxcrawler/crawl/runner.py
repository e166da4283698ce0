"""Unattended crawls: the run record of every spider run, resumable job dirs, and crawl-all.

``NightlyExtension`` (enabled in ``gxcrawler.settings`` for every crawl, ``scrapy
crawl`` included) opens a ``crawl_runs`` row when a spider opens, feeds the
incremental store, and at the end judges the run with the monitors, marks reports no
longer listed (complete successful runs only) and closes the row with counts and
outcome (``success`` | ``failed`` | ``partial`` for an interrupted run).

Resuming: with ``JOBDIR`` set (crawl-all sets ``crawls/<spider>…``), a graceful stop
(SIGTERM, Ctrl-C) keeps Scrapy's queue there and the next start continues it. A
marker file tells a killed run (SIGKILL, power loss) from a paused one: its job dir
cannot be trusted (requests marked seen but never queued), so it is discarded and
the crawl starts over, which the idempotent loader and the incremental store make
cheap and exact. A job dir is removed once its crawl finishes.

``crawl_all`` runs several spiders in one process and prints progress and a summary.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.job import job_dir

from gxcrawler.errors import UserError

from . import distributed, monitors
from .antibot import STATS_PAGES
from .bounds import STATS_CAPPED
from .incremental import IncrementalState, on_item_scraped
from .ledger import STATS as FAILED
from .ledger import STATS_URLS as FAILED_URLS
from .ledger import Ledger
from .spool import Spool, replay_rows, spool_dir
from .writer import SerialWriter

logger = logging.getLogger(__name__)

RUNNING_MARKER = "gx.running"  # present while a crawl using the job dir is alive
ORIGIN_FILE = "gx.origin"  # when the (possibly resumed) crawl first started
EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 3
#: stats: documents the parse pool could not parse, counted by kind and listed as {"url", "reason"}
PARSE_FAILED_PREFIX = "gx/parse_failed/"
PARSE_FAILURES = "gx/parse_failures"


def _count(stats: dict[str, Any], key: str) -> int:
    return int(stats.get(key) or 0)


def errors_by_kind(stats: dict[str, Any]) -> dict[str, Any]:
    """What went wrong, by kind: HTTP statuses >= 400, download exceptions, anti-bot pages, parse
    failures, and every URL the run could not get with its reason (``failed``: the first
    GX_FAILED_MAX_RECORDED)."""
    out: dict[str, Any] = {}
    for key, value in stats.items():
        if key.startswith("downloader/response_status_count/") and int(key.rsplit("/", 1)[1]) >= 400:
            out[f"http_{key.rsplit('/', 1)[1]}"] = int(value)
        elif key.startswith("downloader/exception_type_count/") and not key.endswith("IgnoreRequest"):
            out[f"exception_{key.rsplit('.', 1)[-1]}"] = int(value)
        elif key.startswith("gx/antibot/") and key.rsplit("/", 1)[1] in (
            "js_challenge", "cookie_challenge", "cloudflare", "waf_block"
        ):
            out[f"antibot_{key.rsplit('/', 1)[1]}"] = int(value)
        elif key.startswith(PARSE_FAILED_PREFIX):  # parse_timeout, worker_died, memory_limit …
            out[key[len(PARSE_FAILED_PREFIX) :]] = int(value)
        elif key.startswith(f"{FAILED}/") and key.count("/") == 2 and key not in (FAILED_URLS, f"{FAILED}/total"):
            out[f"failed_{key.rsplit('/', 1)[1]}"] = int(value)
    if _count(stats, "gx/parse/error"):
        out["parse_error"] = _count(stats, "gx/parse/error")
    if stats.get(STATS_PAGES):
        out["antibot_pages"] = list(stats[STATS_PAGES])
    if stats.get(PARSE_FAILURES):
        out["parse_failures"] = list(stats[PARSE_FAILURES])
    if stats.get(FAILED_URLS):
        out["failed"] = list(stats[FAILED_URLS])
    if stats.get(STATS_CAPPED):
        out["lists_capped"] = list(stats[STATS_CAPPED])
    return out


def run_counts(stats: dict[str, Any]) -> dict[str, int]:
    """The counter columns of ``crawl_runs`` from a spider's stats."""
    return {
        "reports_found": monitors.reports_found(stats),
        "reports_new": _count(stats, "gx/reports/inserted"),
        "reports_changed": _count(stats, "gx/reports/updated"),
        "reports_unchanged": _count(stats, "gx/reports/unchanged") + _count(stats, "gx/incremental/reports_unchanged"),
        "reports_skipped": _count(stats, "gx/reports/skipped"),
        "reports_failed": sum(_count(stats, f"gx/reports/{k}") for k in ("failed", "refused", "spooled", "dropped")),
    }


@dataclass
class RunSummary:
    spider: str
    run_id: int | None = None
    outcome: str = "running"
    reason: str | None = None
    requests: int = 0
    bytes: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    close_reason: str | None = None


def spider_args(spider) -> dict[str, Any]:
    """The arguments a run was started with, as far as the spider keeps them."""
    args: dict[str, Any] = {}
    years = getattr(spider, "years", None)
    if years:
        ys = sorted(years)
        args["year"] = str(ys[0]) if len(ys) == 1 else f"{ys[0]}-{ys[-1]}"
    for name, value in vars(spider).items():
        if name.startswith("_") or name in ("name", "crawler", "settings", "years"):
            continue
        if isinstance(value, str | int | float | bool) and value not in ("", None):
            args[name] = value
    return args


class NightlyExtension:
    """Run record, incremental store lifecycle, monitors and job-dir hygiene for one crawl.

    Every database call runs on the crawl's writer thread (``gxcrawler.crawl.writer``);
    the reactor only waits for their Deferreds at the start and the end of the run.
    """

    def __init__(self, crawler) -> None:
        from gxcrawler.db import borrow_engine, ensure_schema, return_engine
        from gxcrawler.redact import install_log_redaction

        install_log_redaction()
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.limits = monitors.thresholds(settings)
        self.jobdir = Path(job_dir(settings)) if job_dir(settings) else None
        self.killed_before = self.jobdir is not None and discard_if_killed(self.jobdir)
        self.heartbeat_seconds = settings.getfloat("GX_HEARTBEAT_SECONDS", 60.0)
        # a run whose heartbeat stopped this long ago was killed (another crawl would stamp it)
        self.silent_after = timedelta(seconds=max(3 * self.heartbeat_seconds, 60.0))
        self.budget = settings.getfloat("CLOSESPIDER_TIMEOUT", 0)
        self.spool_base = spool_dir(settings)
        self.engine = borrow_engine(settings.get("GXCRAWLER_DATABASE_URL") or None)  # the process's pool
        try:
            ensure_schema(self.engine)  # before the pipelines' threads touch the schema
        except BaseException:
            return_engine(self.engine)
            raise
        self.state = IncrementalState.of(crawler)
        self.writer = SerialWriter.of(crawler)
        self.distributed = distributed.enabled(settings)
        self.summary: RunSummary | None = None
        self.origin: datetime | None = None
        self.resumed = False
        self._heartbeat = None
        self._t0 = 0.0
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("GX_RECORD_RUNS", True):  # scrapy fetch / shell / view
            raise NotConfigured("GX_RECORD_RUNS is off")
        return cls(crawler)

    # ------------------------------------------------------------ start
    async def spider_opened(self, spider) -> None:
        self._t0 = time.monotonic()
        now = datetime.now(UTC)
        self.origin = now
        args = spider_args(spider)
        if self.jobdir is not None:
            self.jobdir.mkdir(parents=True, exist_ok=True)
            origin_file = self.jobdir / ORIGIN_FILE
            if origin_file.exists():
                self.origin = datetime.fromisoformat(origin_file.read_text().strip())
                args["resumed_from"] = self.origin.isoformat()
                self.resumed = True
            else:
                origin_file.write_text(now.isoformat())
            (self.jobdir / RUNNING_MARKER).write_text(str(now))
        run_id, known, lists, aliases = await maybe_deferred_to_future(
            self.writer.submit(self._open_run, spider.name, args, now)
        )
        self.summary = RunSummary(spider=spider.name, run_id=run_id)
        self.crawler.gx_summary = self.summary
        self.state.open(self.engine, spider, run_id, known, lists, aliases)
        if self.heartbeat_seconds > 0:
            from twisted.internet import task

            self._heartbeat = task.LoopingCall(self._beat)
            self._heartbeat.start(self.heartbeat_seconds, now=False)

    def _open_run(self, spider: str, args: dict[str, Any], now: datetime):
        """On the writer thread: earlier spooled writes, killed runs closed, this run opened, the store read."""
        from gxcrawler.db.runs import start_run_once

        from . import store

        call = self.writer.call  # each write tried again on a transient failure (deadlock, dropped connection)
        call(replay_rows, Spool(self.spool_base, spider), self.engine)  # a retry re-applies one file: upserts
        # a run left open by a killed process: at once when its job dir says so, else once its heartbeat is old
        closed = call(store.close_abandoned_runs, self.engine, spider,
                      now if self.killed_before else now - self.silent_after)
        if closed:
            logger.warning("closed %d run(s) of %s left open by a killed crawl", closed, spider)
        if self.distributed:  # one run per portal per night, shared by the workers
            run_id = self._join_shared_run(spider, args, now)
        else:
            run_id = call(start_run_once, self.engine, spider, args, now)  # not opened twice by a retry
        known = store.known_fetches(self.engine, spider) if self.state.enabled else {}
        lists = store.known_lists(self.engine, spider) if self.state.enabled else {}
        aliases = store.known_aliases(self.engine, spider) if self.state.enabled else {}
        return run_id, known, lists, aliases

    def _join_shared_run(self, spider: str, args: dict[str, Any], now: datetime) -> int:
        """On the writer thread: the spider's shared run (opened here if this worker is the first)."""
        from gxcrawler.db.runs import start_run

        leases = distributed.Leases.of(self.crawler)
        run_id, origin, created = distributed.shared_run(
            self.crawler, lambda: (start_run(self.engine, spider, {**args, "distributed": True}, started_at=now),
                                   now.isoformat()))
        self.origin = datetime.fromisoformat(origin)
        seed = getattr(self.crawler, "gx_seed", None)
        if seed is None:  # taking over, or a plain `scrapy crawl`: seed if nothing of the crawl is left
            leases.reclaim_dead()
            seed = created or not leases.work_left()
        leases.seed = seed
        logger.info("%s: %s shared run %s%s", spider, "opened" if created else "joined", run_id,
                    " (seeding its start requests)" if seed else "")
        return run_id

    def _beat(self):
        from . import store

        if self.summary is None or self.summary.run_id is None:
            return None
        d = self.writer.write(store.heartbeat, self.engine, self.summary.run_id)
        d.addErrback(lambda f: logger.warning("heartbeat not written: %s", f.getErrorMessage()))
        return d

    # ------------------------------------------------------------ during
    def item_scraped(self, item, response, spider=None) -> None:
        on_item_scraped(self.state, item, response)
        result = getattr(item, "parse_result", None)
        if result is not None and result.checks:
            self.stats.inc_value("gx/checks/reports")
            if result.failed_checks:
                self.stats.inc_value("gx/checks/reports_failing")

    def item_dropped(self, item, response, exception, spider=None) -> None:
        """A document the parser could not handle at all is a failure of its URL (not a year filter)."""
        if getattr(item, "parse_result", "absent") is None and response is not None:
            self.stats.inc_value("gx/reports/dropped")
            Ledger.of(self.crawler).record(response.request or response, f"unreadable: {exception}")

    # ------------------------------------------------------------ end
    async def spider_closed(self, spider, reason: str) -> None:
        from gxcrawler.db.runs import finish_run

        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        self.state.stop_timer()
        stats = dict(self.stats.get_stats())
        unwritten = await maybe_deferred_to_future(self.state.drain())
        complete = reason == "finished"
        if self.distributed:
            shared = await maybe_deferred_to_future(self.writer.submit(self._leave_shared_run, unwritten))
            if shared is None:  # other workers are still in this crawl: the last one closes the run
                self._close_own(spider.name, stats, reason)
                return
            stats = shared
        prior = 0
        if self.resumed and complete:
            prior = await maybe_deferred_to_future(self._quietly(self._prior_found, spider.name))
            stats["gx/resume/prior_reports_found"] = prior or 0
        verdict = judge(stats, self.limits, reason, unwritten=unwritten, budget=self.budget)
        unlist = (complete and verdict.outcome == "success" and not getattr(spider, "agency_filter", None)
                  and lists_complete(stats))
        if unlist and not unwritten:
            d = self.writer.write(store_mark_unlisted, self.engine, spider.name, self.origin,
                                  getattr(spider, "years", None))
            await maybe_deferred_to_future(self._quietly_d(d))
        counts = run_counts(stats)
        summary = self.summary or RunSummary(spider=spider.name)
        summary.outcome, summary.reason, summary.close_reason = verdict.outcome, verdict.reason, reason
        summary.requests = _count(stats, "downloader/request_count")
        summary.bytes = _count(stats, "downloader/response_bytes")
        summary.seconds = time.monotonic() - self._t0
        summary.counts = counts
        if summary.run_id is not None:
            values = {"outcome": verdict.outcome, "reason": verdict.reason, "requests": summary.requests,
                      "bytes": summary.bytes, "errors": errors_by_kind(stats), **counts}
            d = self.writer.write(finish_run, self.engine, summary.run_id, **values)
            if not await maybe_deferred_to_future(self._quietly_d(d, default=False, ok=True)):
                self._spool_run(spider.name, summary.run_id, values)
        self.stats.set_value("gx/run/outcome", verdict.outcome)
        # the one end-of-crawl summary, made of exactly what the crawl_runs row holds
        logger.log(logging.ERROR if verdict.outcome == "failed" else logging.INFO, "%s",
                   run_line(spider.name, summary))
        if self.jobdir is not None:
            (self.jobdir / RUNNING_MARKER).unlink(missing_ok=True)
        if self.distributed and complete:
            await maybe_deferred_to_future(self._quietly(lambda: self.crawler._gx_distributed.forget()))

    def _leave_shared_run(self, unwritten: int) -> dict[str, Any] | None:
        """On the writer thread: push this worker's stats and leave; the summed stats if it was the last."""
        ext = self.crawler._gx_distributed
        ext.stop()
        if unwritten:
            self.stats.inc_value("gx/distributed/unwritten", unwritten)
        ext.push_stats(final=True)
        if not ext.leases.leave():
            return None
        shared = ext.shared_stats()
        logger.info("%s: last worker out; closing the shared run with every worker's totals", ext.leases.spider)
        return shared

    def _close_own(self, spider: str, stats: dict[str, Any], reason: str) -> None:
        """This worker's part of a shared run is over (the run itself stays open for the others)."""
        summary = self.summary or RunSummary(spider=spider)
        summary.outcome, summary.close_reason = ("success" if reason == "finished" else "partial"), reason
        summary.reason = "closed by the last worker of the shared run"
        summary.requests = _count(stats, "downloader/request_count")
        summary.bytes = _count(stats, "downloader/response_bytes")
        summary.seconds = time.monotonic() - self._t0
        summary.counts = run_counts(stats)

    def _prior_found(self, spider: str) -> int:
        from . import store

        return store.prior_reports_found(self.engine, spider, self.origin, self.summary and self.summary.run_id)

    def _quietly(self, work, *args):
        return self._quietly_d(self.writer.submit(work, *args))

    @staticmethod
    def _quietly_d(d, default=None, ok=None):
        """``d``'s result (or ``ok`` when given), or ``default`` when the database call failed (logged)."""
        if ok is not None:
            d.addCallback(lambda _: ok)

        def failed(failure):
            logger.error("database write failed: %s", failure.getErrorMessage())
            return default

        return d.addErrback(failed)

    def _spool_run(self, spider: str, run_id: int, values: dict[str, Any]) -> None:
        """The database is gone at the end: the run record and the unwritten fetch rows wait on disk."""
        spool = Spool(self.spool_base, spider)
        for what, rows in self.state.unwritten().items():
            if rows:
                spool.put_rows(what, {"run_id": run_id, "rows": rows})
        spool.put_rows("run", {"run_id": run_id, "values": {**values, "finished_at": datetime.now(UTC).isoformat()}})
        logger.error("database unreachable at the end: run %s of %s spooled to %s", run_id, spider, spool.root)

    def engine_stopped(self) -> None:
        # after the scheduler and SpiderState wrote into the job dir: a finished crawl's
        # job dir would make the next crawl skip everything as already seen
        if self.jobdir is not None and self.summary and self.summary.close_reason == "finished":
            shutil.rmtree(self.jobdir, ignore_errors=True)
        from gxcrawler.db import return_engine

        self.writer.stop()
        return_engine(self.engine)


def run_line(spider: str, s: RunSummary) -> str:
    """The end-of-crawl summary line: the ``crawl_runs`` row's numbers, in its column names."""
    c = s.counts
    line = (f"run {s.run_id if s.run_id is not None else '(not recorded)'} of {spider}: {s.outcome}; "
            f"requests {s.requests}, bytes {s.bytes}, reports_found {c.get('reports_found', 0)}, "
            f"reports_new {c.get('reports_new', 0)}, reports_changed {c.get('reports_changed', 0)}, "
            f"reports_unchanged {c.get('reports_unchanged', 0)}, reports_skipped {c.get('reports_skipped', 0)}, "
            f"reports_failed {c.get('reports_failed', 0)}")
    return line + (f"; reason: {s.reason}" if s.reason else "")


def store_mark_unlisted(engine, spider: str, since: datetime | None, years) -> dict[str, int]:
    from . import store

    if since is not None and (failed := store.lists_failed_since(engine, spider, since)):
        # a list read by an interrupted run of this crawl failed: its reports were not seen
        logger.info("incremental: %d list page(s) failed since %s: nothing marked unlisted", failed, since)
        return {}
    result = store.mark_unlisted(engine, spider, since, years) if since is not None else {}
    logger.info("incremental: %s", result)
    return result


def lists_complete(stats: dict[str, Any]) -> bool:
    """Whether every list page was read: no list failed after its retries and none was capped."""
    failed_lists = sum(_count(stats, f"gx/failed/kind/{kind}") for kind in ("list", "json", "script"))
    return not failed_lists and not stats.get("gx/bounds/lists_capped")


@dataclass
class Verdict:
    outcome: str  # success | partial | failed
    reason: str | None


def judge(stats: dict[str, Any], limits: dict[str, Any], close_reason: str, *, unwritten: int = 0,
          budget: float = 0) -> Verdict:
    """The run's outcome and why, from its stats and how it closed."""
    complete = close_reason == "finished"
    failed = monitors.failures(monitors.evaluate(stats, limits))
    if not complete:  # an interrupted run is judged when it is resumed; anti-bot pages count now
        failed = [r for r in failed if r.name == "antibot_pages"]
    reasons = [r.reason for r in failed]
    spooled = _count(stats, "gx/load/spool_pending")
    if spooled:
        reasons.append(f"database unavailable: {spooled} reports spooled to {stats.get('gx/load/spool_dir')} "
                       "(loaded by the next start)")
    if unwritten:
        reasons.append(f"database unavailable: {unwritten} fetch records not written (spooled)")
    if reasons:
        return Verdict("failed", "; ".join(reasons))
    if complete:
        return Verdict("success", None)
    if close_reason == "closespider_timeout":
        return Verdict("partial", f"time budget used up ({budget:g} s, CLOSESPIDER_TIMEOUT); "
                                  "the next run resumes where this one stopped")
    return Verdict("partial", f"interrupted ({close_reason})")


def discard_if_killed(jobdir: Path) -> bool:
    """Remove a job dir left by a crawl that died without closing; True if it did."""
    if (jobdir / RUNNING_MARKER).exists():
        logger.warning("job dir %s belongs to a crawl that was killed; starting that crawl over", jobdir)
        shutil.rmtree(jobdir, ignore_errors=True)
        return True
    return False


# ---------------------------------------------------------------- crawl-all


def jobdir_for(base: str | Path, spider: str, year: str | None, agency: str | None) -> Path:
    """One job dir per spider and arguments, so a resumed crawl continues the same crawl."""
    name = spider
    if year:
        name += f"-{year}"
    if agency:
        name += "-" + hashlib.sha1(agency.encode()).hexdigest()[:8]
    return Path(base) / name


def default_spiders(settings) -> list[str]:
    from scrapy.spiderloader import SpiderLoader

    excluded = set(settings.getlist("GX_NIGHTLY_EXCLUDE", ["portal"]))
    return [n for n in sorted(SpiderLoader.from_settings(settings).list()) if n not in excluded]


def crawl_all(
    spiders: list[str] | None = None,
    *,
    year: str | None = None,
    agency: str | None = None,
    refresh: bool = False,
    settings: dict[str, Any] | None = None,
    progress_every: float = 30.0,
    out: TextIO = sys.stdout,
) -> int:
    """Run the spiders in one process (concurrently: they crawl different hosts); return the exit code."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    project = get_project_settings()
    for key, value in (settings or {}).items():
        project.set(key, value, priority="cmdline")
    names = spiders or default_spiders(project)
    if not names:  # no scrapy.cfg here: nothing would be crawled, and exit 0 would say all went well
        print("crawl-all: no spiders found: run it from the gxcrawler directory (the one with scrapy.cfg), "
              "or set SCRAPY_SETTINGS_MODULE=gxcrawler.settings", file=sys.stderr)
        return 2
    known = set(default_spiders(project)) | set(project.getlist("GX_NIGHTLY_EXCLUDE", ["portal"]))
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"crawl-all: unknown spider(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    kwargs: dict[str, Any] = {}
    if year:
        kwargs["year"] = year
    if agency:
        kwargs["agency"] = agency
    if refresh:
        kwargs["refresh"] = "1"
    try:  # before any request: the arguments for every spider, then the database
        from scrapy.spiderloader import SpiderLoader

        from gxcrawler.crawl.arguments import validate
        from gxcrawler.scrapy_commands.crawl import check_database

        loader = SpiderLoader.from_settings(project)
        for name in names:
            validate(loader.load(name), kwargs)
        check_database(project)
    except UserError as exc:
        print(f"crawl-all: {exc}", file=sys.stderr)
        return exc.exit_code
    if distributed.enabled(project):
        return _crawl_all_distributed(project, names, kwargs, progress_every, out)
    crawls_dir = project.get("GX_CRAWLS_DIR") or "crawls"
    process = CrawlerProcess(project)
    crawlers = []
    for name in names:
        crawler = process.create_crawler(name)
        if not crawler.settings.get("JOBDIR"):
            crawler.settings.set("JOBDIR", str(jobdir_for(crawls_dir, name, year, agency)), priority="cmdline")
        crawlers.append(crawler)
        process.crawl(crawler, **kwargs)
    return _run_and_summarise(process, crawlers, progress_every, out)


def _crawl_all_distributed(project, names: list[str], kwargs: dict[str, Any], progress_every: float,
                           out: TextIO) -> int:
    """One worker of a shared crawl: claim portals one by one (``GX_WORKER_SPIDERS`` at a time), take over
    those of workers that died, and return once every portal of the night is done."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.reactor import install_reactor

    process = CrawlerProcess(project)
    install_reactor(project["TWISTED_REACTOR"], project["ASYNCIO_EVENT_LOOP"])  # before Redis' alive beat
    from twisted.internet import reactor

    coord = distributed.Coordination.of(project)
    night = distributed.Night(coord, names)
    slots = max(project.getint("GX_WORKER_SPIDERS", 4), 1)
    poll = project.getfloat("GX_WORKER_POLL_SECONDS", 2.0)
    crawlers: list = []
    running = {"slots": slots}
    print(f"worker {coord.worker} in crawl {coord.crawl}: {len(names)} portals, {slots} at a time", file=out)

    def next_crawl(_=None) -> None:
        name, seed = (None, False) if running.get("stop") else night.next()
        if name is None:
            if seed:  # live workers still crawl portals that may yet need taking over
                reactor.callLater(poll, next_crawl)
                return
            running["slots"] -= 1
            if not running["slots"] and reactor.running:
                reactor.stop()
            return
        crawler = process.create_crawler(name)
        crawler.gx_seed = seed
        crawlers.append(crawler)
        d = process.crawl(crawler, **kwargs)

        def finished(result):
            if hasattr(result, "getTraceback"):
                logger.error("crawl of %s failed: %s", name, result.getTraceback())
            summary = getattr(crawler, "gx_summary", None)
            if summary is not None and summary.close_reason in ("shutdown", "cancelled"):
                running["stop"] = True  # SIGTERM, Ctrl-C: claim nothing more; the queue waits in Redis
            else:  # finished, out of time, or did not start: done for tonight (its run says which)
                night.mark_done(name)
            return result

        d.addBoth(finished)
        d.addBoth(lambda _: reactor.callLater(0, next_crawl))

    for _ in range(slots):
        reactor.callWhenRunning(next_crawl)
    return _run_and_summarise(process, crawlers, progress_every, out, stop_after_crawl=False)



def _run_and_summarise(process, crawlers: list, progress_every: float, out, **start) -> int:
    """Run the reactor with progress lines, print the summary table, return crawl-all's exit code."""
    progress = _start_progress(crawlers, progress_every, out)
    started = time.monotonic()
    process.start(**start)
    if progress is not None and progress.running:
        progress.stop()
    summaries = [getattr(c, "gx_summary", None) or RunSummary(spider=c.spidercls.name, outcome="failed",
                                                           reason="did not start") for c in crawlers]
    print(summary_table(summaries, time.monotonic() - started), file=out)
    code = exit_code(summaries)
    print(f"crawl-all exit code: {code}", file=out)
    out.flush()
    return code


def exit_code(summaries: list[RunSummary]) -> int:
    if any(s.outcome in ("failed", "running") for s in summaries):
        return EXIT_FAILED
    if any(s.outcome == "partial" for s in summaries):
        return EXIT_INTERRUPTED
    return EXIT_OK


def _start_progress(crawlers, every: float, out: TextIO):
    if every <= 0:
        return None
    from twisted.internet import task

    def report() -> None:
        lines = []
        for c in crawlers:
            if c.stats is None or not getattr(c, "crawling", False):
                continue
            s = c.stats.get_stats()
            loaded = sum(_count(s, f"gx/reports/{k}") for k in ("inserted", "updated", "unchanged"))
            lines.append(
                f"  {c.spidercls.name:<12} pages {_count(s, 'downloader/response_count'):>6}  "
                f"reports found {monitors.reports_found(s):>5}  loaded {loaded:>5}  "
                f"unchanged (not fetched) {_count(s, 'gx/incremental/reports_unchanged'):>5}"
            )
        if lines:
            print(time.strftime("progress %H:%M:%S"), *lines, sep="\n", file=out)
            out.flush()

    loop = task.LoopingCall(report)
    loop.start(every, now=False)
    return loop


def summary_table(summaries: list[RunSummary], seconds: float) -> str:
    """A plain-text table of every spider's run."""
    head = ("spider", "outcome", "requests", "MB", "found", "new", "changed", "unchanged", "failed", "secs")
    rows = [
        (
            s.spider,
            s.outcome,
            str(s.requests),
            f"{s.bytes / 1e6:.1f}",
            str(s.counts.get("reports_found", 0)),
            str(s.counts.get("reports_new", 0)),
            str(s.counts.get("reports_changed", 0)),
            str(s.counts.get("reports_unchanged", 0)),
            str(s.counts.get("reports_failed", 0)),
            f"{s.seconds:.0f}",
        )
        for s in summaries
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" if i < 2 else f"{{:>{w}}}" for i, w in enumerate(widths))
    lines = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*r) for r in rows]
    lines += [f"{s.spider}: {s.reason}" for s in summaries if s.reason]
    lines.append(f"total {seconds:.0f} s")
    return "\n".join(lines)
