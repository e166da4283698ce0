"""Reading back what a crawl loaded, to compare with a simulation's truth."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from tests.simulations.base import ExpectedReport


@dataclass
class LoadedReport:
    agency: str
    year: int
    page_url: str | None
    document_url: str | None
    values: dict[str, Decimal]
    fingerprint: str
    updated_at: object


def loaded_reports(db_url: str) -> list[LoadedReport]:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT r.id, a.name, r.year, r.page_url, r.document_url, r.fingerprint, r.updated_at "
                "FROM reports r JOIN agencies a ON a.id = r.agency_id"
            )).all()
            values: dict[int, dict[str, Decimal]] = {}
            for report_id, key, value in conn.execute(sa.text("SELECT report_id, key, value FROM report_values")):
                values.setdefault(report_id, {})[key] = Decimal(value)
    finally:
        engine.dispose()
    return [LoadedReport(name, year, page, doc, values.get(rid, {}), fp, upd) for rid, name, year, page, doc, fp, upd in rows]


def diff_reports(loaded: list[LoadedReport], expected: list[ExpectedReport]) -> list[str]:
    """Human-readable differences between a crawl's result and the truth (empty = exact)."""
    problems: list[str] = []
    have = Counter((r.agency, r.year) for r in loaded)
    want = Counter((e.agency, e.year) for e in expected)
    for key in sorted(want - have):
        problems.append(f"missing {key}")
    for key in sorted(have - want):
        problems.append(f"extra {key}")
    by_key = {(r.agency, r.year): r for r in loaded}
    for e in expected:
        r = by_key.get((e.agency, e.year))
        if r is None:
            continue
        if r.values != e.values:
            wrong = sorted(k for k in set(r.values) | set(e.values) if r.values.get(k) != e.values.get(k))
            problems.append(f"values of {e.agency} {e.year} differ at {wrong[:6]} ({len(wrong)} keys)")
        if _doc_id(r.document_url) != _doc_id(e.document_url):
            problems.append(f"{e.agency} {e.year}: loaded from {r.document_url}, expected {e.document_url}")
    return problems


def _doc_id(url: str | None) -> str:
    """The document's identity regardless of scheme and alternative path (wap)."""
    return (url or "").rsplit("/", 1)[-1]
