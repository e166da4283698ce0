"""The ``crawl_runs`` table: one row per crawl, opened at the start and closed at the end."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .fetches import _run
from .models import CrawlRun

_runs = CrawlRun.__table__

#: Loader outcome → crawl_runs counter column.
OUTCOME_COLUMNS = {
    "inserted": "reports_new",
    "updated": "reports_changed",
    "unchanged": "reports_unchanged",
    "skipped": "reports_skipped",
    "refused": "reports_failed",  # the server sent something that is not the report: a failed fetch
    "spooled": "reports_failed",  # the database was down: loaded by the next start
    "failed": "reports_failed",
}


def start_run(
    bind: Engine | Connection,
    spider: str,
    args: dict[str, Any] | None = None,
    started_at: datetime | None = None,
) -> int:
    """Open a run and return its id."""
    row = {"spider": spider, "args": args or {}, "started_at": started_at or datetime.now(UTC)}
    return _run(
        bind, lambda conn: conn.execute(_runs.insert().values(**row).returning(_runs.c.id)).scalar_one()
    )



def start_run_once(bind: Engine | Connection, spider: str, args: dict[str, Any] | None, started_at: datetime) -> int:
    """``start_run`` that a writer may try again: a connection dropped after the server got the COMMIT has
    committed the run unbeknown to the caller, so a retry takes the open run of ``spider`` started at this
    very instant, if there is one, instead of opening a second (which, never finished, the next night
    would close as a killed crawl)."""
    found = _run(bind, lambda conn: conn.execute(sa.select(_runs.c.id).where(
        _runs.c.spider == spider, _runs.c.started_at == started_at, _runs.c.finished_at.is_(None))).scalar())
    return found if found is not None else start_run(bind, spider, args, started_at=started_at)

def tally(statuses: Iterable[str]) -> dict[str, int]:
    """Loader outcome statuses → the counter columns of ``finish_run``."""
    counts = Counter(statuses)
    out = dict.fromkeys(OUTCOME_COLUMNS.values(), 0)
    for status, column in OUTCOME_COLUMNS.items():
        out[column] += counts.get(status, 0)
    out["reports_found"] = sum(counts.values())
    return out


def finish_run(
    bind: Engine | Connection,
    run_id: int,
    *,
    outcome: str,
    reason: str | None = None,
    requests: int | None = None,
    bytes: int | None = None,  # noqa: A002 - the column's name
    errors: dict[str, int] | None = None,
    finished_at: datetime | None = None,
    **counts: int,
) -> None:
    """Close a run: ``outcome`` (success | partial | failed), counters, errors by kind.

    ``counts`` are column names (``reports_found``, ``reports_new`` …, see :func:`tally`).
    """
    unknown = set(counts) - set(OUTCOME_COLUMNS.values()) - {"reports_found"}
    if unknown:
        raise TypeError(f"unknown crawl_runs counters: {sorted(unknown)}")
    values: dict[str, Any] = {
        "outcome": outcome,
        "reason": reason,
        "finished_at": finished_at or datetime.now(UTC),
        **counts,
    }
    if requests is not None:
        values["requests"] = requests
    if bytes is not None:
        values["bytes"] = bytes
    if errors is not None:
        values["errors"] = errors
    _run(bind, lambda conn: conn.execute(_runs.update().where(_runs.c.id == run_id).values(**values)))
