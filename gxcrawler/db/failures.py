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

**The report's agency and year are kept on the row too** (migration 0031), so worked query
5 names the agencies of these reports alone instead of joining every report's index entry
(3.2 s at 1,000,000 reports, 85,738 of them failing: docs/notes/performance.md, "Query 5 at
a million reports"). They are read from ``reports`` when the row is recomputed, and a row
trigger on ``reports`` moves them with a report given another agency or year
(``failed_identities_move``: queued only for a row whose agency or year changed).

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

#: the table's columns as of 0026, and since 0031 (the report's agency and year kept too)
COLUMNS_0026 = ("report_id", "identities_failed", "details")
COLUMNS = ("report_id", "agency_id", "year", "identities_failed", "details")


def _grouped(where: str = "", columns: tuple[str, ...] = COLUMNS) -> str:
    """The failed identities of the checks ``c`` (and ``c.report_id``'s filter ``where``), per
    report: worked query 5's grouped part as written since 0023, in the table's ``columns``
    (with the report's agency and year from ``reports`` since 0031)."""
    grouped = (
        "SELECT c.report_id, CAST(count(*) AS INTEGER) AS identities_failed, "
        "string_agg(c.rule || ' ' || c.\"left\" || '≠' || c.\"right\", '; ' ORDER BY c.rule) AS details "
        f"FROM check_results c WHERE NOT c.ok AND {IDENTITY}{where} GROUP BY c.report_id"
    )
    if columns == COLUMNS_0026:
        return grouped
    return (f"SELECT g.report_id, r.agency_id, r.year, g.identities_failed, g.details "
            f"FROM ({grouped}) g JOIN reports r ON r.id = g.report_id")


#: every row from the stored checks: what the table must equal at any time
LIVE_SQL = _grouped()


def _refresh(columns: tuple[str, ...]) -> str:
    """PL/pgSQL: the rows of the reports in the array ``ids``, recomputed from their checks."""
    kept = columns[1:]
    return f"""
    WITH f AS ({_grouped(" AND c.report_id = ANY(ids)", columns)}),
    gone AS (
        DELETE FROM failed_identities x
        WHERE x.report_id = ANY(ids) AND NOT EXISTS (SELECT 1 FROM f WHERE f.report_id = x.report_id)
    )
    INSERT INTO failed_identities AS x ({", ".join(columns)})
    SELECT * FROM f ORDER BY report_id
    ON CONFLICT (report_id) DO UPDATE
        SET ({", ".join(kept)}) = ({", ".join(f"excluded.{c}" for c in kept)})
        WHERE ({", ".join(f"x.{c}" for c in kept)}) IS DISTINCT FROM ({", ".join(f"excluded.{c}" for c in kept)});"""


def _touched(columns: tuple[str, ...], *tables: str) -> str:
    """PL/pgSQL: ``ids`` := the reports of the failed identities in the transition ``tables``."""
    union = " UNION ".join(f"SELECT c.report_id FROM {t} c WHERE NOT c.ok AND {IDENTITY}" for t in tables)
    return f"""
    SELECT array_agg(DISTINCT t.report_id) INTO ids FROM ({union}) t;
    IF ids IS NOT NULL THEN{_refresh(columns)}
    END IF;"""


def _functions(columns: tuple[str, ...]) -> dict[str, str]:
    return {
        "failed_identities_insert": _touched(columns, "new_checks"),
        "failed_identities_delete": _touched(columns, "old_checks"),
        "failed_identities_update": _touched(columns, "old_checks", "new_checks"),
        # DELETE, not TRUNCATE: ``TRUNCATE reports CASCADE`` truncates this table in the same
        # statement (its foreign key), and a table being truncated cannot be truncated again
        "failed_identities_truncate": "\n    DELETE FROM failed_identities;",
    }


#: trigger name -> its definition (without CREATE TRIGGER name), as of 0026
TRIGGERS_0026: dict[str, str] = {
    "failed_identities_insert": "AFTER INSERT ON check_results REFERENCING NEW TABLE AS new_checks "
    "FOR EACH STATEMENT EXECUTE FUNCTION failed_identities_insert()",
    "failed_identities_delete": "AFTER DELETE ON check_results REFERENCING OLD TABLE AS old_checks "
    "FOR EACH STATEMENT EXECUTE FUNCTION failed_identities_delete()",
    "failed_identities_update": "AFTER UPDATE ON check_results REFERENCING OLD TABLE AS old_checks "
    "NEW TABLE AS new_checks FOR EACH STATEMENT EXECUTE FUNCTION failed_identities_update()",
    "failed_identities_truncate": "AFTER TRUNCATE ON check_results FOR EACH STATEMENT "
    "EXECUTE FUNCTION failed_identities_truncate()",
}

#: function name -> body (PL/pgSQL statements), as of 0026
FUNCTIONS_0026: dict[str, str] = _functions(COLUMNS_0026)

#: since 0031: the rows keep the report's agency and year, and follow a report moved to
#: another agency or year
FUNCTIONS: dict[str, str] = {
    **_functions(COLUMNS),
    "failed_identities_move": """
    UPDATE failed_identities SET agency_id = NEW.agency_id, year = NEW.year WHERE report_id = NEW.id;""",
}
TRIGGERS: dict[str, str] = {
    **TRIGGERS_0026,
    # a row trigger, queued only for a row whose agency or year changed (the loader's UPDATE of
    # a replaced report sets both to what they were: the WHEN is all it costs); a deleted
    # report's row goes by the foreign key's cascade
    "failed_identities_move": "AFTER UPDATE OF agency_id, year ON reports FOR EACH ROW "
    "WHEN (OLD.agency_id IS DISTINCT FROM NEW.agency_id OR OLD.year IS DISTINCT FROM NEW.year) "
    "EXECUTE FUNCTION failed_identities_move()",
}


def create_triggers(
    conn: Connection, functions: dict[str, str] = FUNCTIONS, definitions: dict[str, str] = TRIGGERS
) -> None:
    """The functions and triggers that keep ``failed_identities`` current (PostgreSQL); by
    default today's (a migration passes those of its revision)."""
    triggers.create_triggers(conn, functions, definitions, declare="ids integer[]")


def drop_triggers(
    conn: Connection, functions: dict[str, str] = FUNCTIONS, definitions: dict[str, str] = TRIGGERS
) -> None:
    triggers.drop_triggers(conn, definitions, functions)


def rebuild_statements(columns: tuple[str, ...] = COLUMNS) -> tuple[str, ...]:
    """Refill ``failed_identities`` from the stored checks, in one transaction (no check written
    meanwhile)."""
    return (
        "LOCK TABLE check_results IN SHARE MODE",
        "TRUNCATE failed_identities",
        f"INSERT INTO failed_identities ({', '.join(columns)}) "
        f"SELECT * FROM ({_grouped('', columns)}) l ORDER BY report_id",
    )


REBUILD: tuple[str, ...] = rebuild_statements()


def rebuild(conn: Connection, statements: tuple[str, ...] = REBUILD) -> None:
    """Refill ``failed_identities`` from the stored checks (PostgreSQL; the caller's transaction)."""
    for statement in statements:
        conn.execute(sa.text(statement))
