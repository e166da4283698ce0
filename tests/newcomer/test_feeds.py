"""``scrapy crawl NAME -O reports.jsonl`` / ``.csv``: one record per report, alongside the database."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import sqlalchemy as sa

from gxcrawler import catalog
from gxcrawler.db import make_engine
from tests.fixtures.sim import run_crawl


def test_feeds_hold_one_record_per_loaded_report_and_no_bytes(sim_server, pg_url, tmp_path):
    jsonl, table = tmp_path / "reports.jsonl", tmp_path / "reports.csv"
    run = run_crawl("zbjkq", sim_url=sim_server.url, db_url=pg_url, args={"year": "2021"},
                    settings={"FEEDS": json.dumps({str(jsonl): {"format": "jsonlines"},
                                                   str(table): {"format": "csv"}})})
    assert run.returncode == 0, run.log[-3000:]
    assert "TypeError" not in run.log

    engine = make_engine(pg_url)
    with engine.connect() as conn:
        reports = conn.execute(sa.text(
            "SELECT r.id, r.year, r.document_url, r.sha256, r.edition FROM reports r")).all()
        values = {(rid, key): value for rid, key, value in conn.execute(
            sa.text("SELECT report_id, key, value FROM report_values"))}
    engine.dispose()
    assert reports

    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(reports)
    by_url = {r["document_url"]: r for r in records}
    for rid, year, url, sha, edition in reports:
        rec = by_url[url]
        assert (rec["year"], rec["sha256"], rec["edition"], rec["spider"]) == (year, sha, edition, "zbjkq")
        stored = {k: v for (r, k), v in values.items() if r == rid}
        assert {k: Decimal(str(v)) for k, v in rec["values"].items()} == stored
        assert set(rec) >= {"blank", "checks", "warnings", "page_url", "fetched_at", "county"}
        assert all(set(c) >= {"rule", "ok", "left", "right"} for c in rec["checks"])

    with table.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(reports)
    header = list(rows[0])
    assert header[:3] == ["spider", "agency", "year"] and set(catalog.METRICS) <= set(header)
    for row in rows:
        rec = by_url[row["document_url"]]
        assert {k: Decimal(row[k]) for k in catalog.METRICS if row[k] != ""} == {
            k: Decimal(str(v)) for k, v in rec["values"].items()}
        failed = [c for c in rec["checks"] if not c["ok"]]
        assert row["failed_checks"].count("≠") == len(failed)
