"""Reviews of failed checks: an analyst confirms one (the report's own error) or dismisses
it (our misreading, with a note) — ``gxcrawler review``.

A mark is stored against the content hash of the report (and of the other report of a
check across years), not against the report row (``models.CheckReview``): re-parsing or
re-crawling the same bytes keeps it; new bytes reopen the check. ``v_failed_checks``
shows each failed check's ``review`` (``open``, ``confirmed``, ``dismissed``).
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .models import CheckReview

STATUSES = ("confirmed", "dismissed")
_reviews = CheckReview.__table__


class ReviewError(Exception):
    """The check cannot be marked (the message says why)."""


def _target(conn: Connection, report_id: int, rule: str) -> sa.Row:
    row = conn.execute(
        sa.text(
            'SELECT r.agency_id, r.year, r.sha256, COALESCE(o.sha256, \'\') AS other_sha256, c.ok '
            "FROM reports r LEFT JOIN check_results c ON c.report_id = r.id AND c.rule = :rule "
            "LEFT JOIN reports o ON o.id = c.other_report_id WHERE r.id = :report"
        ),
        {"report": report_id, "rule": rule},
    ).first()
    if row is None:
        raise ReviewError(f"no report {report_id}")
    if row.ok is None:
        raise ReviewError(f"report {report_id} has no check {rule!r} (see v_failed_checks)")
    if row.ok:
        raise ReviewError(f"check {rule!r} of report {report_id} holds: nothing to review")
    return row


def _key(row: sa.Row, rule: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        _reviews.c.agency_id == row.agency_id,
        _reviews.c.year == row.year,
        _reviews.c.rule == rule,
        _reviews.c.sha256 == row.sha256,
        _reviews.c.other_sha256 == row.other_sha256,
    )


def mark(
    conn: Connection, report_id: int, rule: str, status: str, note: str | None = None, reviewer: str | None = None
) -> None:
    """Mark the failed check ``rule`` of ``report_id`` (replacing an earlier mark of the same content)."""
    if status not in STATUSES:
        raise ReviewError(f"status must be one of {', '.join(STATUSES)}")
    if status == "dismissed" and not (note or "").strip():
        raise ReviewError("a dismissal needs a note: what did we misread?")
    row = _target(conn, report_id, rule)
    conn.execute(_reviews.delete().where(_key(row, rule)))
    conn.execute(
        _reviews.insert().values(
            agency_id=row.agency_id,
            year=row.year,
            rule=rule,
            sha256=row.sha256,
            other_sha256=row.other_sha256,
            status=status,
            note=note,
            reviewer=reviewer or _user(),
            reviewed_at=datetime.now(UTC),
        )
    )


def reopen(conn: Connection, report_id: int, rule: str) -> bool:
    """Remove the mark of the check as the report now stands; False if it had none."""
    row = _target(conn, report_id, rule)
    return conn.execute(_reviews.delete().where(_key(row, rule))).rowcount > 0


def _user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return None
