"""The scheduler: docker/nightly.sh's loop (with a stand-in crawl-all) and its compose service."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docker" / "nightly.sh"

FAKE_CRAWL_ALL = """#!/bin/sh
# stands in for `gxcrawler`: records its arguments, then either fails or waits for SIGTERM
echo "$@" >> "$FAKE_DIR/calls"
echo "crawl-all output"
if [ "$FAKE_MODE" = "wait" ]; then
  trap 'echo terminated >> "$FAKE_DIR/calls"; exit 3' TERM
  touch "$FAKE_DIR/started"
  while :; do sleep 0.1; done
fi
exit 1
"""


def _start(tmp_path: Path, mode: str, at: str = "03:00") -> subprocess.Popen:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "gxcrawler"
    fake.write_text(FAKE_CRAWL_ALL)
    fake.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "FAKE_DIR": str(tmp_path),
        "FAKE_MODE": mode,
        "GXCRAWLER_NIGHTLY_AT": at,
        "GXCRAWLER_NIGHTLY_RUN_NOW": "1",
        "GXCRAWLER_NIGHTLY_ARGS": "--year 2024",
        "GXCRAWLER_LOG_DIR": str(tmp_path / "logs"),
    }
    return subprocess.Popen(["sh", str(SCRIPT)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for(path: Path, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_runs_crawl_all_keeps_a_log_and_waits_for_the_next_night(tmp_path):
    proc = _start(tmp_path, "fail")
    _wait_for(tmp_path / "calls")
    time.sleep(0.5)
    assert proc.poll() is None  # still scheduled after a failed crawl
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert (tmp_path / "calls").read_text().split() == ["crawl-all", "--year", "2024"]
    (log,) = (tmp_path / "logs").glob("nightly-*.log")
    assert "crawl-all output" in log.read_text()
    assert "exit code 1" in out and "next crawl at 03:00" in out


def test_sigterm_is_passed_to_the_running_crawl(tmp_path):
    proc = _start(tmp_path, "wait")
    _wait_for(tmp_path / "started")
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "terminated" in (tmp_path / "calls").read_text()


def test_rejects_a_malformed_time(tmp_path):
    proc = _start(tmp_path, "fail", at="2:30am")
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 2 and "HH:MM" in out


def test_compose_scheduler_service():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    scheduler = compose["services"]["scheduler"]
    assert scheduler["command"][-1].endswith("nightly.sh")
    assert any(v.startswith("./docker/nightly.sh:") for v in scheduler["volumes"])
    assert "crawls:/app/crawls" in scheduler["volumes"] and "crawls" in compose["volumes"]
    env = scheduler["environment"]
    assert env["GXCRAWLER_DATABASE_URL"] == compose["services"]["crawler"]["environment"]["GXCRAWLER_DATABASE_URL"]
    assert "GXCRAWLER_NIGHTLY_AT" in env and env["GXCRAWLER_LOG_DIR"].startswith("/app/crawls/")
    assert scheduler["depends_on"]["db"]["condition"] == "service_healthy"
