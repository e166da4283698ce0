"""The region tree and roll-ups per county and city per year (issue 15).

Regions come from the agencies' own columns (``province``, ``city``, ``county``) and GB/T
2260 codes (``agencies.division_code``: the county's code, else the city's; a province's
code is its first two digits + ``0000``, a city's its first four + ``00``). Agencies
hang under their county, or under their city when they have none (city-level bodies);
their ``kind`` (``gxcrawler.agencies.KINDS``) tells a county government, township or
department apart.

Roll-ups count *coverage*: an agency is **known** in year Y when the database holds a
report of it for Y or for an earlier year; a known agency without a report for Y is
**missing** (an agency first seen later is not counted in earlier years). Years are
those of ``v_coverage``: from the first year of the national tables (2019) to the last
in the database, plus any earlier year with a report.

Each roll-up groups rows: a filter on its grouping columns (region, year) reaches the
tables first (PostgreSQL pushes it below the GROUP BY; tested).
"""

from __future__ import annotations

from .headlines import HEADLINES

#: headline columns summed by the roll-ups, in ``reports`` order
SUMMED: tuple[str, ...] = tuple(HEADLINES)


def tree_sql(dialect: str) -> str:
    """``v_region_tree``: one row per node — province, city, county, agency."""
    return """
SELECT 'province' AS level, a.province AS name, min(substr(a.division_code, 1, 2)) || '0000' AS code,
       CAST(NULL AS TEXT) AS parent_level, CAST(NULL AS TEXT) AS parent, CAST(NULL AS TEXT) AS parent_code,
       a.province, CAST(NULL AS TEXT) AS city, CAST(NULL AS TEXT) AS county, CAST(NULL AS INTEGER) AS agency_id,
       CAST(NULL AS TEXT) AS agency_kind, count(*) AS agencies
FROM agencies a
WHERE a.province IS NOT NULL
GROUP BY a.province
UNION ALL
SELECT 'city', a.city, min(substr(a.division_code, 1, 4)) || '00',
       'province', a.province, min(substr(a.division_code, 1, 2)) || '0000',
       a.province, a.city, NULL, NULL, NULL, count(*)
FROM agencies a
WHERE a.city IS NOT NULL
GROUP BY a.province, a.city
UNION ALL
SELECT 'county', a.county, min(a.division_code),
       'city', a.city, min(substr(a.division_code, 1, 4)) || '00',
       a.province, a.city, a.county, NULL, NULL, count(*)
FROM agencies a
WHERE a.county IS NOT NULL
GROUP BY a.province, a.city, a.county
UNION ALL
SELECT 'agency', a.name, NULL,
       CASE WHEN a.county IS NOT NULL THEN 'county' ELSE 'city' END, COALESCE(a.county, a.city), a.division_code,
       a.province, a.city, a.county, a.id, a.kind, 1
FROM agencies a
"""


def _coverage(dialect: str) -> str:
    """v_coverage's rows (its SQL as of migration 0005, inlined: a view on a view would
    block later migrations from replacing v_coverage)."""
    from .views import VIEWS_0005, view_sql

    return view_sql("v_coverage", dialect, VIEWS_0005)


def _rollup_select(area: str, agencies: str, year: str, kind: str) -> str:
    """The SELECT list both roll-up texts share: ``agencies`` is the alias carrying
    ``division_code``, ``year`` and ``kind`` the year's and the agency kind's columns."""
    sums = ",\n    ".join(f"sum(r.{c}) AS {c}" for c in SUMMED)
    return f"""SELECT
    {area},
    max({agencies}.division_code) AS division_code,
    {year},
    count(r.id) AS reports,
    count(*) AS agencies_known,
    count(*) - count(r.id) AS agencies_missing,
    sum(CASE WHEN r.id IS NULL AND {kind} = 'township' THEN 1 ELSE 0 END) AS townships_missing,
    sum(CASE WHEN r.id IS NULL AND {kind} = 'department' THEN 1 ELSE 0 END) AS departments_missing,
    sum(r.checks_failed) AS identities_failed,
    {sums}"""


def rollup_sql(dialect: str, scope: str, revision: str = "0010") -> str:
    """``v_rollup_{scope}``: per county (or city) and year, reports, coverage and sums.

    As of migration 0034 (PostgreSQL) the headlines come from ``v_coverage``'s own join to
    ``reports`` (:func:`_rollup_0034`) instead of a second join of every coverage row.
    """
    if revision != "0010" and dialect == "postgresql":
        return _rollup_0034(scope, bytewise=revision >= "0037")
    area = "c.province, c.city" + (", c.county" if scope == "county" else "")
    county_only = "c.county IS NOT NULL AND " if scope == "county" else ""
    return f"""
{_rollup_select(area, "c", "c.year", "c.agency_kind")}
FROM ({_coverage(dialect)}) AS c
LEFT JOIN reports r ON r.id = c.report_id
WHERE {county_only}(c.report_id IS NOT NULL
       OR EXISTS (SELECT 1 FROM reports e WHERE e.agency_id = c.agency_id AND e.year < c.year))
GROUP BY {area}, c.year
"""


def _rollup_0034(scope: str, bytewise: bool = False) -> str:
    """``v_rollup_{scope}`` (PostgreSQL, migration 0034): the rows of :func:`rollup_sql` as of
    0010, with ``v_coverage``'s SQL (as of 0005) written out and its one join to ``reports``
    giving the headlines. A year's reports then come from ``ix_reports_year`` alone (it
    includes the summed columns since 0034), not from a hash join of the year's coverage rows
    with every report of every year (issue 12, docs/notes/performance.md).

    ``bytewise`` (migration 0037): grouped on the region's names ``COLLATE "C"``. A whole
    year's rows are sorted for the grouping (their 17 sums do not fit a hash in ``work_mem``);
    compared byte by byte the sort needs no ``strcoll`` and uses abbreviated keys. The groups
    are the same (both collations are deterministic: equal means the same bytes), and the
    names come out in the database's collation again, so the view's columns sort as before.
    """
    from .views import FIRST_NATIONAL_YEAR

    names = ["province", "city"] + (["county"] if scope == "county" else [])
    if bytewise:
        area = ", ".join(f'(a.{n} COLLATE "C") COLLATE "default" AS {n}' for n in names)
        group = ", ".join(f'a.{n} COLLATE "C"' for n in names)
    else:
        area = group = ", ".join(f"a.{n}" for n in names)
    county_only = "a.county IS NOT NULL AND " if scope == "county" else ""
    return f"""
{_rollup_select(area, "a", "y.year", "a.kind")}
FROM agencies a
CROSS JOIN report_years() AS y(year)
LEFT JOIN reports r ON r.agency_id = a.id AND r.year = y.year
WHERE {county_only}(y.year >= COALESCE(
        (SELECT min(year) FROM reports WHERE year >= {FIRST_NATIONAL_YEAR}), (SELECT min(year) FROM reports))
       OR r.id IS NOT NULL)
  AND (r.id IS NOT NULL
       OR EXISTS (SELECT 1 FROM reports e WHERE e.agency_id = a.id AND e.year < y.year))
GROUP BY {group}, y.year
"""


def missing_sql(dialect: str) -> str:
    """``v_missing_reports``: each known agency without a report for a year, and its last one."""
    return f"""
SELECT
    c.agency_id, c.agency, c.agency_kind, c.province, c.city, c.county, c.division_code, c.portal,
    c.year,
    (SELECT max(e.year) FROM reports e WHERE e.agency_id = c.agency_id AND e.year < c.year) AS last_report_year
FROM ({_coverage(dialect)}) AS c
WHERE c.report_id IS NULL
  AND EXISTS (SELECT 1 FROM reports e WHERE e.agency_id = c.agency_id AND e.year < c.year)
"""


def cells_sql(dialect: str) -> str:
    """``v_rollup_cells``: every cell summed per county (city-level agencies: county NULL) and year."""
    return """
SELECT
    a.province, a.city, a.county, r.year,
    v.key, m.table_code, m.row_key, m.row_label, m.column_key, m.column_label, m.ordinal,
    count(*) AS reports,
    sum(v.value) AS value
FROM report_values v
JOIN reports r ON r.id = v.report_id
JOIN agencies a ON a.id = r.agency_id
JOIN metrics m ON m.key = v.key
GROUP BY a.province, a.city, a.county, r.year, v.key, m.table_code, m.row_key, m.row_label,
         m.column_key, m.column_label, m.ordinal
"""
