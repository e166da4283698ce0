"""A crawl killed mid-way (SIGTERM, SIGKILL) and started again equals an uninterrupted crawl."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from tests.fixtures.nightly import query, snapshot
from tests.fixtures.pg import create_database, drop_database

pytestmark = pytest.mark.slow

#: slow enough (one request at a time, 50 ms apart) to be stopped part-way
#: slow enough to interrupt; batches of 20 so that reports are stored while most are still to come
#: (the pipeline's 100, or 10 s, could hold the whole crawl on a quiet machine)
SLOW = {"CONCURRENT_REQUESTS": "1", "DOWNLOAD_DELAY": "0.05", "GXCRAWLER_LOAD_BATCH": "20"}


@pytest.fixture()
def reference(nightly):
    """The database an uninterrupted crawl of every year leaves."""
    url = create_database("gxc_nightly_ref")
    try:
        result = nightly.run(url)
        assert result.returncode == 0, result.stdout + result.stderr
        yield snapshot(url)
    finally:
        drop_database(url)


def _interrupt(nightly, db_url, sig: int, tmp_path) -> subprocess.Popen:
    """Start a slow crawl, let it load some reports, then send ``sig``."""
    proc = nightly.start(db_url, settings=SLOW, log=tmp_path / "interrupted.log")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("the crawl ended before it could be interrupted:\n" + (tmp_path / "interrupted.log").read_text())
        try:
            loaded = query(db_url, "SELECT count(*) AS n FROM reports")[0].n
        except Exception:  # schema not created yet
            loaded = 0
        if loaded >= 15:
            break
        time.sleep(0.2)
    proc.send_signal(sig)
    proc.wait(timeout=120)
    return proc


def test_sigterm_then_restart_resumes_and_equals_an_uninterrupted_crawl(nightly, pg_url, reference, tmp_path):
    proc = _interrupt(nightly, pg_url, signal.SIGTERM, tmp_path)
    log = (tmp_path / "interrupted.log").read_text()
    assert proc.returncode == 3, log  # interrupted
    jobdir = nightly.crawls_dir / "panzhihua"
    assert (jobdir / "requests.queue").is_dir() and not (jobdir / "gx.running").exists()
    partial = snapshot(pg_url)
    assert 0 < len(partial["reports"]) < len(reference["reports"])

    nightly.reset()
    resumed = nightly.run(pg_url)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert snapshot(pg_url) == reference
    assert not jobdir.exists()  # a finished crawl's job dir is removed
    runs = query(pg_url, "SELECT outcome, args FROM crawl_runs ORDER BY id")
    assert [r.outcome for r in runs] == ["partial", "success"]
    assert "resumed_from" in runs[1].args
    # the resumed crawl continued the queue instead of starting over
    resumed_urls = [url for _, url, _ in nightly.responses()]
    done_before = {r[5] for r in partial["reports"]}
    assert not done_before & set(resumed_urls)


def test_sigkill_then_restart_reruns_and_equals_an_uninterrupted_crawl(nightly, pg_url, reference, tmp_path):
    proc = _interrupt(nightly, pg_url, signal.SIGKILL, tmp_path)
    assert proc.returncode == -signal.SIGKILL
    assert (nightly.crawls_dir / "panzhihua" / "gx.running").exists()  # it could not clean up
    partial = snapshot(pg_url)
    assert 0 < len(partial["reports"]) < len(reference["reports"])

    nightly.reset()
    rerun = nightly.run(pg_url)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert snapshot(pg_url) == reference
    runs = query(pg_url, "SELECT outcome, reason FROM crawl_runs ORDER BY id")
    assert [r.outcome for r in runs] == ["failed", "success"]  # the killed run is closed as such
    assert runs[0].reason.startswith("killed")
    # what the killed crawl had loaded is not downloaded again, except the few whose fetch
    # records were still buffered (flushed every GX_FETCH_FLUSH_EVERY=10 records or 2 s)
    loaded_before = {r[5] for r in partial["reports"]}
    downloaded = {url for _, url, status in nightly.responses() if status == 200}
    assert len(loaded_before) >= 15 and len(loaded_before & downloaded) < 10
