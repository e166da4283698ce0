"""The nightly schedule: ``gxcrawler crawl-all`` every day at a set time, a missed night caught up.

Why APScheduler rather than a sleep loop or cron in the container: its cron trigger does
the calendar arithmetic (time zones, DST), and its persistent job store remembers when the
next run was due, so a run missed while the machine or container was down is run once at
start-up (``coalesce``) when it is no older than the catch-up window (``misfire_grace_time``)
— cron would silently skip it. It runs as the image's normal user, passes the environment
through untouched, and logs to stdout as well as to one file per run.

The store is an SQLite file next to the crawl job dirs (``<GXCRAWLER_CRAWLS_DIR>/nightly-schedule.sqlite3``,
the ``crawls`` volume in docker-compose), so it survives container restarts.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .errors import UserError

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
JOB_ID = "nightly"
log = logging.getLogger("gxcrawler.nightly")


def parse_at(text: str) -> tuple[int, int]:
    """``"02:30"`` → (2, 30); anything but a real time of day (``29:59``, ``2:30am``) is refused."""
    m = _HHMM.match(text.strip())
    if not m:
        raise UserError(f"GXCRAWLER_NIGHTLY_AT must be HH:MM between 00:00 and 23:59, got {text!r}")
    return int(m.group(1)), int(m.group(2))


def _number(env: dict[str, str], name: str, default: float, *, whole: bool = False) -> float:
    """A number from the environment; a typo is one line (exit 2), not a traceback in a restart loop."""
    text = (env.get(name) or "").strip()
    if not text:
        return default
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        value = -1
    if not value >= 0:
        raise UserError(f"{name} must be a {'whole ' if whole else ''}number ≥ 0, got {text!r}")
    return value


@dataclass
class Plan:
    at: str = "02:30"
    timezone: str = "UTC"
    args: list[str] = field(default_factory=list)  # extra crawl-all arguments
    log_dir: Path = Path("/var/log/gxcrawler")
    keep_days: int = 60
    state: Path = Path("crawls/nightly-schedule.sqlite3")
    catch_up_hours: float = 20.0
    run_now: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Plan:
        env = dict(os.environ if env is None else env)
        crawls = Path(env.get("GXCRAWLER_CRAWLS_DIR") or "crawls")
        return cls(
            at=env.get("GXCRAWLER_NIGHTLY_AT") or "02:30",
            timezone=env.get("TZ") or "UTC",
            args=shlex.split(env.get("GXCRAWLER_NIGHTLY_ARGS") or ""),
            log_dir=Path(env.get("GXCRAWLER_LOG_DIR") or "/var/log/gxcrawler"),
            keep_days=int(_number(env, "GXCRAWLER_LOG_KEEP_DAYS", 60, whole=True)),
            state=crawls / "nightly-schedule.sqlite3",
            catch_up_hours=_number(env, "GXCRAWLER_NIGHTLY_CATCHUP_HOURS", 20),
            run_now=(env.get("GXCRAWLER_NIGHTLY_RUN_NOW") or "0") == "1",
        )


# ---------------------------------------------------------------- the job

_current: subprocess.Popen | None = None
_lock = threading.Lock()


def say(message: str) -> None:
    print(f"nightly: {message}", flush=True)


def run_crawl_all(args: list[str], log_dir: str, keep_days: int) -> int:
    """One night: ``gxcrawler crawl-all ARGS``, its output to stdout and to a log file of its own."""
    global _current
    directory = Path(log_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"nightly-{datetime.now():%Y%m%d-%H%M%S}.log"
    say(f"crawl-all starting, log {path}")
    with path.open("w", encoding="utf-8") as out:
        with _lock:
            _current = subprocess.Popen(["gxcrawler", "crawl-all", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, errors="replace")
            proc = _current
        for line in proc.stdout:
            out.write(line)
            out.flush()
            sys.stdout.write(line)
        code = proc.wait()
        with _lock:
            _current = None
    say(f"crawl-all finished with exit code {code} (non-zero: see docs/operations.md#troubleshooting-a-failed-run)")
    cutoff = time.time() - keep_days * 86400
    for old in directory.glob("nightly-*.log"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    return code


def stop_current() -> None:
    """Pass SIGTERM to a running crawl: Scrapy stops gracefully and keeps its job dir to resume."""
    with _lock:
        proc = _current
    if proc is not None and proc.poll() is None:
        proc.terminate()


# ---------------------------------------------------------------- the scheduler


def scheduler_for(plan: Plan):  # noqa: ANN201
    """A paused APScheduler with the persistent store and the nightly job (kept, so a missed run stays due)."""
    from apscheduler.jobstores.base import ConflictingIdError
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    hour, minute = parse_at(plan.at)
    plan.state.parent.mkdir(parents=True, exist_ok=True)
    grace = max(1, int(plan.catch_up_hours * 3600))
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{plan.state.resolve()}")},
        job_defaults={"coalesce": True, "max_instances": 1,
                      "misfire_grace_time": grace},
        timezone=plan.timezone,
    )
    trigger = CronTrigger(hour=hour, minute=minute, timezone=plan.timezone)
    kwargs = {"args": plan.args, "log_dir": str(plan.log_dir), "keep_days": plan.keep_days}
    scheduler.start(paused=True)  # loads the stored job without running anything
    try:
        scheduler.add_job(run_crawl_all, trigger, id=JOB_ID, kwargs=kwargs, name="gxcrawler crawl-all")
    except ConflictingIdError:  # kept from an earlier start: its due time stays, unless the time changed
        job = scheduler.get_job(JOB_ID)
        if str(job.trigger) != str(trigger):
            scheduler.reschedule_job(JOB_ID, trigger=trigger)
        # the stored job keeps the settings it was added with: apply tonight's arguments and window
        scheduler.modify_job(JOB_ID, kwargs=kwargs, misfire_grace_time=grace)
    return scheduler


def serve(plan: Plan) -> int:
    """Run the schedule until SIGTERM/SIGINT (docker stop); a crawl in progress is stopped gracefully."""
    parse_at(plan.at)
    logging.basicConfig(level=logging.INFO, format="nightly: %(message)s", stream=sys.stdout)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a run missed beyond the window is a warning
    stopping = threading.Event()

    def stop(signum, frame) -> None:  # noqa: ANN001
        if not stopping.is_set():
            say("stopping")
        stopping.set()
        stop_current()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler = scheduler_for(plan)  # paused: nothing runs before the messages below
    job = scheduler.get_job(JOB_ID)
    missed = job._get_run_times(datetime.now(job.next_run_time.tzinfo)) if job.next_run_time else []
    if missed:  # the nights that passed while nothing ran; with coalesce, the latest runs once
        due = missed[-1]
        late = (datetime.now(due.tzinfo) - due).total_seconds() / 3600
        if late <= plan.catch_up_hours:
            say(f"the run due at {due:%Y-%m-%d %H:%M %Z} was missed (machine down?): catching up now")
        else:
            say(f"the run due at {due:%Y-%m-%d %H:%M %Z} was missed by {late:.0f} h, more than the "
                f"catch-up window ({plan.catch_up_hours:g} h): skipped")
    say(f"crawl-all every day at {plan.at} ({plan.timezone}); state {plan.state}")
    if plan.run_now and not stopping.is_set():
        run_crawl_all(**job.kwargs)

    def show_next(event=None) -> None:  # noqa: ANN001
        # from the trigger, not the stored job: right after resume() a missed run's stale due time
        # may still be stored while the scheduler thread skips or runs it
        if (nxt := scheduler.get_job(JOB_ID)) is not None:
            when = nxt.trigger.get_next_fire_time(None, datetime.now(nxt.trigger.timezone))
            if when is not None:
                say(f"next crawl at {when:%Y-%m-%d %H:%M %Z}")

    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED

    scheduler.add_listener(show_next, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    if not stopping.is_set():
        scheduler.resume()
        show_next()
    while not stopping.wait(0.5):
        pass
    stop_current()
    scheduler.shutdown(wait=True)  # a crawl in progress ends (gracefully) before we do
    return 0
