"""The cost of a night (issue 16): an unchanged re-crawl asks for little more than the start pages,
and still finds what changed — a new report and a changed one within N nights.

Against a fresh Panzhihua simulation (all years) and a real PostgreSQL database. Nights
are simulated by moving every ``fetches.checked_at`` one day back between crawls (the
rotation's day stays today's, so only the "overdue after N nights" bound is at work:
the worst case).
"""

from __future__ import annotations

import subprocess
from decimal import Decimal

import pytest

from spiders.panzhihua import PanzhihuaSpider
from tests.fixtures.nightly import ROOT, query, report_urls, serve
from tests.fixtures.sim import DEFAULT_NIGHTS

pytestmark = pytest.mark.slow


def _a_night_passes(db_url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE fetches SET checked_at = checked_at - interval '1 day'"))
    finally:
        engine.dispose()


def test_an_unchanged_night_costs_at_most_a_tenth_of_the_first(nightly, pg_url, tmp_path):
    # the default robots.txt cache (24 h), in a directory of this test's own
    settings = {**DEFAULT_NIGHTS, "GX_ROBOTSTXT_CACHE_HOURS": "24", "GX_ROBOTSTXT_CACHE_DIR": str(tmp_path / "robots")}
    first = nightly.run(pg_url, settings=settings)
    assert first.returncode == 0, first.stdout + first.stderr
    first_requests = len(nightly.responses())
    assert any(u.endswith("/robots.txt") for _, u, _ in nightly.responses())
    expected = nightly.sim.expected_reports()

    nightly.reset()
    second = nightly.run(pg_url, settings=settings)
    assert second.returncode == 0, second.stdout + second.stderr
    log = nightly.responses()
    assert not [u for _, u, _ in log if u.endswith("/robots.txt")]  # within 24 h: from the cache
    # what every night must ask: robots.txt of each host once its 24 h are over (RFC 9309) and the
    # start pages (where new reports appear); everything else is at most a tenth of the first crawl
    starts = {c.url for c in PanzhihuaSpider.columns}
    fixed = [u for _, u, _ in log if u.endswith("/robots.txt") or u in starts]
    assert len(log) - len(fixed) <= first_requests / 10, (len(log), first_requests, sorted(u for _, u, _ in log))
    assert len(log) <= first_requests / 5  # the whole night, robots.txt and start pages included: docs/notes/distributed.md
    downloaded = {url for _, url, status in log if status == 200}
    assert not downloaded & report_urls(expected), "a known, unchanged report was downloaded again"

    runs = query(pg_url, "SELECT * FROM crawl_runs ORDER BY id")
    assert [r.outcome for r in runs] == ["success", "success"]
    assert runs[1].reports_found == runs[1].reports_unchanged == len(expected)
    assert query(pg_url, "SELECT count(*) AS n FROM reports WHERE NOT listed")[0].n == 0  # nothing unlisted


def test_a_new_report_in_a_sub_column_is_found_within_n_nights(nightly, pg_url):
    """Panzhihua lists its reports in agency sub-columns two levels below the start pages, which link
    columns only: a new report changes no page the crawl reads every night, so it is found when its
    column's turn comes (GX_LIST_REVISIT_EVERY, here 3), whatever the depth."""
    settings = {**DEFAULT_NIGHTS, "GX_LIST_REVISIT_EVERY": "3"}
    sim = nightly.panzhihua
    agency_docs = [d for d in sim.docs if d.pub and not d.gone and d.agency is not None]
    newest = max(agency_docs, key=lambda d: d.published)
    sim.docs.remove(newest)  # not published yet
    by_url = dict(sim.by_url)
    sim.by_url = {k: v for k, v in sim.by_url.items() if v is not newest}
    assert nightly.run(pg_url, settings=settings).returncode == 0
    assert not query(pg_url, "SELECT id FROM reports WHERE page_url = :u", u=newest.url)

    sim.docs.append(newest)  # published: on the first page of its agency's column
    sim.by_url = by_url
    for _night in range(3):
        _a_night_passes(pg_url)
        nightly.reset()
        result = nightly.run(pg_url, settings=settings)
        assert result.returncode == 0, result.stdout + result.stderr
        if query(pg_url, "SELECT id FROM reports WHERE page_url = :u", u=newest.url):
            break
    else:
        pytest.fail("the new report was not found within 3 nights")
    run = query(pg_url, "SELECT * FROM crawl_runs ORDER BY id")[-1]
    assert run.reports_new == 1


@pytest.mark.parametrize("every", [3])
def test_a_changed_report_behind_unchanged_lists_is_found_within_n_nights(nightly, pg_url, every):
    settings = {**DEFAULT_NIGHTS, "GX_REVALIDATE_EVERY": str(every), "GX_LIST_REVISIT_EVERY": str(every)}
    assert nightly.run(pg_url, settings=settings).returncode == 0
    doc = next(d for d in nightly.panzhihua.docs
               if d.pub and d.pub.body_override is None and not d.gone and d.agency is not None)
    report = doc.pub.report
    key = next(k for k, text in sorted(report.printed.items()) if k.startswith("s2.") and text.isdigit())
    report.values[key] += 7
    report.printed[key] = str(report.values[key])

    for _night in range(every):
        _a_night_passes(pg_url)
        nightly.reset()
        assert nightly.run(pg_url, settings=settings).returncode == 0
        (row,) = query(pg_url, "SELECT r.id, v.value FROM reports r JOIN report_values v ON v.report_id = r.id "
                               "WHERE r.page_url = :u AND v.key = :k", u=doc.url, k=key)
        if Decimal(row.value) == report.values[key]:
            break
    else:
        pytest.fail(f"the changed report was not found within {every} nights")


@pytest.fixture()
def yanshan(tmp_path):
    yield from serve("yanshan", tmp_path)


def test_a_new_report_on_a_page_read_every_night_is_found_the_same_night(yanshan, pg_url):
    """Yanshan lists its reports newest first on its start page: a report published today changes a
    page every night reads, so the default rotations (documents 1 in 28, lists 1 in 7) find it tonight."""
    sim = yanshan.sim.inner
    newest = max((d for d in sim.docs if d.pub and not d.gone and "xxgknb" in d.columns), key=lambda d: d.published)
    sim.docs.remove(newest)  # not published yet
    del sim.by_id[newest.id]

    def crawl() -> None:
        proc = subprocess.run(yanshan.command("--spider", "yanshan", settings=DEFAULT_NIGHTS), cwd=ROOT,
                              env=yanshan.env(pg_url), capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]

    crawl()
    assert not query(pg_url, "SELECT id FROM reports WHERE page_url LIKE :u", u=f"%/{newest.id}.html")
    sim.docs.append(newest)  # published
    sim.by_id[newest.id] = newest
    yanshan.reset()
    crawl()
    assert query(pg_url, "SELECT id FROM reports WHERE page_url LIKE :u", u=f"%/{newest.id}.html")
    run = query(pg_url, "SELECT * FROM crawl_runs ORDER BY id")[-1]
    assert (run.outcome, run.reports_new, run.reports_changed) == ("success", 1, 0)
