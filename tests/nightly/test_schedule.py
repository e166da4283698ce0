"""The scheduler (``gxcrawler nightly``, APScheduler with a persistent store) with a stand-in crawl-all,
and its compose service."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

FAKE_CRAWL_ALL = """#!/bin/sh
# stands in for `gxcrawler`: records its arguments, then either fails or waits for SIGTERM
echo "$@" >> "$FAKE_DIR/calls"
echo "crawl-all output"
if [ "$FAKE_MODE" = "wait" ]; then
  trap 'echo terminated >> "$FAKE_DIR/calls"; exit 3' TERM
  touch "$FAKE_DIR/started"
  for _ in $(seq 1 1200); do sleep 0.1; done  # never outlives a broken test by more than 2 minutes
fi
exit 1
"""


_STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_scheduler_left_behind():
    """A failed test must not leave a scheduler (and its stand-in crawl) running."""
    yield
    while _STARTED:
        proc = _STARTED.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _start(tmp_path: Path, mode: str, at: str = "03:00", run_now: bool = True,
           catch_up_hours: float = 20) -> subprocess.Popen:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "gxcrawler"
    fake.write_text(FAKE_CRAWL_ALL)
    fake.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "FAKE_DIR": str(tmp_path),
        "FAKE_MODE": mode,
        "GXCRAWLER_NIGHTLY_AT": at,
        "GXCRAWLER_NIGHTLY_RUN_NOW": "1" if run_now else "0",
        "GXCRAWLER_NIGHTLY_ARGS": "--year 2024",
        "GXCRAWLER_LOG_DIR": str(tmp_path / "logs"),
        "GXCRAWLER_CRAWLS_DIR": str(tmp_path / "crawls"),
        "TZ": "UTC",
        "GXCRAWLER_NIGHTLY_CATCHUP_HOURS": str(catch_up_hours),
    }
    # the interpreter itself, not a shim that would put the real `gxcrawler` first on PATH
    out = tmp_path / f"out-{time.monotonic_ns()}.txt"
    proc = subprocess.Popen([sys.executable, "-m", "gxcrawler", "nightly"], env=env,
                            stdout=out.open("w"), stderr=subprocess.STDOUT, text=True)  # noqa: SIM115
    proc.out = out
    _STARTED.append(proc)
    return proc


def _wait_for_text(proc: subprocess.Popen, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in proc.out.read_text():
        assert proc.poll() is None or text in proc.out.read_text(), proc.out.read_text()
        assert time.monotonic() < deadline, f"{text!r} never printed: {proc.out.read_text()}"
        time.sleep(0.1)


def _wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def _stop(proc: subprocess.Popen, ready: str = "next crawl at") -> str:
    _wait_for_text(proc, ready)  # up (and scheduled) before it is stopped
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    out = proc.out.read_text()
    assert proc.returncode == 0, out
    assert "Traceback" not in out, out
    return out


def test_runs_crawl_all_keeps_a_log_and_waits_for_the_next_night(tmp_path):
    proc = _start(tmp_path, "fail")
    _wait_for(tmp_path / "calls")
    time.sleep(2)
    assert proc.poll() is None  # still scheduled after a failed crawl
    out = _stop(proc)
    assert (tmp_path / "calls").read_text().split() == ["crawl-all", "--year", "2024"]
    (log,) = (tmp_path / "logs").glob("nightly-*.log")
    assert "crawl-all output" in log.read_text()
    assert "exit code 1" in out and "next crawl at" in out and "03:00 UTC" in out


def test_sigterm_is_passed_to_the_running_crawl(tmp_path):
    proc = _start(tmp_path, "wait")
    _wait_for(tmp_path / "started")
    _stop(proc, ready="crawl-all starting")
    assert "terminated" in (tmp_path / "calls").read_text()


@pytest.mark.parametrize("at", ["29:59", "2:30am", "24:00", "12:60", "7:5"])
def test_rejects_a_time_that_is_not_a_time_of_day(tmp_path, at):
    proc = _start(tmp_path, "fail", at=at)
    proc.wait(timeout=60)
    out = proc.out.read_text()
    assert proc.returncode == 2 and "HH:MM between 00:00 and 23:59" in out and at in out
    assert not (tmp_path / "calls").exists()


def _move_due_time(tmp_path: Path, due: datetime) -> None:
    """What a machine that was off at the due time leaves behind: the stored job's run is in the past.

    Written into APScheduler's own table (its ``next_run_time`` column and pickled state), not through
    a scheduler, which would run the due job itself.
    """
    import pickle
    import sqlite3

    db = sqlite3.connect(tmp_path / "crawls" / "nightly-schedule.sqlite3")
    (state,) = db.execute("SELECT job_state FROM apscheduler_jobs WHERE id = 'nightly'").fetchone()
    job = pickle.loads(state)
    job["next_run_time"] = due.astimezone(job["next_run_time"].tzinfo)
    db.execute("UPDATE apscheduler_jobs SET next_run_time = ?, job_state = ? WHERE id = 'nightly'",
               (due.timestamp(), pickle.dumps(job, pickle.HIGHEST_PROTOCOL)))
    db.commit()
    db.close()


@pytest.mark.parametrize(("window", "caught_up"), [(20, True), (1, False)])
def test_a_night_missed_while_down_is_caught_up_at_start(tmp_path, window, caught_up):
    """The machine was off when the run was due 3 hours ago: run it at start-up, once — unless the
    catch-up window (GXCRAWLER_NIGHTLY_CATCHUP_HOURS) is shorter than that."""
    now = datetime.now(UTC)
    at = (now + timedelta(hours=6)).strftime("%H:%M")  # not due again during the test
    first = _start(tmp_path, "fail", at=at, run_now=False)
    _stop(first)
    assert not (tmp_path / "calls").exists()  # nothing was due

    _move_due_time(tmp_path, now - timedelta(hours=3))
    again = _start(tmp_path, "fail", at=at, run_now=False, catch_up_hours=window)
    if caught_up:
        _wait_for(tmp_path / "calls")
        time.sleep(1)
        out = _stop(again)
        assert "catching up now" in out
        assert (tmp_path / "calls").read_text().split() == ["crawl-all", "--year", "2024"]  # once, not per night
    else:
        _wait_for_text(again, "next crawl at")
        time.sleep(2)
        out = _stop(again)
        assert "more than the catch-up window" in out and not (tmp_path / "calls").exists()
    assert f"next crawl at {(now + timedelta(hours=6)).strftime('%Y-%m-%d %H:%M')} UTC" in out


def test_compose_scheduler_service():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    scheduler = compose["services"]["scheduler"]
    assert scheduler["command"] == ["gxcrawler", "nightly"]  # inside the image, not bind-mounted
    assert not any(".sh" in v for v in scheduler["volumes"])
    assert "crawls:/app/crawls" in scheduler["volumes"] and "crawls" in compose["volumes"]
    env = scheduler["environment"]
    assert env["GXCRAWLER_DATABASE_URL"] == compose["services"]["crawler"]["environment"]["GXCRAWLER_DATABASE_URL"]
    assert "GXCRAWLER_NIGHTLY_AT" in env and env["GXCRAWLER_LOG_DIR"].startswith("/app/crawls/")
    assert scheduler["depends_on"]["db"]["condition"] == "service_healthy"


@pytest.mark.parametrize(("name", "value"), [("GXCRAWLER_LOG_KEEP_DAYS", "abc"), ("GXCRAWLER_LOG_KEEP_DAYS", "7.5"),
                                             ("GXCRAWLER_NIGHTLY_CATCHUP_HOURS", "x"),
                                             ("GXCRAWLER_NIGHTLY_CATCHUP_HOURS", "nan")])
def test_a_number_that_is_not_one_is_refused_in_one_line(name, value):
    # review8 (2026-12-01): before, a ValueError traceback (exit 1) and the scheduler container restarting
    from gxcrawler.errors import UserError
    from gxcrawler.schedule import Plan

    with pytest.raises(UserError, match=f"{name} must be a .*number ≥ 0, got '{value}'"):
        Plan.from_env({name: value})
    assert Plan.from_env({}).keep_days == 60 and Plan.from_env({name: "3"}).catch_up_hours in (3, 20)
