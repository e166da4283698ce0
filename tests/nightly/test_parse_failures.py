"""A parser worker that dies or hangs on one document: recorded with its reason, the crawl goes on."""

from __future__ import annotations

import pytest

from tests.fixtures.nightly import query
from tests.spiders.helpers import diff_reports, loaded_reports

pytestmark = pytest.mark.slow
YEAR = 2021


def test_worker_crash_and_timeout_are_recorded_and_the_crawl_completes(nightly, pg_url, monkeypatch):
    reports = sorted(nightly.sim.expected_reports(YEAR), key=lambda r: r.document_url)
    crashing, hanging = reports[0], reports[1]
    monkeypatch.setenv("GX_TEST_PARSE_CRASH", crashing.document_url)
    monkeypatch.setenv("GX_TEST_PARSE_HANG", hanging.document_url)
    settings = {
        "GXCRAWLER_PARSE_TASK": "tests.parsing.faulty_task:parse",
        "GXCRAWLER_PARSE_WORKERS": "2",
        "GXCRAWLER_PARSE_TIMEOUT": "4",
    }
    result = nightly.run(pg_url, "--year", str(YEAR), settings=settings)
    log = result.stdout + result.stderr
    assert "Traceback" not in log, log[-3000:]

    # every other report was loaded exactly
    expected = [r for r in reports if r not in (crashing, hanging)]
    assert diff_reports(loaded_reports(pg_url), expected) == []

    # the run record says which documents failed and why
    (run,) = query(pg_url, "SELECT outcome, errors, reports_found, reports_new FROM crawl_runs")
    assert run.reports_new == len(expected) and run.reports_found == len(reports)
    assert run.errors["worker_died"] == 1 and run.errors["parse_timeout"] == 1
    reasons = {f["url"]: f["reason"] for f in run.errors["parse_failures"]}
    assert set(reasons) == {crashing.document_url, hanging.document_url}
    assert reasons[crashing.document_url].startswith("worker_died:") and "SIGSEGV" in reasons[crashing.document_url]
    assert reasons[hanging.document_url].startswith("parse_timeout:") and "4 s" in reasons[hanging.document_url]

    # so do their fetch records, and no report row was made from them
    for report, kind in ((crashing, "worker_died"), (hanging, "parse_timeout")):
        (fetch,) = query(pg_url, "SELECT outcome, message, report_id FROM fetches WHERE url = :u",
                         u=report.document_url)
        assert fetch.report_id is None and fetch.outcome != "inserted"
        assert kind in fetch.message, fetch.message
