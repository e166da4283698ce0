"""The rank views from each partition's values kept sorted, so that any filter reaches the tables.

``v_rate_ranks_county`` and ``v_rate_ranks_city`` rank each report's rate among the
agencies of its county (city) and year (``gxcrawler.db.rates.ranks_sql``: ``rank()`` over a
window). A window cannot be filtered below its partition, so a filter on the agency alone
ranked every report first: 28–35 s at 100,000 reports, and ``v_rate_ranks_city`` by county
30 s (docs/notes/performance.md). Two alternatives were weighed there: a rank counted per
row (1 + the peers with a higher value: the partition read once per row, seconds for a
city or a year) and a table of ranks kept by the loader (a new value moves the rank of
every report below it: a batch rewrites whole city-years, ~125 rows a report).

What is kept instead is smaller than either: **for each partition and rate, its non-NULL
values sorted** (``rank_values_county``: province, city, county, year, rate;
``rank_values_city``: province, city, year, rate; ``ranked`` = how many, ``sorted`` the
values, smallest first). A report's rank is then ``1 + ranked - width_bucket(value,
sorted)`` — ``width_bucket`` counts the sorted values ≤ ``value`` by binary search, so
this is 1 + the values greater than it, which is ``rank()`` over the values descending,
ties sharing a rank — and ``ranked`` is the window's ``count(value)``. The views join
each report to its partition's row: a filter on anything (agency, county, city, year)
applies to the reports first, and each row costs one index look-up.

**Maintained by triggers, in the writing transaction** (PostgreSQL), as ``cell_sums``:

* ``reports`` INSERT / UPDATE / DELETE (statement level, transition tables): the values of
  the written reports — as they were, taken out; as they are, added — are merged into their
  partitions' arrays (a value taken out removes one equal value); a partition left without
  a value is deleted. The merge reads the partition's latest row inside ``ON CONFLICT DO
  UPDATE``, so two loaders writing one partition each keep the other's values. An UPDATE
  that changes none of the rates' columns, the agency or the year (``listed``,
  ``updated_at``) changes nothing. Since 0041 a partition the statement takes no value from
  (every partition of an INSERT — the loader's first loads —, an UPDATE's partitions that only
  gain) gets its values and the new ones sorted together (:func:`_sort`: the merge's result
  when nothing is removed, without its window and count per value: 3× cheaper at 600 values a
  partition), and an INSERT no longer looks for emptied partitions; a DELETE, and an UPDATE's
  partitions that lose a value, merge as before (``FUNCTIONS_0027``, what 0027 installed);
* ``agencies`` UPDATE of province, city or county: the agency's partitions before and
  after are recomputed from ``reports``;
* ``analytics_settings`` (the minimum base, ``rates.MIN_BASE_SETTING``): every partition
  recomputed;
* TRUNCATE of ``reports`` empties both tables.

The tables equal the values at any time (``LIVE_COUNTY`` / ``LIVE_CITY``;
``tests/analytics/test_rank_values.py`` compares tables and views with them and with the
window SQL after every kind of write). A partition without a value has no row (the view's
``ranked`` is then 0). A NULL city or province is stored as :data:`NULL_REGION`. SQLite
keeps the window views. What it costs the loader: docs/notes/performance.md.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import reportrates, triggers
from .cellsums import WAIT_FOR_WRITERS
from .rates import RATES, _by_rate, _rate_list, rates_long_sql, value_sql

#: scope -> (the partition's region columns, in the unique index's order)
SCOPES: dict[str, tuple[str, ...]] = {
    "county": ("county", "city", "province"),
    "city": ("city", "province"),
}


def table(scope: str) -> str:
    return f"rank_values_{scope}"


#: a NULL region column as the tables store it (their columns are NOT NULL: a primary key,
#: which lets PostgreSQL drop the views' join when no rank is asked for, and plain
#: equalities, which a hash join and the index can use): U+001F, in no region's name
NULL_REGION = "E'\\x1F'"


def _key(expr: str) -> str:
    return f"COALESCE({expr}, {NULL_REGION})"


def _same(left: str, right: str, columns: tuple[str, ...]) -> str:
    """``left`` and ``right`` in the same region (NULL-safe, as a window's partition is)."""
    return " AND ".join(f"{left}.{c} IS NOT DISTINCT FROM {right}.{c}" for c in columns)


def _values(scope: str, keys: str | None) -> str:
    """The partitions' rows (region, year, rate, ranked, sorted) of the partitions in ``keys``
    (a relation with the scope's region columns and ``year``, few rows), or of every report."""
    region = SCOPES[scope]
    value = _by_rate("k.rate", lambda r: value_sql(r, "r", "postgresql"))
    cols = ", ".join(f"a.{c}" if c == "county" else _key(f"a.{c}") for c in region)
    where = "a.county IS NOT NULL" if scope == "county" else "TRUE"
    if keys is None:
        source = "reports r JOIN agencies a ON a.id = r.agency_id"
    else:
        # the keys' agencies by the index on their county (never NULL here) or city — an
        # array of them, as a CTE has no statistics (the planner read every agency) — and
        # agencies without a city, which are a partition too; then their reports of the year
        first, rest = region[0], region[1:]
        agencies = (
            f"SELECT q.year, a.* FROM {keys} q JOIN agencies a ON a.{first} = q.{first} AND {_same('a', 'q', rest)} "
            f"WHERE a.{first} = ANY(ARRAY(SELECT q.{first} FROM {keys} q))"
        )
        if scope == "city":
            agencies += (
                f" UNION ALL SELECT q.year, a.* FROM {keys} q JOIN agencies a ON a.city IS NULL AND q.city IS NULL "
                f"AND {_same('a', 'q', rest)}"
            )
        source = f"({agencies}) a JOIN reports r ON r.agency_id = a.id AND r.year = a.year"
    return (
        f"SELECT {cols}, r.year, k.rate, count(x.v) AS ranked, "
        f"array_agg(x.v ORDER BY x.v) FILTER (WHERE x.v IS NOT NULL) AS sorted "
        f"FROM {source} CROSS JOIN {_rate_list('postgresql')} "
        f"CROSS JOIN LATERAL (SELECT {value} AS v) x "
        f"WHERE {where} GROUP BY 1, {', '.join(str(i) for i in range(2, len(region) + 1))}, r.year, k.rate "
        "HAVING count(x.v) > 0"
    )


#: every partition's row from the stored reports: what each table must equal at any time
LIVE_COUNTY = _values("county", None)
LIVE_CITY = _values("city", None)


def _columns(scope: str) -> str:
    return ", ".join((*SCOPES[scope], "year", "rate", "ranked", "sorted"))


def _refresh(scope: str, keys: str) -> str:
    """PL/pgSQL: the partitions of ``keys`` (a relation: county, city, province, year)
    recomputed — their rows deleted, then those that have a value inserted again (two
    statements: in one, the insert may run before the delete)."""
    t, region = table(scope), SCOPES[scope]
    only = " WHERE k.county IS NOT NULL" if scope == "county" else ""
    q = f"WITH q AS MATERIALIZED (SELECT DISTINCT {', '.join(region)}, year FROM {keys} k{only})"
    first = _key(f"q.{region[0]}")
    return f"""
    {q}
    DELETE FROM {t} p USING q
    WHERE {" AND ".join(f"p.{c} = {_key(f'q.{c}')}" for c in region)} AND p.year = q.year
      AND p.{region[0]} = ANY(ARRAY(SELECT {first} FROM q));
    {q}
    INSERT INTO {t} ({_columns(scope)}) {_values(scope, 'q')};"""


#: the columns of ``reports`` a rank depends on (besides agency and year)
_RATE_COLUMNS = tuple(sorted({c for r in RATES for c in (*r.numerator, *(r.base or ()))}))

#: a report row updated in a way that can change a rank (not ``listed``, ``updated_at``, …)
_CHANGED = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in ("agency_id", "year", *_RATE_COLUMNS))

#: an agency moved: its partitions before (OLD) and after (NEW), every year it has a report
_MOVED = (
    "(SELECT OLD.county AS county, OLD.city AS city, OLD.province AS province, r.year "
    "FROM reports r WHERE r.agency_id = OLD.id "
    "UNION ALL SELECT NEW.county, NEW.city, NEW.province, r.year FROM reports r WHERE r.agency_id = NEW.id)"
)

def _merge(existing: str, added: str, removed: str) -> str:
    """A query of one row (ranked, sorted): the multiset ``existing`` + ``added`` − ``removed``
    (numeric arrays; a value removed once takes one equal value out), sorted."""
    return (
        "SELECT count(*) AS ranked, COALESCE(array_agg(w.v ORDER BY w.v), '{}'::numeric[]) AS sorted "
        f"FROM (SELECT u.v, row_number() OVER (PARTITION BY u.v) AS i FROM (SELECT unnest({existing}) AS v "
        f"UNION ALL SELECT unnest({added})) u) w "
        f"WHERE w.i > (SELECT count(*) FROM unnest({removed}) AS r(v) WHERE r.v = w.v)"
    )


def _sort(existing: str, added: str) -> str:
    """A query of one row (ranked, sorted): the multiset ``existing`` + ``added``, sorted — what
    :func:`_merge` gives when nothing is removed (each value's count of removed values is then 0
    and ``row_number()`` ≥ 1, so every value passes): one sort instead of a window's sort, a
    count per value and the aggregate's sort."""
    return (
        "SELECT count(*) AS ranked, COALESCE(array_agg(u.v ORDER BY u.v), '{}'::numeric[]) AS sorted "
        f"FROM (SELECT unnest({existing}) AS v UNION ALL SELECT unnest({added})) u"
    )


#: how a function's partitions are combined with its values (:func:`_apply`): ``merge`` — 0027's
#: merge for every partition; ``sort`` — the statement takes nothing out (INSERT): a plain sort,
#: and no partition can be left empty; ``either`` — per partition, a plain sort where the
#: statement takes none of its values out, the merge where it takes some
COMBINE = ("merge", "sort", "either")


def _combined(existing: str, combine: str) -> str:
    """The query of one row (ranked, sorted) for the partition ``g`` (its ``added`` and
    ``removed`` values) and the ``existing`` array: see :data:`COMBINE`. In ``either`` the
    branch not taken is cut by its one-time filter (a condition on ``g`` alone)."""
    if combine == "merge":
        return _merge(existing, "g.added", "g.removed")
    if combine == "sort":
        return _sort(existing, "g.added")
    assert combine == "either", combine
    return (
        f"SELECT * FROM ({_sort(existing, 'g.added')}) p WHERE g.removed IS NULL UNION ALL "
        f"SELECT * FROM ({_merge(existing, 'g.added', 'g.removed')}) q WHERE g.removed IS NOT NULL"
    )


def _apply(scope: str, rows: str, combine: str = "merge") -> str:
    """PL/pgSQL: the values of ``rows`` (reports' agency_id, year and rate columns, and ``sign``:
    1 a value that comes, -1 one that goes) added to or taken from their partitions' sorted
    values. In ``ON CONFLICT DO UPDATE`` the existing row is the latest committed one, so two
    loaders writing one partition each add their own values to what the other left (as
    ``cell_sums`` adds its deltas); a partition left without a value is deleted after (not
    with ``combine="sort"``: a statement that takes nothing out leaves none without a value —
    each partition it writes gets at least one — and the tables keep no empty partition).
    ``combine``: :data:`COMBINE`."""
    t, region = table(scope), SCOPES[scope]
    value = _by_rate("k.rate", lambda r: value_sql(r, "t", "postgresql"))
    stored = ", ".join(f"a.{c}" if c == "county" else f"{_key(f'a.{c}')} AS {c}" for c in region)
    names = ", ".join(region)
    county = " AND a.county IS NOT NULL" if scope == "county" else ""
    pk = (*region, "year", "rate")
    match = " AND ".join(f"g.{c} = s.{c}" for c in pk)
    first = region[0] if scope == "county" else _key(f"a.{region[0]}")
    return f"""
    WITH d AS MATERIALIZED (
        SELECT {stored}, t.year, k.rate, x.v, t.sign
        FROM ({rows}) t JOIN agencies a ON a.id = t.agency_id AND a.id = ANY(agency_ids)
        CROSS JOIN {_rate_list("postgresql")} CROSS JOIN LATERAL (SELECT {value} AS v) x
        WHERE x.v IS NOT NULL{county}
    ),
    g AS (
        SELECT {names}, year, rate, array_agg(v) FILTER (WHERE sign > 0) AS added,
               array_agg(v) FILTER (WHERE sign < 0) AS removed
        FROM d GROUP BY {names}, year, rate
    )
    INSERT INTO {t} AS s ({_columns(scope)})
    SELECT g.{", g.".join(pk)}, m.ranked, m.sorted
    FROM g CROSS JOIN LATERAL ({_combined("NULL::numeric[]", combine)}) m
    ORDER BY {", ".join(f"g.{c}" for c in pk)}
    ON CONFLICT ({", ".join(pk)}) DO UPDATE SET (ranked, sorted) = (
        SELECT m.ranked, m.sorted FROM g CROSS JOIN LATERAL ({_combined("s.sorted", combine)}) m
        WHERE {match});""" + ("" if combine == "sort" else f"""
    DELETE FROM {t} p WHERE p.ranked = 0
      AND p.{region[0]} = ANY(ARRAY(SELECT {first} FROM agencies a WHERE a.id = ANY(agency_ids)));""")


#: the columns of a report row a rank reads
_ROW = ("agency_id", "year", *_RATE_COLUMNS)


def _changes(rows: str, combine: str = "merge") -> str:
    """PL/pgSQL: the reports ``rows`` (with ``sign``) applied to both scopes."""
    return f"""
    SELECT array_agg(DISTINCT t.agency_id) INTO agency_ids FROM ({rows}) t;
    IF agency_ids IS NOT NULL THEN{_apply("county", rows, combine)}{_apply("city", rows, combine)}
    END IF;"""


def _both(alias: str, sign: int, source: str) -> str:
    return f"SELECT {', '.join(f'{alias}.{c}' for c in _ROW)}, {sign} AS sign FROM {source}"


_UPDATED = f"old_reports o JOIN new_reports n ON n.id = o.id WHERE {_CHANGED}"

_INSERTED = _both("n", 1, "new_reports n")
_DELETED = _both("o", -1, "old_reports o")
_REWRITTEN = f"{_both('o', -1, _UPDATED)} UNION ALL {_both('n', 1, _UPDATED)}"

#: function name -> body (PL/pgSQL statements), as migration 0027 made them: every partition merged
FUNCTIONS_0027: dict[str, str] = {
    "rank_values_insert": _changes(_INSERTED),
    "rank_values_delete": _changes(_DELETED),
    "rank_values_update": _changes(_REWRITTEN),
    "rank_values_truncate": "\n    TRUNCATE rank_values_county, rank_values_city;",
    "rank_values_agency_move": _refresh("county", _MOVED) + _refresh("city", _MOVED),
    # the minimum base changed: every partition
    "rank_values_settings": "\n    TRUNCATE rank_values_county, rank_values_city;"
    f"\n    INSERT INTO rank_values_county ({_columns('county')}) {LIVE_COUNTY};"
    f"\n    INSERT INTO rank_values_city ({_columns('city')}) {LIVE_CITY};",
}

#: function name -> body (PL/pgSQL statements), since 0041: an INSERT's values sorted with the
#: partition's (nothing is taken out), an UPDATE's merged only into the partitions it takes a value
#: from (a report's old values; a report moved to another year or region adds to the new one);
#: a DELETE takes out of every partition it writes, as before
FUNCTIONS_0041: dict[str, str] = {
    **FUNCTIONS_0027,
    "rank_values_insert": _changes(_INSERTED, "sort"),
    "rank_values_update": _changes(_REWRITTEN, "either"),
}

#: since 0043: an agency's move recomputes its partitions after the transactions writing reports
#: have ended (``cellsums.WAIT_FOR_WRITERS``: a report loaded meanwhile stayed in the old partition)
FUNCTIONS: dict[str, str] = {
    **FUNCTIONS_0041,
    "rank_values_agency_move": WAIT_FOR_WRITERS + FUNCTIONS_0041["rank_values_agency_move"],
}

#: trigger name -> its definition (without CREATE TRIGGER name)
TRIGGERS: dict[str, str] = {
    "rank_values_insert": ("AFTER INSERT ON reports REFERENCING NEW TABLE AS new_reports "
                           "FOR EACH STATEMENT EXECUTE FUNCTION rank_values_insert()"),
    "rank_values_delete": ("AFTER DELETE ON reports REFERENCING OLD TABLE AS old_reports "
                           "FOR EACH STATEMENT EXECUTE FUNCTION rank_values_delete()"),
    "rank_values_update": ("AFTER UPDATE ON reports REFERENCING OLD TABLE AS old_reports "
                           "NEW TABLE AS new_reports FOR EACH STATEMENT EXECUTE FUNCTION rank_values_update()"),
    "rank_values_truncate": ("AFTER TRUNCATE ON reports FOR EACH STATEMENT "
                             "EXECUTE FUNCTION rank_values_truncate()"),
    "rank_values_agency_move": ("AFTER UPDATE OF province, city, county ON agencies FOR EACH ROW "
                                "WHEN (OLD.province IS DISTINCT FROM NEW.province OR OLD.city IS DISTINCT FROM NEW.city "
                                "OR OLD.county IS DISTINCT FROM NEW.county) EXECUTE FUNCTION rank_values_agency_move()"),
    "rank_values_settings": ("AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON analytics_settings "
                             "FOR EACH STATEMENT EXECUTE FUNCTION rank_values_settings()"),
}


#: how ``sorted`` is stored since 0041: out of line when large, never compressed. The arrays
#: hardly compress (numerics of a few digits each: at 100,000 reports 1.61 MB stored of 1.63 MB
#: raw), so pglz's attempt on every array over ~2 KB a trigger writes was CPU for nothing —
#: a quarter of the insert trigger's time at 600 values a partition. The values are the same.
SORTED_STORAGE = "EXTERNAL"


def create_triggers(conn: Connection, functions: dict[str, str] = FUNCTIONS) -> None:
    """The functions (:data:`FUNCTIONS`, or 0027's) and triggers that keep the rank values current (PostgreSQL)."""
    triggers.create_triggers(conn, functions, TRIGGERS, declare="agency_ids integer[]")


def drop_triggers(conn: Connection) -> None:
    triggers.drop_triggers(conn, TRIGGERS, FUNCTIONS)


#: refill both tables from the stored reports, in one transaction
REBUILD: tuple[str, ...] = (
    "LOCK TABLE reports IN SHARE MODE",
    "TRUNCATE rank_values_county, rank_values_city",
    f"INSERT INTO rank_values_county ({_columns('county')}) {LIVE_COUNTY}",
    f"INSERT INTO rank_values_city ({_columns('city')}) {LIVE_CITY}",
)


def rebuild(conn: Connection) -> None:
    for statement in REBUILD:
        conn.execute(sa.text(statement))


def ranks_sql(scope: str, kept_rates: bool = False) -> str:
    """``v_rate_ranks_{scope}`` on PostgreSQL: the rows of ``rates.ranks_sql`` (0014), each
    report's rank from its partition's sorted values. ``kept_rates`` (migration 0029): each
    report's rates read from ``report_rates`` (``gxcrawler.db.reportrates``), not computed."""
    t, region = table(scope), SCOPES[scope]
    where = "\nWHERE l.county IS NOT NULL" if scope == "county" else ""
    match = " AND ".join(f"p.{c} = {_key(f'l.{c}')}" if c != "county" else "p.county = l.county" for c in region)
    return f"""
SELECT
    l.report_id, l.agency_id, l.agency, l.agency_kind, l.province, l.city, l.county, l.division_code,
    l.year, l.edition, l.rate, l.label, l.numerator, l.base, l.value,
    CASE WHEN l.value IS NOT NULL THEN 1 + p.ranked - width_bucket(l.value, p.sorted) END AS rank,
    COALESCE(p.ranked, 0) AS ranked
FROM ({reportrates.rates_long_sql(previous=False) if kept_rates else rates_long_sql("postgresql", previous=False)}) AS l
LEFT JOIN {t} p ON p.rate = l.rate AND p.year = l.year AND {match}{where}
"""
