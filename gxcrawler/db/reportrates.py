"""Each report's rates kept in a narrow table, so that a whole year's rates and ranks are an index read.

``v_rates_long`` and the rank views computed every rate from the headline columns of
``reports`` (``gxcrawler.db.rates``; ``v_rates``, one row per report, still does). A filter on an agency or a county reads a
few report rows; a filter on a **year** reads every report of the year — at 1,000,000
reports 143,000 rows of the 810 MB ``reports`` heap, whose rows are wide and whose years
are interleaved, so PostgreSQL reads the table whole — and computes seven rates of each
(``CASE`` on the rate's name, numeric division): 5–9.5 s at 1M, 435–505 ms at 100k under
load (docs/notes/performance.md, "Rates kept per report").

``report_rates`` holds **each report's rows of** ``v_rates_long``: per report and rate
(seven rows a report) its ``report_id``, ``agency_id``, ``year``, ``edition``, ``rate``,
``numerator``, ``base`` and ``value`` (NULL below the minimum base, as ``rates.value_sql``),
and since migration 0036 ``prev_report_id`` and ``prev_value``: the agency's report of the
year before and its value of the rate (NULL when there is none), so that a whole year's
``change`` is one index range (``ix_report_rates_year_change``), not a join of two years;
keyed by (agency, year, rate) and indexed by (year, rate). ``v_rates_long`` and the rank
views read it: a year is a range of the index and a scan of narrow rows (~70 bytes; a
``reports`` row is ~800), no arithmetic. One row per report with the seven rates side by
side was measured too: a quarter of the size, but unpivoting it (a ``VALUES`` list per
report) cost as much per rate as computing the rate (docs/notes/performance.md). Unlike a
rank, a rate is the report's own: writing one report changes no other report's rows but
the next year's seven (their previous year), so the table costs the loader seven small rows
a report, and seven more rewritten when a report's next year is already stored.

**Maintained by triggers, in the writing transaction** (PostgreSQL), as ``cell_sums`` and
the rank values (``gxcrawler.db.triggers``):

* ``reports`` INSERT / DELETE (statement level, transition tables): the written reports'
  rows inserted / deleted (found by their agencies: the key's first column); an inserted
  row's previous year read from ``reports`` as it stands (a previous year inserted by the
  same statement included);
* ``reports`` UPDATE: the rows of the reports whose agency, year, edition or a rate's column
  changed are deleted, then inserted again from the new rows (two statements: a report
  moved to the (agency, year) another one left in the same statement finds it gone); an
  UPDATE of nothing a rate reads (``listed``, ``updated_at``) writes nothing;
* after each of them (since 0036) the rows of the year after every written report's old and
  new (agency, year) get their previous year again from ``reports``, where it differs (a
  previous year arriving after the next, a replacement, a report moved or deleted);
* ``analytics_settings`` (the minimum base): every row recomputed;
* TRUNCATE of ``reports`` empties the table;
* since 0042 each of them first waits for the other transactions writing the same agencies'
  reports to commit (:func:`_lock`), so two loaders writing an agency's years N and N+1 at once
  do not each miss the other's report (N+1 kept no previous year).

An agency moved to another region changes nothing here (the views join the agency).
``LIVE_SQL`` is what the table must equal at any time (``tests/analytics/test_rank_values.py`` compares them after every kind of write).
SQLite keeps computing the rates when read.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import triggers
from .rates import _AGENCY, RATES, _by_rate, _rate_list, _sum, base_sql, value_sql

TABLE = "report_rates"

#: the table's columns as of migration 0029, in order
COLUMNS_0029: tuple[str, ...] = ("report_id", "agency_id", "year", "edition", "rate", "numerator", "base", "value")

#: since 0036 each row keeps the previous year's: the agency's report of the year before (its
#: id) and that report's value of the rate, NULL when there is no such report
COLUMNS: tuple[str, ...] = (*COLUMNS_0029, "prev_report_id", "prev_value")

#: the primary key: a report's rows found by its (agency, year), which ``reports`` keeps
#: unique, and a view's previous year by the same index
KEY: tuple[str, ...] = ("agency_id", "year", "rate")


def _previous(rate: str, report: str) -> str:
    """The previous-year columns of a row of the rate ``rate`` (an expression) whose previous
    year's report is the ``reports`` row ``report`` (NULLs when there is none)."""
    return f"{report}.id, {_by_rate(rate, lambda r: value_sql(r, report, 'postgresql'))}"


def _select(source: str, alias: str, previous: bool = True, agencies: str = "") -> str:
    """The rows of the reports ``source`` (named ``alias``): one per report and rate;
    ``previous`` (since 0036): with the previous year's, read from ``reports`` as it stands (a
    previous year's report written by the same statement included) — of the agencies
    ``agencies`` (an array; "": any) only, so that a statement's few reports look theirs up
    by the agency's index (a transition table has no statistics)."""
    before = f", {_previous('k.rate', 'q')}" if previous else ""
    only = f" AND q.agency_id = ANY({agencies})" if agencies else ""
    join = (f" LEFT JOIN reports q ON q.agency_id = {alias}.agency_id AND q.year = {alias}.year - 1{only}"
            if previous else "")
    return (
        f"SELECT {alias}.id, {alias}.agency_id, {alias}.year, {alias}.edition, k.rate, "
        f"{_by_rate('k.rate', lambda r: _sum(alias, r.numerator, 'postgresql'))}, "
        f"{_by_rate('k.rate', lambda r: base_sql(r, alias, 'postgresql'))}, "
        f"{_by_rate('k.rate', lambda r: value_sql(r, alias, 'postgresql'))}{before} "
        f"FROM {source} {alias} CROSS JOIN {_rate_list('postgresql')}{join}"
    )


#: every report's rows from the stored reports: what the table must equal at any time
LIVE_SQL = _select("reports", "r")
#: as of 0029 (no previous year)
LIVE_SQL_0029 = _select("reports", "r", previous=False)


#: the columns of ``reports`` a row reads (besides its id)
_READ = tuple(sorted({"agency_id", "year", "edition", *(c for r in RATES for c in (*r.numerator, *(r.base or ())))}))
_CHANGED = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in _READ)
#: the reports an UPDATE changed in a way that changes their rows: old (``o``) and new
#: (``n``) versions joined by id (one side missing if the id itself was updated)
_UPDATED = f"old_reports o FULL JOIN new_reports n ON n.id = o.id WHERE (o.id IS NULL OR n.id IS NULL OR {_CHANGED})"


def _delete(reports: str) -> str:
    """PL/pgSQL: the rows of the reports ``reports`` (a relation: id, agency_id, year) deleted —
    found by their agencies in the primary key (an array: a transition table has no statistics)."""
    return f"""
    DELETE FROM {TABLE} t USING {reports} o
    WHERE t.agency_id = ANY(ARRAY(SELECT o.agency_id FROM {reports} o))
      AND t.agency_id = o.agency_id AND t.year = o.year AND t.report_id = o.id;"""


def _agencies(reports: str) -> str:
    """The agencies of the reports ``reports`` as an array (a transition table has no
    statistics: an array of them is a condition on the agency's index)."""
    return f"ARRAY(SELECT o.agency_id FROM {reports} o)"


def _insert(reports: str, previous: bool) -> str:
    """PL/pgSQL: the rows of the reports ``reports`` (a relation of ``reports`` rows) inserted."""
    names = ", ".join(COLUMNS if previous else COLUMNS_0029)
    return f"""
    INSERT INTO {TABLE} ({names}) {_select(reports, 'n', previous, _agencies(reports))};"""


def _next_years(reports: str) -> str:
    """PL/pgSQL (since 0036): the previous-year columns of the rows of the year after each of the
    reports ``reports`` (a relation: agency_id, year) set from ``reports`` as it stands — where
    they differ, so a report whose next year is not stored (or was written by the same
    statement, with its previous year already read) writes nothing here."""
    value = _by_rate("t.rate", lambda r: value_sql(r, "q", "postgresql"))
    return f"""
    UPDATE {TABLE} t SET prev_report_id = q.id, prev_value = {value}
    FROM (SELECT DISTINCT o.agency_id, o.year FROM {reports} o) o
    LEFT JOIN reports q ON q.agency_id = o.agency_id AND q.year = o.year AND q.agency_id = ANY({_agencies(reports)})
    WHERE t.agency_id = ANY({_agencies(reports)}) AND t.agency_id = o.agency_id AND t.year = o.year + 1
      AND (t.prev_report_id IS DISTINCT FROM q.id OR t.prev_value IS DISTINCT FROM {value});"""


_OLD = f"(SELECT o.* FROM {_UPDATED} AND o.id IS NOT NULL)"
_NEW = f"(SELECT n.* FROM {_UPDATED} AND n.id IS NOT NULL)"

#: advisory lock keys (since 0042): ``(LOCK, agency_id)`` (two int4 keys) serialises the writers of
#: one agency's reports; ``LOCK`` alone (one bigint key: another key space) all of them
LOCK = 0x67787272  # "gxrr"
#: a statement writing more agencies than this takes ``LOCK`` alone, exclusively (a lock per agency
#: would fill the server's lock table), the others share it and take their agencies' locks
LOCK_AGENCIES = 256


def _lock(reports: str) -> str:
    """PL/pgSQL (since 0042): wait for every other transaction writing the agencies of ``reports`` (a
    relation with ``agency_id``) to commit, before ``reports`` is read for a previous or next year.

    Each transaction's trigger reads ``reports`` as that transaction sees it: two loaders writing
    an agency's years N and N+1 at once each missed the other's uncommitted report, and N+1 kept no
    previous year once both had committed. Held until the transaction ends; each later statement of
    the function reads what the other committed (READ COMMITTED: a snapshot per statement)."""
    agencies = f"(SELECT DISTINCT o.agency_id FROM {reports} o ORDER BY o.agency_id)"
    return f"""
    SELECT count(*) INTO locked FROM {agencies} l;
    IF locked > {LOCK_AGENCIES} THEN
        PERFORM pg_advisory_xact_lock({LOCK});
    ELSIF locked > 0 THEN
        PERFORM pg_advisory_xact_lock_shared({LOCK});
        PERFORM pg_advisory_xact_lock({LOCK}, l.agency_id) FROM {agencies} l;
    END IF;"""


def _functions(previous: bool, lock: bool = False) -> dict[str, str]:
    """function name -> body (PL/pgSQL statements); ``previous``: with the previous year's
    columns (0036), the next year's rows of every written report set again; ``lock`` (0042): each
    after the writers of the same agencies have committed (:func:`_lock`)."""
    columns = COLUMNS if previous else COLUMNS_0029
    live = LIVE_SQL if previous else LIVE_SQL_0029

    def after(reports: str) -> str:
        return _next_years(reports) if previous else ""

    def first(reports: str) -> str:
        return _lock(reports) if lock else ""

    changed = f"(SELECT o.agency_id FROM {_OLD} o UNION SELECT n.agency_id FROM {_NEW} n)"
    return {
        "report_rates_insert": first("new_reports") + _insert("new_reports", previous) + after("new_reports"),
        "report_rates_delete": first("old_reports") + _delete("old_reports") + after("old_reports"),
        # changed reports: the old rows all deleted, then the new ones inserted (a report moved
        # to the (agency, year) another left in the same statement finds its rows gone), then
        # the next year's rows of both the old and the new (agency, year)
        # (only if a report changed: an UPDATE of nothing a rate reads inserted no row)
        "report_rates_update": first(changed) + _delete(_OLD) + _insert(_NEW, previous)
        + (f"""
    GET DIAGNOSTICS written = ROW_COUNT;
    IF written > 0 THEN{after(f"(SELECT o.agency_id, o.year FROM {_OLD} o UNION SELECT n.agency_id, n.year FROM {_NEW} n)")}
    END IF;""" if previous else ""),
        "report_rates_truncate": f"\n    TRUNCATE {TABLE};",
        # the minimum base changed: every row
        "report_rates_settings": (f"\n    PERFORM pg_advisory_xact_lock({LOCK});" if lock else "")
        + f"\n    TRUNCATE {TABLE};\n    INSERT INTO {TABLE} ({', '.join(columns)}) {live};",
    }


#: function name -> body (PL/pgSQL statements), as of 0029
FUNCTIONS_0029: dict[str, str] = _functions(previous=False)
#: as of 0036: with the previous year's value
FUNCTIONS_0036: dict[str, str] = _functions(previous=True)
#: since 0042: each writer of an agency's reports after the others have committed
FUNCTIONS: dict[str, str] = _functions(previous=True, lock=True)

#: trigger name -> its definition (without CREATE TRIGGER name)
TRIGGERS: dict[str, str] = {
    "report_rates_insert": ("AFTER INSERT ON reports REFERENCING NEW TABLE AS new_reports "
                            "FOR EACH STATEMENT EXECUTE FUNCTION report_rates_insert()"),
    "report_rates_delete": ("AFTER DELETE ON reports REFERENCING OLD TABLE AS old_reports "
                            "FOR EACH STATEMENT EXECUTE FUNCTION report_rates_delete()"),
    "report_rates_update": ("AFTER UPDATE ON reports REFERENCING OLD TABLE AS old_reports "
                            "NEW TABLE AS new_reports FOR EACH STATEMENT EXECUTE FUNCTION report_rates_update()"),
    "report_rates_truncate": ("AFTER TRUNCATE ON reports FOR EACH STATEMENT "
                              "EXECUTE FUNCTION report_rates_truncate()"),
    "report_rates_settings": ("AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON analytics_settings "
                              "FOR EACH STATEMENT EXECUTE FUNCTION report_rates_settings()"),
}


#: the functions' variables, each declared when a body of the set uses it (0036: ``written``; 0042: ``locked``)
_VARIABLES = {"written": "written integer", "locked": "locked integer"}


def declarations(functions: dict[str, str]) -> str:
    """The DECLARE of ``functions``: the variables their bodies use."""
    return ";\n    ".join(decl for name, decl in _VARIABLES.items()
                          if any(re.search(rf"\b{name}\b", body) for body in functions.values()))


def create_triggers(conn: Connection, functions: dict[str, str] = FUNCTIONS) -> None:
    """The functions and triggers that keep ``report_rates`` current (PostgreSQL); by default
    today's (a migration passes those of its revision)."""
    triggers.create_triggers(conn, functions, TRIGGERS, declare=declarations(functions))


def drop_triggers(conn: Connection) -> None:
    triggers.drop_triggers(conn, TRIGGERS, FUNCTIONS)


def rebuild_statements(previous: bool = True) -> tuple[str, ...]:
    """Refill the table from the stored reports, in one transaction, in the key's order (as the
    loader writes them: a portal's agencies together); ``previous=False``: as of 0029."""
    columns, live = (COLUMNS, LIVE_SQL) if previous else (COLUMNS_0029, LIVE_SQL_0029)
    return (
        "LOCK TABLE reports IN SHARE MODE",
        f"TRUNCATE {TABLE}",
        f"INSERT INTO {TABLE} ({', '.join(columns)}) SELECT * FROM ({live}) l ORDER BY l.agency_id, l.year, l.rate",
    )


REBUILD: tuple[str, ...] = rebuild_statements()


def rebuild(conn: Connection, statements: tuple[str, ...] = REBUILD) -> None:
    for statement in statements:
        conn.execute(sa.text(statement))


def _constant(column: str) -> str:
    """A rate's ``label`` or ``formula`` by its name (computed only when a query reads it)."""
    whens = " ".join(f"WHEN '{r.name}' THEN '{getattr(r, column)}'" for r in RATES)
    return f"CASE t.rate {whens} END"


def rates_long_sql(previous: bool = True, next_year: bool = True, kept_previous: bool = True) -> str:
    """``v_rates_long`` (PostgreSQL): the rows of ``rates.rates_long_sql`` from the kept rows;
    ``previous=False``: without the previous year's, for the rank views.

    ``kept_previous`` (migration 0036): the previous year's report and value are the row's own
    (``prev_report_id``, ``prev_value``, kept by the triggers), so a whole year's ``change`` is
    one range of ``ix_report_rates_year_change`` read from the index alone, no join. Before
    (0029–0034) the previous year's row was joined, as follows.

    The agency (every report has one: a foreign key) and the previous year's row (at most one:
    the primary key) are LEFT JOINs, so a query that names none of their columns reads
    neither: a count of a year's rates is a range of the year's index.

    ``next_year`` (migration 0033): the previous year's row is also joined by
    ``p.year + 1 = t.year``, the same condition written with the previous row's side alone:
    a filter ``year = Y`` then reaches it as ``p.year + 1 = Y`` (PostgreSQL carries a constant
    across an outer join's equality, not through ``t.year - 1``), a range of
    ``ix_report_rates_next_year``, and a whole year's ``change`` is a hash join of two index
    ranges instead of a hash of the whole table or a look-up per row. ``p.year = t.year - 1``
    stays: the primary key proves the join unique by it (a query that names none of the
    previous year's columns reads none), and a filter by agency looks the rows up by it."""
    kept = previous and kept_previous
    side = "t" if kept else "p"
    before = f""",
    {side}.{'prev_' if kept else ''}report_id AS prev_report_id,
    {side}.{'prev_' if kept else ''}value AS prev_value,
    t.value - {side}.{'prev_' if kept else ''}value AS change""" if previous else ""
    also = " AND p.year + 1 = t.year" if next_year else ""
    join = (f"\nLEFT JOIN {TABLE} p ON p.agency_id = t.agency_id AND p.year = t.year - 1{also} AND p.rate = t.rate"
            if previous and not kept else "")
    return f"""
SELECT
    t.report_id,
    {_AGENCY.replace("a.id AS agency_id", "t.agency_id")},
    t.year,
    t.edition,
    t.rate,
    {_constant("label")} AS label,
    {_constant("formula")} AS formula,
    t.numerator,
    t.base,
    t.value{before}
FROM {TABLE} t
LEFT JOIN agencies a ON a.id = t.agency_id{join}
"""
