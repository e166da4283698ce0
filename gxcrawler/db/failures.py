"""Each report's failed identities, counted and listed, kept current by the database.

Worked query 5 (every report that breaks its own identities, worst first, with the
failures listed) grouped the failed checks of every report each time it ran: 433–575 ms at
100,000 reports and ~4 s at 1,000,000 (docs/notes/performance.md) — a parallel scan of
the failed-checks index, a sort per report inside ``string_agg`` and the hand-over of
265,000 rows between processes at 1M. ``failed_identities`` holds the answer's grouped
part already made: one row per report with at least one failed identity (a check of kind
``identity`` in ``v_failed_checks``: not ``narrative.*``, not ``years.*``), the number of
them and the same text the query built (``rule left≠right``, ``; ``-separated, by rule).

**Maintained by triggers on ``check_results``, in the writing transaction** (PostgreSQL),
as ``cell_sums`` is: whatever writes checks — the loader's batch COPY, its one-report
statements, a replacement (delete, then insert), a re-parse, a hand-made UPDATE or DELETE,
a report's deletion (its checks go by cascade) — the same statement recomputes the rows of
the reports it touched, from ``check_results`` itself, with the query's own expressions.
Only checks that are failed identities touch a report's row (one report in eleven in the
generated data), and those are read from the partial index of failed checks; a statement
writing only checks that hold costs the scan of its transition table. The rows are
recomputed, not adjusted, so the table equals the query over the checks at any time
(``LIVE_SQL``; ``tests/db/test_failed_identities.py`` after every kind of write).

SQLite (small, embedded databases): no table; the worked queries are PostgreSQL's.
:func:`rebuild` refills the table (the migration; a bulk restore with the triggers off,
``benchmarks/scale_data.py``).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import triggers
from .views import RULE_KINDS_0008, _case

#: a failed check of ``c`` is an identity: v_failed_checks' ``kind`` (0008 on) = 'identity'
IDENTITY = f"{_case('c.rule', RULE_KINDS_0008, 'identity')} = 'identity'"

#: the failed identities of the checks ``c`` (and ``c.report_id``'s filter ``where``), per report:
#: worked query 5's grouped part as written since 0023
def _grouped(where: str = "") -> str:
    return (
        "SELECT c.report_id, CAST(count(*) AS INTEGER) AS identities_failed, "
        "string_agg(c.rule || ' ' || c.\"left\" || '≠' || c.\"right\", '; ' ORDER BY c.rule) AS details "
        f"FROM check_results c WHERE NOT c.ok AND {IDENTITY}{where} GROUP BY c.report_id"
    )


#: every row from the stored checks: what the table must equal at any time
LIVE_SQL = _grouped()

#: the rows of the reports in the PL/pgSQL array ``ids``, recomputed from their checks
_REFRESH = f"""
    WITH f AS ({_grouped(" AND c.report_id = ANY(ids)")}),
    gone AS (
        DELETE FROM failed_identities x
        WHERE x.report_id = ANY(ids) AND NOT EXISTS (SELECT 1 FROM f WHERE f.report_id = x.report_id)
    )
    INSERT INTO failed_identities AS x (report_id, identities_failed, details)
    SELECT * FROM f ORDER BY report_id
    ON CONFLICT (report_id) DO UPDATE
        SET identities_failed = excluded.identities_failed, details = excluded.details
        WHERE (x.identities_failed, x.details) IS DISTINCT FROM (excluded.identities_failed, excluded.details);"""


def _touched(*tables: str) -> str:
    """PL/pgSQL: ``ids`` := the reports of the failed identities in the transition ``tables``."""
    union = " UNION ".join(f"SELECT c.report_id FROM {t} c WHERE NOT c.ok AND {IDENTITY}" for t in tables)
    return f"""
    SELECT array_agg(DISTINCT t.report_id) INTO ids FROM ({union}) t;
    IF ids IS NOT NULL THEN{_REFRESH}
    END IF;"""


#: function name -> body (PL/pgSQL statements)
FUNCTIONS: dict[str, str] = {
    "failed_identities_insert": _touched("new_checks"),
    "failed_identities_delete": _touched("old_checks"),
    "failed_identities_update": _touched("old_checks", "new_checks"),
    # DELETE, not TRUNCATE: ``TRUNCATE reports CASCADE`` truncates this table in the same
    # statement (its foreign key), and a table being truncated cannot be truncated again
    "failed_identities_truncate": "\n    DELETE FROM failed_identities;",
}

#: trigger name -> its definition (without CREATE TRIGGER name)
TRIGGERS: dict[str, str] = {
    "failed_identities_insert": "AFTER INSERT ON check_results REFERENCING NEW TABLE AS new_checks "
    "FOR EACH STATEMENT EXECUTE FUNCTION failed_identities_insert()",
    "failed_identities_delete": "AFTER DELETE ON check_results REFERENCING OLD TABLE AS old_checks "
    "FOR EACH STATEMENT EXECUTE FUNCTION failed_identities_delete()",
    "failed_identities_update": "AFTER UPDATE ON check_results REFERENCING OLD TABLE AS old_checks "
    "NEW TABLE AS new_checks FOR EACH STATEMENT EXECUTE FUNCTION failed_identities_update()",
    "failed_identities_truncate": "AFTER TRUNCATE ON check_results FOR EACH STATEMENT "
    "EXECUTE FUNCTION failed_identities_truncate()",
}


def create_triggers(conn: Connection) -> None:
    """The functions and triggers that keep ``failed_identities`` current (PostgreSQL)."""
    triggers.create_triggers(conn, FUNCTIONS, TRIGGERS, declare="ids integer[]")


def drop_triggers(conn: Connection) -> None:
    triggers.drop_triggers(conn, TRIGGERS, FUNCTIONS)


#: refill ``failed_identities`` from the stored checks, in one transaction (no check written meanwhile)
REBUILD: tuple[str, ...] = (
    "LOCK TABLE check_results IN SHARE MODE",
    "TRUNCATE failed_identities",
    f"INSERT INTO failed_identities (report_id, identities_failed, details) "
    f"SELECT * FROM ({LIVE_SQL}) l ORDER BY report_id",
)


def rebuild(conn: Connection) -> None:
    """Refill ``failed_identities`` from the stored checks (PostgreSQL; the caller's transaction)."""
    for statement in REBUILD:
        conn.execute(sa.text(statement))
