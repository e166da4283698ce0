"""Checks across years, stored with the later report and recomputed when either report changes.

A check across years (``gxcrawler.checks.across_years``) compares an agency's report of
year N with its report of year N−1: it is stored as a ``check_results`` row of the
year-N report whose ``other_report_id`` names the year-N−1 report. A missing
neighbour means no row ("not evaluated"), never a failure.

The loader calls :func:`refresh` after each batch with the (agency, year) of every
report it inserted or replaced: the checks of that year (against N−1) and of the next
year (N+1 against it) are computed again from the stored cells. Deleting a report
deletes the checks that name it (``ON DELETE CASCADE``). :func:`refresh_all` recomputes
every agency (the migration that adds them; ``gxcrawler db recheck``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..checks import YEAR_KEYS, YEARS_PREFIX, across_years
from .batch import check_line, copy_checks
from .models import CheckResult, Report, ReportValue

_reports = Report.__table__
_values = ReportValue.__table__
_checks = CheckResult.__table__

#: agencies per round of :func:`refresh_all`
CHUNK = 500


def refresh(
    conn: Connection,
    touched: Iterable[tuple[int, int]],
    known: Mapping[int, tuple[str, str, Mapping[str, Any]]] | None = None,
) -> int:
    """Recompute the checks across years around each (agency id, year) in ``touched``.

    Runs in the caller's transaction; returns how many checks it stored. ``known``: the
    cells a caller just stored, by report id with the version's (sha256, fingerprint):
    used instead of reading them back when the report row still holds that version
    (equal fingerprints, equal cells), else read from the table.
    """
    later: set[tuple[int, int]] = set()
    for agency_id, year in touched:
        later.update(((agency_id, year), (agency_id, year + 1)))
    if not later:
        return 0
    agencies = sorted({a for a, _ in later})
    years = sorted({y for _, y in later} | {y - 1 for _, y in later})
    reports: dict[tuple[int, int], Any] = {}
    rows = conn.execute(
        sa.select(
            _reports.c.id, _reports.c.agency_id, _reports.c.year, _reports.c.blank, _reports.c.sha256,
            _reports.c.fingerprint,
        ).where(_reports.c.agency_id.in_(agencies), _reports.c.year.in_(years))
    ).all()
    for row in rows:
        reports[(row.agency_id, row.year)] = row
    pairs = [
        (reports[(a, y - 1)], reports[(a, y)])
        for a, y in sorted(later)
        if (a, y) in reports and (a, y - 1) in reports
    ]
    targets = [reports[k].id for k in sorted(later) if k in reports]
    if targets:
        conn.execute(
            _checks.delete().where(_checks.c.report_id.in_(targets), _checks.c.rule.like(f"{YEARS_PREFIX}%"))
        )
    if not pairs:
        return 0
    cells: dict[int, dict[str, Decimal]] = defaultdict(dict)
    ids = []
    for row in {r.id: r for pair in pairs for r in pair}.values():
        mine = (known or {}).get(row.id)
        if mine is not None and mine[:2] == (row.sha256, row.fingerprint):
            stored = mine[2]
            year_cells = {k: stored[k] for k in YEAR_KEYS if k in stored}
            if all(type(v) is Decimal for v in year_cells.values()):  # as the table gives them back
                cells[row.id] = year_cells
                continue
        ids.append(row.id)
    if ids:
        for report_id, key, value in conn.execute(
            sa.select(_values.c.report_id, _values.c.key, _values.c.value).where(
                _values.c.report_id.in_(sorted(ids)), _values.c.key.in_(sorted(YEAR_KEYS))
            )
        ).all():
            cells[report_id][key] = value
    out = [
        (cur.id, check.rule, check.ok, check.left, check.right, None, prev.id)
        for prev, cur in pairs
        for check in across_years((cells[prev.id], prev.blank or []), (cells[cur.id], cur.blank or []))
    ]
    if conn.dialect.name == "postgresql":  # COPY: a tenth of an executemany's work on both sides
        with conn.connection.driver_connection.cursor() as cursor:
            copy_checks(cursor, [check_line(*row) for row in out])
    elif out:
        columns = ("report_id", "rule", "ok", "left", "right", "sentence", "other_report_id")
        conn.execute(_checks.insert(), [dict(zip(columns, row, strict=True)) for row in out])
    return len(out)


def refresh_all(conn: Connection, chunk: int = CHUNK) -> int:
    """Recompute every agency's checks across years (in the caller's transaction)."""
    stored = 0
    agencies = conn.execute(sa.select(_reports.c.agency_id).distinct().order_by(_reports.c.agency_id)).scalars().all()
    for start in range(0, len(agencies), chunk):
        part = agencies[start : start + chunk]
        touched = conn.execute(
            sa.select(_reports.c.agency_id, _reports.c.year).where(_reports.c.agency_id.in_(part))
        ).all()
        stored += refresh(conn, [(a, y) for a, y in touched])
    return stored
