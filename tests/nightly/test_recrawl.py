"""Incremental re-crawls against the Panzhihua simulation and a real PostgreSQL database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.fixtures.nightly import query, report_urls

pytestmark = pytest.mark.slow
YEAR = 2021


def _runs(db_url):
    return query(db_url, "SELECT * FROM crawl_runs ORDER BY id")


def test_unchanged_recrawl_downloads_list_pages_only(nightly, pg_url):
    first = nightly.run(pg_url, "--year", str(YEAR))
    assert first.returncode == 0, first.stdout + first.stderr
    expected = nightly.sim.expected_reports(YEAR)
    documents = report_urls(expected)
    first_log = nightly.responses()
    assert documents <= {url for _, url, status in first_log if status == 200}

    nightly.reset()
    second = nightly.run(pg_url, "--year", str(YEAR))
    assert second.returncode == 0, second.stdout + second.stderr
    log = nightly.responses()
    downloaded = {url for _, url, status in log if status == 200}
    assert not downloaded & documents, "a known, unchanged report was downloaded again"
    assert {url for _, url, status in log if status == 304} == documents
    assert downloaded, "list pages must still be fetched"
    assert all(status in (200, 304) for _, _, status in log)

    runs = _runs(pg_url)
    assert [r.outcome for r in runs] == ["success", "success"]
    assert (runs[0].reports_new, runs[0].reports_found) == (len(expected), len(expected))
    assert (runs[1].reports_new, runs[1].reports_changed) == (0, 0)
    assert runs[1].reports_unchanged == runs[1].reports_found == len(expected)
    assert runs[1].bytes < runs[0].bytes / 3
    assert "panzhihua" in second.stdout and "crawl-all exit code: 0" in second.stdout


def test_changed_report_is_fetched_again_and_replaced(nightly, pg_url):
    assert nightly.run(pg_url, "--year", str(YEAR)).returncode == 0
    doc = next(
        d for d in nightly.panzhihua.docs
        if d.pub and d.pub.year == YEAR and d.pub.body_override is None and not d.gone
    )
    report = doc.pub.report
    key = next(k for k, text in sorted(report.printed.items()) if k.startswith("s2.") and text.isdigit())
    new_value = report.values[key] + 7
    report.values[key] = new_value
    report.printed[key] = str(new_value)
    (before,) = query(pg_url, "SELECT id, sha256 FROM reports WHERE page_url = :u", u=doc.url)

    nightly.reset()
    result = nightly.run(pg_url, "--year", str(YEAR))
    assert result.returncode == 0, result.stdout + result.stderr
    downloaded = {url for _, url, status in nightly.responses() if status == 200}
    assert downloaded & report_urls(nightly.sim.expected_reports(YEAR)) == {doc.url}

    (after,) = query(pg_url, "SELECT id, sha256 FROM reports WHERE page_url = :u", u=doc.url)
    assert after.id == before.id and after.sha256 != before.sha256
    (value,) = query(pg_url, "SELECT value FROM report_values WHERE report_id = :r AND key = :k", r=after.id, k=key)
    assert Decimal(value.value) == new_value
    run = _runs(pg_url)[-1]
    assert (run.reports_changed, run.reports_new) == (1, 0)


def test_withdrawn_report_is_kept_but_marked_unlisted(nightly, pg_url):
    assert nightly.run(pg_url, "--year", str(YEAR)).returncode == 0
    sim = nightly.panzhihua
    doc = next(d for d in sim.docs if d.pub and d.pub.year == YEAR and not d.gone)
    sim.docs.remove(doc)  # no longer listed (and its URL now answers 404)
    sim.by_url = {k: v for k, v in sim.by_url.items() if v is not doc}

    assert nightly.run(pg_url, "--year", str(YEAR)).returncode == 0
    rows = query(pg_url, "SELECT page_url, listed FROM reports")
    assert len(rows) == len(nightly.sim.expected_reports(YEAR)) + 1  # kept, not deleted
    assert {r.page_url for r in rows if not r.listed} == {doc.url}


def test_status_shows_last_runs_and_coverage(nightly, pg_url, monkeypatch, capsys):
    assert nightly.run(pg_url, "--year", str(YEAR)).returncode == 0
    assert nightly.run(pg_url, "--year", str(YEAR - 1)).returncode == 0
    from gxcrawler.cli import main

    monkeypatch.setenv("GXCRAWLER_DATABASE_URL", pg_url)
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "panzhihua" in out and "success" in out
    coverage_line = next(line for line in out.splitlines() if line.strip().startswith("panzhihua") and "agencies" not in line
                         and "success" not in line)
    per_year = [int(n) for n in coverage_line.split()[1:]]
    expected_2020 = {r.agency for r in nightly.sim.expected_reports(YEAR - 1)}
    expected_2021 = {r.agency for r in nightly.sim.expected_reports(YEAR)}
    assert per_year[:2] == [len(expected_2020), len(expected_2021)]
    missing = expected_2020 - expected_2021
    assert f"without a {YEAR} report: {len(missing)}" in out
    for agency in missing:
        assert agency in out


def test_revalidation_rotation_skips_documents_not_due_tonight(nightly, pg_url):
    import sqlalchemy as sa

    from gxcrawler.crawl import store
    from gxcrawler.crawl.incremental import due_for_revalidation, period, rotation_slots

    assert nightly.run(pg_url, "--year", str(YEAR)).returncode == 0
    every = 3
    engine = sa.create_engine(pg_url)
    try:  # what the next crawl starts from: its documents, dealt to the nights of their periods
        spider = _runs(pg_url)[-1].spider
        known = store.known_fetches(engine, spider)
    finally:
        engine.dispose()
    # as the crawl: GX_REVALIDATE_EVERY below, the default GX_REFETCH_EVERY, FAST's GX_GONE_RETRY_EVERY (1)
    periods = {u: period(k, revalidate_every=every, refetch_every=7, gone_every=1) for u, k in known.items()}
    slots = rotation_slots(periods.items(), spider)
    nightly.reset()
    result = nightly.run(pg_url, "--year", str(YEAR), settings={"GX_REVALIDATE_EVERY": str(every)})
    assert result.returncode == 0, result.stdout + result.stderr
    expected = nightly.sim.expected_reports(YEAR)
    requested = {url for _, url, _ in nightly.responses()}
    due = {r.page_url for r in expected
           if due_for_revalidation(r.page_url, periods[r.page_url], slot=slots.get(r.page_url))}
    assert 0 < len(due) < len(expected)  # the rotation splits this corpus
    assert requested & report_urls(expected) == due
    run = _runs(pg_url)[-1]
    assert run.reports_unchanged == run.reports_found == len(expected)
