"""Every cell summed per county (or city), year and edition, kept current by the database.

Questions over many reports — why requests were refused (eight keys, every report), a
county's litigation outcomes over four years, a whole year's or city's cells — read
hundreds of thousands to millions of ``report_values`` rows: seconds at 100,000 reports
(docs/notes/performance.md). ``cell_sums`` holds those sums already made, one row per
(province, city, county, year, edition, key) with the number of reports that have the
cell and the sum of their values; ``v_cell_sums`` labels it, and the worked queries and
``v_rollup_cells`` read it (a few thousand rows instead of millions of cells).

**Maintained by triggers, in the writing transaction** (PostgreSQL). Whatever writes
cells — the loader's batch COPY, its one-report statements, a replacement (delete, then
insert), a re-parse, a hand-made DELETE — the same transaction adds or subtracts the
cells' sums, so the table is never stale and never counts a rolled-back load:

* ``report_values`` INSERT / DELETE / UPDATE: one statement-level trigger each, reading
  the rows the statement wrote (transition tables) grouped by region, year and edition;
* ``reports`` DELETE: its cells are subtracted *before* the row goes (the cascade that
  deletes them afterwards finds no report any more, so nothing is subtracted twice);
  ``reports`` UPDATE of agency, year or edition and ``agencies`` UPDATE of the region
  move the report's (agency's) cells from the old group to the new one;
* TRUNCATE of ``report_values`` empties the table.

An unchanged reload writes no cell and so costs nothing here. A group whose last report
goes is deleted (``v_cell_sums`` shows exactly the groups the cells make). Deltas are
applied in one ``INSERT … ON CONFLICT DO UPDATE`` per statement, in the unique index's
order, so two loaders writing the same county take the row locks in the same order.

Cost (docs/notes/performance.md, "The loader and the sums"): every loaded batch updates
the sums of its places once per group, so the pipeline writes batches of up to 100 reports;
with the cells summed per numbered place (:func:`delta_sql`) that is ~0.5–1 ms of a
report's 5.6–6.5 ms of loader CPU in ``benchmarks/load_speed.py`` (was 4–5 ms with batches
of 20).

Sums are exact NUMERIC and equal to summing the cells; after a cell is subtracted the
printed scale may keep the removed cell's decimals (``1.50`` for ``1.5``: the same number).

SQLite (small, embedded databases): no table; ``v_cell_sums`` computes the same rows
from the cells when read. :func:`rebuild` refills the table from the cells (the
migration, a bulk restore with triggers off: ``benchmarks/scale_data.py``).
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from . import triggers

#: the grouping columns, in the unique index's order: region first, so that a batch of one
#: portal's reports (one county or city) updates neighbouring rows and index entries
GROUP = ("county", "city", "province", "year", "edition", "key")


def delta_sql(
    cells: str, reports: str = "reports", agencies: str = "agencies", sign: str = "", few: bool = True
) -> str:
    """Sums of the ``cells`` rows per group, their reports' region from ``reports``/``agencies``.

    Each argument is a table name or a parenthesized query with the same columns; ``sign``
    ``-`` gives the amounts to subtract. ``few``: the cells are a batch's — their reports are
    looked up by id (a transition table has no statistics: left to itself the planner hashed
    every report and agency for each batch, 0.5 s at 100,000 reports).

    The cells are summed per (place, key), a place being a number given to each distinct
    (county, city, province, year, edition) of their reports, and the place's columns joined
    back after: hashing five region and year columns for every cell cost four times as much
    (0.95 vs 0.24 s of server CPU for 200,000 cells, docs/notes/performance.md).
    """
    only = f" WHERE r.id = ANY(ARRAY(SELECT DISTINCT report_id FROM {cells} d))" if few else ""
    place = ", ".join(f"g.{c}" for c in GROUP if c != "key")
    return (
        f"WITH g AS (SELECT r.id, a.county, a.city, a.province, r.year, r.edition, "
        f"dense_rank() OVER (ORDER BY a.county, a.city, a.province, r.year, r.edition) AS place "
        f"FROM {reports} r JOIN {agencies} a ON a.id = r.agency_id{only}) "
        f"SELECT {place}, d.key, {sign}d.reports AS reports, {sign}d.value AS value "
        f"FROM (SELECT g.place, v.key, CAST(count(*) AS INTEGER) AS reports, sum(v.value) AS value "
        f"FROM {cells} v JOIN g ON g.id = v.report_id GROUP BY g.place, v.key) d "
        f"JOIN (SELECT DISTINCT place, {place} FROM g) g ON g.place = d.place"
    )


#: every group from the stored cells: what the table must equal at any time
LIVE_SQL = delta_sql("report_values", few=False)

_COLUMNS = ", ".join(GROUP)


def _apply(delta: str) -> str:
    """PL/pgSQL: add the ``delta`` rows to ``cell_sums``, then delete the groups left empty."""
    return f"""
    WITH up AS (
        INSERT INTO cell_sums AS s ({_COLUMNS}, reports, value)
        SELECT * FROM ({delta}) d ORDER BY {_COLUMNS}
        ON CONFLICT ({_COLUMNS}) DO UPDATE SET reports = s.reports + excluded.reports, value = s.value + excluded.value
        RETURNING s.ctid, s.reports
    )
    SELECT array_agg(ctid) FILTER (WHERE reports <= 0) INTO gone FROM up;
    IF gone IS NOT NULL THEN
        DELETE FROM cell_sums WHERE ctid = ANY(gone);
    END IF;"""


#: a report's row as it was / is, for the triggers on ``reports``
_OLD_REPORT = "(SELECT OLD.id AS id, OLD.agency_id AS agency_id, OLD.year AS year, OLD.edition AS edition)"
_NEW_REPORT = "(SELECT NEW.id AS id, NEW.agency_id AS agency_id, NEW.year AS year, NEW.edition AS edition)"
_OLD_AGENCY = "(SELECT OLD.id AS id, OLD.province AS province, OLD.city AS city, OLD.county AS county)"
_OLD_CELLS = "(SELECT * FROM report_values WHERE report_id = OLD.id)"
_AGENCY_CELLS = "(SELECT c.* FROM report_values c JOIN reports e ON e.id = c.report_id WHERE e.agency_id = OLD.id)"

#: PL/pgSQL (since 0043): an agency's region changed waits for every transaction writing reports or
#: cells to end (and holds the next ones until it ends), so that it moves the cells they wrote and they
#: add theirs to the region it gives. The loader's foreign key locks the agency row FOR KEY SHARE, which an
#: UPDATE of the region columns does not wait for: each side missed the other's uncommitted rows, and a
#: report loaded meanwhile stayed in the old county's sums. Only this rare, hand-made write waits.
WAIT_FOR_WRITERS = "\n    LOCK TABLE reports, report_values IN SHARE MODE;"

#: function name -> body (PL/pgSQL statements), as of 0025
FUNCTIONS_0025: dict[str, str] = {
    "cell_sums_insert": _apply(delta_sql("new_cells")),
    "cell_sums_delete": _apply(delta_sql("old_cells", sign="-")),
    "cell_sums_update": _apply(delta_sql("old_cells", sign="-")) + _apply(delta_sql("new_cells")),
    "cell_sums_truncate": "\n    TRUNCATE cell_sums;",
    # BEFORE DELETE: returns OLD so that the row is deleted
    "cell_sums_report_delete": _apply(delta_sql(_OLD_CELLS, _OLD_REPORT, sign="-")),
    "cell_sums_report_move": _apply(delta_sql(_OLD_CELLS, _OLD_REPORT, sign="-"))
    + _apply(delta_sql(_OLD_CELLS, _NEW_REPORT)),
    "cell_sums_agency_move": _apply(delta_sql(_AGENCY_CELLS, agencies=_OLD_AGENCY, sign="-"))
    + _apply(delta_sql(_AGENCY_CELLS)),
}

#: since 0043: an agency's move after the writers of reports and cells (:data:`WAIT_FOR_WRITERS`)
FUNCTIONS: dict[str, str] = {
    **FUNCTIONS_0025,
    "cell_sums_agency_move": WAIT_FOR_WRITERS + FUNCTIONS_0025["cell_sums_agency_move"],
}

#: trigger name -> its definition (without CREATE TRIGGER name)
TRIGGERS: dict[str, str] = {
    "cell_sums_insert": "AFTER INSERT ON report_values REFERENCING NEW TABLE AS new_cells "
    "FOR EACH STATEMENT EXECUTE FUNCTION cell_sums_insert()",
    "cell_sums_delete": "AFTER DELETE ON report_values REFERENCING OLD TABLE AS old_cells "
    "FOR EACH STATEMENT EXECUTE FUNCTION cell_sums_delete()",
    "cell_sums_update": "AFTER UPDATE ON report_values REFERENCING OLD TABLE AS old_cells NEW TABLE AS new_cells "
    "FOR EACH STATEMENT EXECUTE FUNCTION cell_sums_update()",
    "cell_sums_truncate": "AFTER TRUNCATE ON report_values FOR EACH STATEMENT EXECUTE FUNCTION cell_sums_truncate()",
    "cell_sums_report_delete": "BEFORE DELETE ON reports FOR EACH ROW EXECUTE FUNCTION cell_sums_report_delete()",
    "cell_sums_report_move": "AFTER UPDATE OF agency_id, year, edition ON reports FOR EACH ROW "
    "WHEN (OLD.agency_id IS DISTINCT FROM NEW.agency_id OR OLD.year IS DISTINCT FROM NEW.year "
    "OR OLD.edition IS DISTINCT FROM NEW.edition) EXECUTE FUNCTION cell_sums_report_move()",
    "cell_sums_agency_move": "AFTER UPDATE OF province, city, county ON agencies FOR EACH ROW "
    "WHEN (OLD.province IS DISTINCT FROM NEW.province OR OLD.city IS DISTINCT FROM NEW.city "
    "OR OLD.county IS DISTINCT FROM NEW.county) EXECUTE FUNCTION cell_sums_agency_move()",
}


def create_triggers(conn: Connection, functions: dict[str, str] = FUNCTIONS) -> None:
    """The functions (by default today's; a migration passes its revision's) and triggers that keep
    ``cell_sums`` current (PostgreSQL)."""
    triggers.create_triggers(conn, functions, TRIGGERS, declare="gone tid[]")


def drop_triggers(conn: Connection) -> None:
    triggers.drop_triggers(conn, TRIGGERS, FUNCTIONS)


#: refill ``cell_sums`` from the stored cells, in one transaction (no cell written
#: meanwhile), a region's rows together on the table's pages
REBUILD: tuple[str, ...] = (
    "LOCK TABLE report_values IN SHARE MODE",
    "TRUNCATE cell_sums",
    f"INSERT INTO cell_sums ({_COLUMNS}, reports, value) SELECT * FROM ({LIVE_SQL}) l ORDER BY {_COLUMNS}",
)


def rebuild(conn: Connection) -> None:
    """Refill ``cell_sums`` from the stored cells (PostgreSQL; the caller's transaction)."""
    for statement in REBUILD:
        conn.exec_driver_sql(statement)


def view_sql(dialect: str) -> str:
    """``v_cell_sums``: the sums with their labels (the report edition's wording, as the
    long views print them); on SQLite computed from the cells when read."""
    from .views import edition_label

    source = "cell_sums" if dialect == "postgresql" else f"({LIVE_SQL})"
    return f"""
SELECT
    s.province, s.city, s.county, s.year, s.edition,
    s.key, m.section, m.table_code, m.table_label,
    m.row_key, {edition_label("row_label", "s.edition")},
    m.column_key, {edition_label("column_label", "s.edition")},
    m.ordinal,
    s.reports,
    s.value
FROM {source} s
JOIN metrics m ON m.key = s.key
"""


#: ``sum`` of NUMERIC values with no accumulator (migration 0038, PostgreSQL): a group's first
#: value is its state and ``numeric_add`` adds each next one — exact, the same number and
#: printed scale as ``sum`` (both keep the largest scale of the values added). ``sum`` builds
#: an accumulator per group and a NUMERIC from it at the end: at a year of ``v_rollup_cells``,
#: hundreds of thousands of groups of one or two sums, that was a fifth of the query.
TOTAL = "numeric_total"
CREATE_TOTAL = (
    f"CREATE OR REPLACE AGGREGATE {TOTAL}(numeric) "
    "(SFUNC = numeric_add, STYPE = numeric, COMBINEFUNC = numeric_add, PARALLEL = SAFE)"
)
DROP_TOTAL = f"DROP AGGREGATE IF EXISTS {TOTAL}(numeric)"

_LABELS = "m.table_code, m.row_key, m.row_label, m.column_key, m.column_label, m.ordinal"


def rollup_cells_sql(dialect: str, key_first: bool = False, summed_first: bool = False) -> str:
    """``v_rollup_cells`` (migration 0016): its rows (issue 15, ``regions.cells_sql``) from
    ``cell_sums``, both editions together; SQLite keeps computing them from the cells.

    ``key_first`` (migration 0023): the same groups, named by the key (``metrics.key``
    is the labels' primary key), the key first and then the county: the sums come in the
    order of ``ix_cell_sums_key`` (key, year), so a year's 87,600 sums at 100,000 reports
    are sorted a key at a time in memory (they were sorted on eleven columns at once, on
    disk with ``work_mem`` 4 MB), and most comparisons end at the county.

    ``summed_first`` (migration 0038): the same groups, the editions' sums added first and
    the labels joined to the groups (``metrics.key`` is unique, so a group keeps its one
    label row or, its key unknown, is left out, as before), the values added by
    :data:`TOTAL`: a year's ~874,000 groups at 1,000,000 reports each carried through the
    join before the grouping and each built a ``sum`` accumulator (docs/notes/performance.md,
    "A year of ``v_rollup_cells`` added without an accumulator").
    """
    if dialect != "postgresql":
        from .regions import cells_sql

        return cells_sql(dialect)
    labels = _LABELS
    if summed_first:
        return f"""
SELECT
    s.province, s.city, s.county, s.year,
    s.key, {labels},
    s.reports,
    s.value
FROM (
    SELECT key, year, county, city, province, sum(reports) AS reports, {TOTAL}(value) AS value
    FROM cell_sums
    GROUP BY key, year, county, city, province
) s
JOIN metrics m ON m.key = s.key
"""
    group = (
        "s.key, s.year, s.county, s.city, s.province, m.key"
        if key_first
        else f"s.province, s.city, s.county, s.year, s.key, {labels}"
    )
    return f"""
SELECT
    s.province, s.city, s.county, s.year,
    s.key, {labels},
    sum(s.reports) AS reports,
    sum(s.value) AS value
FROM cell_sums s
JOIN metrics m ON m.key = s.key
GROUP BY {group}
"""
