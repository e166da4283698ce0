"""Answers that are neither a document nor an HTTP error: a 304 to a request that sent no validators,
a 3xx without ``Location``. Scrapy's HttpErrorMiddleware drops them silently; they must be failures
of their URL (review3, 2026-12-01): a list page that answered one was not read, so the reports it lists
must not be marked unlisted, and the page must be asked again.
"""

from __future__ import annotations

import pytest

from tests.fixtures.nightly import query
from tests.reliability import faults as F

pytestmark = pytest.mark.slow
YEAR = 2021
#: night 2 reads every list page (its rotation would otherwise skip the faulty one)
READ_LISTS = {"GX_LIST_REVISIT_EVERY": "1"}


@pytest.mark.parametrize("fault", [
    pytest.param(lambda: F.Status(status=304, body=b""), id="304_without_validators"),
    pytest.param(lambda: F.Status(status=302, body=b"moved"), id="302_without_location"),
])
def test_a_list_page_answering_neither_page_nor_error_does_not_unlist_its_reports(faulty, pg_url, fault):
    assert faulty.run(pg_url, "--year", str(YEAR)).returncode == 0
    sim = faulty.sim.inner
    doc = next(d for d in sim.docs if d.pub and d.pub.year == YEAR and not d.gone and d.agency is not None)
    list_url = doc.url.rsplit("/", 1)[0] + "/index.shtml"
    assert query(pg_url, "SELECT listed FROM reports WHERE page_url = :u", u=doc.url)[0].listed

    faulty.server.faults[list_url] = fault()
    faulty.server.reset_counts()
    night2 = faulty.run(pg_url, "--year", str(YEAR), settings=READ_LISTS)
    assert night2.returncode == 0, night2.stdout[-2000:]
    assert faulty.server.requested(list_url), "the list page was not asked for"

    (report,) = query(pg_url, "SELECT listed FROM reports WHERE page_url = :u", u=doc.url)
    assert report.listed, "a report was marked unlisted because its list page answered a 3xx"
    (row,) = query(pg_url, "SELECT outcome, message FROM fetches WHERE url = :u", u=list_url)
    assert row.outcome == "failed" and row.message.startswith("unexpected_status"), row


# ---------------------------------------------------------------- a list that failed before a resume


def test_a_list_page_that_failed_before_an_interruption_does_not_unlist_its_reports_when_resumed(
        faulty, pg_url, tmp_path):
    """A night stopped (SIGTERM) after one of its list pages failed, then resumed to its end: the resumed
    run never asks for that list again (its request was used up), so its reports are not seen — the
    resumed run must not take the night for complete."""
    import signal
    import time

    assert faulty.run(pg_url, "--year", str(YEAR)).returncode == 0
    sim = faulty.sim.inner
    doc = next(d for d in sim.docs if d.pub and d.pub.year == YEAR and not d.gone and d.agency is not None)
    list_url = doc.url.rsplit("/", 1)[0] + "/index.shtml"
    faulty.server.faults[list_url] = F.Status(status=500)
    faulty.server.reset_counts()

    slow = {**READ_LISTS, "CONCURRENT_REQUESTS": "1", "DOWNLOAD_DELAY": "0.3"}
    proc = faulty.start(pg_url, "--year", str(YEAR), settings=slow, log=tmp_path / "night2.log")
    deadline = time.monotonic() + 120
    while len(faulty.server.requested(list_url)) < 2:  # its request and its retry: failed for this run
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail("the list page did not fail before the crawl ended:\n" + (tmp_path / "night2.log").read_text())
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=120) == 3, (tmp_path / "night2.log").read_text()[-2000:]

    faulty.server.clear()
    resumed = faulty.run(pg_url, "--year", str(YEAR), settings=READ_LISTS)
    assert resumed.returncode == 0, resumed.stdout[-2000:]
    runs = query(pg_url, "SELECT outcome, args FROM crawl_runs ORDER BY id")
    assert "resumed_from" in runs[-1].args and runs[-1].outcome == "success"
    (report,) = query(pg_url, "SELECT listed FROM reports WHERE page_url = :u", u=doc.url)
    assert report.listed, "a report was marked unlisted although its list page failed that night"


# ---------------------------------------------------------------- a callback that raises


def test_a_list_page_whose_callback_raises_is_a_failure_and_does_not_unlist_its_reports(faulty, pg_url):
    """A list page the spider's callback raises on (here ``urljoin`` on a link ``http://[`` — ValueError:
    Invalid IPv6 URL) yields none of its reports: the page failed, and its reports were not unseen."""
    assert faulty.run(pg_url, "--year", str(YEAR)).returncode == 0
    sim = faulty.sim.inner
    doc = next(d for d in sim.docs if d.pub and d.pub.year == YEAR and not d.gone and d.agency is not None)
    list_url = doc.url.rsplit("/", 1)[0] + "/index.shtml"
    page = faulty.server.respond("GET", list_url, {}).body
    broken = page.replace(b"</body>", '<a href="http://[2001:db8::1">镜像</a></body>'.encode())
    assert broken != page
    faulty.server.faults[list_url] = F.Replaced(body=broken)

    night2 = faulty.run(pg_url, "--year", str(YEAR), settings=READ_LISTS)
    assert night2.returncode == 0, night2.stdout[-2000:]
    assert "Invalid IPv6 URL" in night2.stdout + night2.stderr  # the callback did raise
    (report,) = query(pg_url, "SELECT listed FROM reports WHERE page_url = :u", u=doc.url)
    assert report.listed, "a report was marked unlisted because the callback of its list page raised"
    (row,) = query(pg_url, "SELECT outcome, message FROM fetches WHERE url = :u", u=list_url)
    assert row.outcome == "failed" and row.message.startswith("callback_error"), row


# ---------------------------------------------------------------- a header PostgreSQL cannot store


def test_a_nul_in_a_validator_does_not_stop_the_nights_fetch_records(faulty, pg_url):
    """A server sent ``ETag: "a<NUL>b"`` (Twisted takes it): PostgreSQL refuses a NUL in text, and the
    batch holding that fetch row failed — every flush after it too, as the row went back to the buffer."""
    sim = faulty.sim.inner
    doc = next(d for d in sim.docs if d.pub and d.pub.year == YEAR and not d.gone and d.agency is not None)
    normal = faulty.server.respond("GET", doc.url, {})
    headers = {k: v for k, v in normal.headers.items() if k.lower() not in ("etag", "last-modified")}
    faulty.server.faults[doc.url] = F.Status(status=200, body=normal.body, headers={**headers, "ETag": '"a\x00b"'})

    night = faulty.run(pg_url, "--year", str(YEAR))
    assert night.returncode == 0, night.stdout[-3000:]
    (run,) = query(pg_url, "SELECT outcome, reason FROM crawl_runs")
    assert run.outcome == "success", run.reason
    (row,) = query(pg_url, "SELECT etag FROM fetches WHERE url = :u", u=doc.url)
    assert row.etag == '"ab"'


# ---------------------------------------------------------------- politeness


def test_a_retry_after_holds_the_whole_host_not_only_its_url(faulty, pg_url):
    """``crawl/retry.py`` promises that the wait for a ``Retry-After`` holds the host; it held only the
    request that got it, while the host's other pages went on at the usual pace."""
    from urllib.parse import urlsplit

    docs = [d for d in faulty.sim.inner.docs if d.pub and d.pub.year == YEAR and not d.gone]
    host = max({urlsplit(d.url).netloc for d in docs}, key=lambda h: sum(urlsplit(d.url).netloc == h for d in docs))
    doc = next(d for d in docs if urlsplit(d.url).netloc == host)
    faulty.server.faults[doc.url] = F.RetryAfter(times=1, seconds=3)
    polite = {"DOWNLOAD_DELAY": "0.2", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
    night = faulty.run(pg_url, "--year", str(YEAR), settings=polite)
    assert night.returncode == 0, night.stdout[-2000:]
    asked = [t for t, _, u, _ in faulty.server.timed if u == doc.url]
    assert len(asked) == 2 and asked[1] - asked[0] >= 2.5
    meanwhile = [u for t, _, u, _ in faulty.server.timed if asked[0] < t < asked[0] + 2.5 and urlsplit(u).netloc == host]
    assert not meanwhile, f"{len(meanwhile)} requests to {host} while it asked to be left alone"


# ---------------------------------------------------------------- validators carried through a redirect


def test_a_304_through_a_redirect_confirms_the_document_whose_validators_were_sent(faulty, pg_url):
    """A stored page now redirects (301) to its other address, which serves the same document with the
    same ``ETag``: the redirect carries the conditional headers, the new address answers 304. That 304 is
    about the stored document (its validators were sent): confirmed, not a failure, still listed."""
    sim = faulty.sim.inner
    doc = next(d for d in sim.docs if d.aliases)
    year = str(doc.pub.year)
    assert faulty.run(pg_url, "--year", year).returncode == 0
    (stored,) = query(pg_url, "SELECT page_url FROM reports WHERE page_url IN (:a, :b)", a=doc.url, b=doc.aliases[0])
    other = doc.aliases[0] if stored.page_url == doc.url else doc.url
    (before,) = query(pg_url, "SELECT checked_at FROM fetches WHERE url = :u", u=stored.page_url)

    faulty.server.faults[stored.page_url] = F.Redirect(status=301, location=other)
    faulty.server.reset_counts()
    night2 = faulty.run(pg_url, "--year", year, settings={"GX_REVALIDATE_EVERY": "1"})
    assert night2.returncode == 0, night2.stdout[-2000:]
    assert faulty.server.requested(other) == ["304"]
    (row,) = query(pg_url, "SELECT outcome, message, checked_at FROM fetches WHERE url = :u", u=stored.page_url)
    assert row.outcome not in ("failed", "refused") and row.checked_at > before.checked_at, row
    (report,) = query(pg_url, "SELECT listed FROM reports WHERE page_url = :u", u=stored.page_url)
    assert report.listed


# ---------------------------------------------------------------- a changed page over an unchanged attachment


def test_a_changed_page_over_an_unchanged_attachment_has_its_row_updated(tmp_path, pg_url):
    """A stored report page changes (a visit counter, a side bar) while the attachment it links does not: the
    page is downloaded, its attachment answers 304. The page's row kept its old hash, validators and
    ``checked_at`` (a settled page was left out of ``_settle_chain``): overdue after N nights, it was then
    downloaded again every night, its stale validators never matching."""
    import hashlib

    from tests.fixtures.faults import faulty_portal

    portal = faulty_portal("luoning", tmp_path / "crawls")
    try:
        rendering = {"DOWNLOAD_TIMEOUT": "120"}
        assert portal.run(pg_url, "--year", str(YEAR), settings=rendering).returncode == 0
        doc = next(d for d in portal.sim.inner.docs
                   if d.pub and d.pub.year == YEAR and d.kind == "pdf" and not d.gone)
        (before,) = query(pg_url, "SELECT sha256, checked_at FROM fetches WHERE url = :u", u=doc.url)
        page = portal.server.respond("GET", doc.url, {}).body
        changed = page.replace(b"</body>", "<p>浏览次数：1024</p></body>".encode())
        assert changed != page
        portal.server.faults[doc.url] = F.Replaced(body=changed)
        portal.server.reset_counts()
        night2 = portal.run(pg_url, "--year", str(YEAR), settings=rendering)
        assert night2.returncode == 0, night2.stdout[-2000:]
        assert portal.server.requested(doc.url) == ["fault:200"]
        assert portal.server.requested(doc.attachment) == ["304"]
    finally:
        portal.server.stop()
    (after,) = query(pg_url, "SELECT sha256, checked_at FROM fetches WHERE url = :u", u=doc.url)
    assert after.sha256 == hashlib.sha256(changed).hexdigest(), "the page's row kept the hash of its old bytes"
    assert after.checked_at > before.checked_at
