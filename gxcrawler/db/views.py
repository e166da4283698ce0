"""Views for analysts: the tables joined, pivoted and labelled the way questions are asked.

Each view's SQL is a named constant so that migrations, tests and documentation all
use the same text (``docs/notes/analytics.md`` describes every column).

**Filters push down.** Every view is a plain join of tables — no GROUP BY, DISTINCT,
window or CTE around the rows — so PostgreSQL merges it into the analyst's query
and applies a filter on agency, region, year or rule *before* joining: an index finds
the few matching agencies/reports, and only their rows are read. Per-report
aggregates that a view shows (``v_reports``' headlines and check counts) are stored
on the ``reports`` row by the loader (``gxcrawler.db.headlines``) rather than computed
inside the view; measured in docs/notes/performance.md. A new view should follow
the same rule: join tables keyed by report or agency; put a per-report aggregate in
a maintained column; leave cross-report roll-ups to the query (or a materialized
table), never inside a view others filter. The exceptions are the views that rank or
roll up by nature (:data:`GROUPED_VIEWS`): they group by region and year columns only,
so a filter on those still reaches the tables first (tested per view).

Portability: PostgreSQL is the target; the same SQL creates the views on the embedded
SQLite database, except ``v_coverage``'s years (``generate_series`` on PostgreSQL, a
recursive CTE on SQLite, which has no ``generate_series``). On SQLite ``value`` is a
decimal string, so sums come back as numbers SQLite computed, not exact NUMERIC; and since
migration 0044 the SQLite views cast every such column they show to a number (:func:`number`,
:data:`VIEWS_0044`), so that comparisons, ``max``/``min`` and ``ORDER BY`` are numeric there too.

Headline numbers in ``v_reports`` use the applicants' ``total`` column (all
applicants). A value is NULL where the report printed nothing (blank or unread);
the grouped headlines (denied, unavailable, rejected, other) are NULL only when none
of their rows has a value.

Migrations: ``0003`` creates these views (:data:`VIEWS_0003`), ``0005`` replaces
``v_coverage`` (:data:`VIEWS_0005`); ``0002``'s are frozen in ``views_0002``. A migration that changes a view adds a new ``VIEWS_000N`` here (and
points :data:`VIEWS` to it) instead of editing one an older migration creates. A
migration that alters a column one of these views reads must drop the views first and
re-create them after (:func:`drop_views` / :func:`create_views`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

#: the agency columns every view starts with (after the report id)
_AGENCY = (
    "a.id AS agency_id, a.name AS agency, a.kind AS agency_kind, "
    "a.province, a.city, a.county, a.division_code"
)

V_REPORTS = f"""
SELECT
    r.id AS report_id,
    {_AGENCY},
    a.portal,
    r.year,
    r.edition,
    r.published,
    r.title,
    COALESCE(r.document_url, r.page_url) AS url,
    r.page_url,
    r.source_type,
    r.spider,
    r.status,
    r.checks,
    r.checks_failed,
    r.s3_new, r.s3_carried_in, r.s3_granted, r.s3_partial, r.s3_denied,
    r.s3_unavailable, r.s3_rejected, r.s3_other, r.s3_total, r.s3_carried_out,
    r.s4_review, r.s4_suit_direct, r.s4_suit_after_review, r.s4_suits
FROM reports r
JOIN agencies a ON a.id = r.agency_id
"""


def edition_label(column: str, edition: str) -> str:
    """``metrics.{column}`` as the edition ``edition`` prints it (the 2019 tables' wording differs)."""
    return f"CASE WHEN {edition} = '2019' THEN m.{column}_2019 ELSE m.{column} END AS {column}"


def _long(section: str, keys: tuple[str, ...] = (), value: str = "v.value") -> str:
    """One row per stored cell of ``section``, with the labels the report's edition prints.

    Section, row and column come from ``metrics`` (functions of the key); the agency is
    a LEFT JOIN (``reports.agency_id`` is NOT NULL, so the rows are the same) so that a
    query using no agency column skips the join altogether.

    ``keys`` (migration 0040, PostgreSQL): the section's cells chosen by their keys named as
    constants (``v.key IN (…)``) instead of ``m.section``. A constant comparison on ``key``
    proves the predicate of the partial index ``ix_report_values_key`` (0035), so a whole
    year's cells of the section are read from that index alone instead of every cell of the
    year's reports through the primary key. Equality, not a key range: a range is exact only
    under a byte-order collation. At most 100 keys (PostgreSQL's predicate prover expands no
    longer constant array). Not beside ``m.section``: the planner multiplies the two
    conditions' selectivities (it cannot know they choose the same keys) and under-counts the
    index's rows 5×, which took a city's sum off the primary key (2.3× slower at 100,000
    reports); the list is the catalog's keys of the section (``tests/db/test_section_keys.py``),
    every one of them named ``<section>.…``, and ``metrics`` is still joined (the labels; a key
    it does not know is no row, as before).
    """
    quoted = ", ".join("'" + k.replace("'", "''") + "'" for k in keys)
    chosen = f"v.key IN ({quoted})" if keys else f"m.section = '{section}'"
    return f"""
SELECT
    r.id AS report_id,
    {_AGENCY},
    r.year,
    r.edition,
    v.key,
    m.table_code,
    m.table_label,
    m.row_key,
    {edition_label("row_label", "r.edition")},
    m.column_key,
    {edition_label("column_label", "r.edition")},
    m.ordinal,
    {value}
FROM report_values v
JOIN metrics m ON m.key = v.key
JOIN reports r ON r.id = v.report_id
LEFT JOIN agencies a ON a.id = r.agency_id
WHERE {chosen}
"""


V_S2_LONG = _long("s2")
V_S3_LONG = _long("s3")
V_S4_LONG = _long("s4")

#: first year of the national tables (国办公开办函〔2019〕60号)
FIRST_NATIONAL_YEAR = 2019

_COVERAGE_COLUMNS = f"""
    {_AGENCY},
    a.portal,
    y.year,
    r.id IS NOT NULL AS has_report,
    r.id AS report_id,
    r.status,
    r.published"""

#: PostgreSQL (migration 0003): no CTE, so a filter on year or agency reaches the scans
V_COVERAGE = f"""
SELECT{_COVERAGE_COLUMNS}
FROM agencies a
CROSS JOIN generate_series((SELECT min(year) FROM reports), (SELECT max(year) FROM reports)) AS y(year)
LEFT JOIN reports r ON r.agency_id = a.id AND r.year = y.year
WHERE y.year >= COALESCE(
        (SELECT min(year) FROM reports WHERE year >= {FIRST_NATIONAL_YEAR}), (SELECT min(year) FROM reports))
   OR r.id IS NOT NULL
"""

#: PostgreSQL: every statistics year from the first report's to the last one's. A function
#: the planner does not inline, so it plans for ROWS 20 years — generate_series() over
#: subqueries counts as 1,000 rows, which turned a one-county filter into a hash join
#: over every report (450 ms instead of 4 ms at 100,000 reports).
REPORT_YEARS_FUNCTION = """
CREATE OR REPLACE FUNCTION report_years() RETURNS SETOF integer
LANGUAGE plpgsql STABLE ROWS 20 AS $$
BEGIN
    RETURN QUERY SELECT generate_series(min(year), max(year)) FROM reports;
END
$$
"""

V_COVERAGE_0005 = f"""
SELECT{_COVERAGE_COLUMNS}
FROM agencies a
CROSS JOIN report_years() AS y(year)
LEFT JOIN reports r ON r.agency_id = a.id AND r.year = y.year
WHERE y.year >= COALESCE(
        (SELECT min(year) FROM reports WHERE year >= {FIRST_NATIONAL_YEAR}), (SELECT min(year) FROM reports))
   OR r.id IS NOT NULL
"""

#: SQLite: the same rows, years from a recursive CTE
V_COVERAGE_SQLITE = f"""
WITH RECURSIVE bounds AS (
    SELECT min(year) AS first,
           max(year) AS last,
           COALESCE(min(CASE WHEN year >= {FIRST_NATIONAL_YEAR} THEN year END), min(year)) AS first_national
    FROM reports
), years(year) AS (
    SELECT first FROM bounds
    UNION ALL
    SELECT year + 1 FROM years WHERE year < (SELECT last FROM bounds)
)
SELECT{_COVERAGE_COLUMNS}
FROM agencies a
CROSS JOIN years y
LEFT JOIN reports r ON r.agency_id = a.id AND r.year = y.year
WHERE y.year IS NOT NULL
  AND (y.year >= (SELECT first_national FROM bounds) OR r.id IS NOT NULL)
"""

#: the report a failed check belongs to: the first columns of every version of v_failed_checks
_CHECK_REPORT = """
    r.id AS report_id,
    a.id AS agency_id,
    a.name AS agency,
    a.province,
    a.city,
    a.county,
    r.year,
    r.edition,
    COALESCE(r.document_url, r.page_url) AS url,"""

#: failed identities: ``NOT c.ok`` matches the partial index ``ix_check_results_failed``
V_FAILED_CHECKS = f"""
SELECT{_CHECK_REPORT}
    c.rule,
    CASE
        WHEN c.rule LIKE 's3.balance.%' THEN 'new + carried_in = total + carried_out'
        WHEN c.rule LIKE 's3.row_total.%' THEN 'row total = sum of the six applicant columns'
        WHEN c.rule LIKE 's3.outcomes.%' THEN 'total = sum of the outcome rows'
        WHEN c.rule LIKE 's4.total.%' THEN 'total = upheld + corrected + other + pending'
    END AS identity,
    c."left",
    c."right",
    c."left" - c."right" AS difference
FROM check_results c
JOIN reports r ON r.id = c.report_id
JOIN agencies a ON a.id = r.agency_id
WHERE NOT c.ok
"""

#: rule pattern (SQL LIKE) -> what the check says, for people; the first that matches wins
IDENTITY_MEANINGS: tuple[tuple[str, str], ...] = (
    ("s3.balance.%", "new + carried_in = total + carried_out"),
    ("s3.row_total.%", "row total = sum of the six applicant columns"),
    ("s3.outcomes.%", "total = sum of the outcome rows"),
    ("s4.total.%", "total = upheld + corrected + other + pending"),
)


def rule_meanings() -> tuple[tuple[str, str], ...]:
    """Every rule pattern with its meaning: the identities', then the narrative topics'.

    Imported when a migration creates the view, not with this module (the parser
    package takes a second to import; ``gxcrawler db`` should not pay for it).
    """
    from ..parsing import narrative

    return (
        *IDENTITY_MEANINGS,
        *((f"{narrative.RULE_PREFIX}{topic}", meaning) for topic, meaning in narrative.MEANINGS.items()),
    )


#: rule pattern -> kind of check (``v_failed_checks.kind``); else ``identity``
RULE_KINDS: tuple[tuple[str, str], ...] = (("narrative.%", "narrative"),)

#: migration 0008: the checks across years (``gxcrawler.checks.YEAR_IDENTITIES``)
YEARS_MEANINGS: tuple[tuple[str, str], ...] = (
    ("years.carried.%", "carried_out (year N-1) = carried_in (year N)"),
    ("years.in_force.%", "in_force (N) = in_force (N-1) + issued (N) - repealed (N)"),
)
RULE_KINDS_0008: tuple[tuple[str, str], ...] = (*RULE_KINDS, ("years.%", "years"))


def _case(column: str, cases: tuple[tuple[str, str], ...], default: str | None = None) -> str:
    whens = " ".join(f"WHEN {column} LIKE '{pattern}' THEN '{text}'" for pattern, text in cases)
    other = f" ELSE '{default}'" if default else ""
    return f"CASE {whens}{other} END"


def _failed_checks(
    kinds: tuple[tuple[str, str], ...],
    meanings: tuple[tuple[str, str], ...],
    columns: str = "",
    joins: str = "",
    report: str = _CHECK_REPORT,
    join: str = "JOIN",
    sides: str = 'c."left",\n    c."right",',
) -> str:
    """v_failed_checks: the report, the check's kind, rule, meaning and sides; then ``columns``.

    ``join``: how the report and its agency are joined (``LEFT JOIN`` since 0023).
    """
    return f"""
SELECT{report}
    {_case("c.rule", kinds, "identity")} AS kind,
    c.rule,
    {_case("c.rule", meanings)} AS identity,
    {sides}
    c."left" - c."right" AS difference,
    c.sentence{columns}
FROM check_results c
{join} reports r ON r.id = c.report_id
{join} agencies a ON a.id = r.agency_id{joins}
WHERE NOT c.ok
"""


def failed_checks_0007(dialect: str) -> str:
    """Migration 0007: the kind of each failed check, and a narrative check's sentence."""
    return _failed_checks(RULE_KINDS, rule_meanings())


#: the other report of a check across years (LEFT JOIN: NULL for the others)
_OTHER_REPORT = """,
    o.id AS other_report_id,
    o.year AS other_year,
    COALESCE(o.document_url, o.page_url) AS other_url"""


def failed_checks_0008(dialect: str) -> str:
    """Migration 0008: checks across years (kind ``years``) name the other report too."""
    return _failed_checks(
        RULE_KINDS_0008,
        (*rule_meanings(), *YEARS_MEANINGS),
        _OTHER_REPORT,
        "\nLEFT JOIN reports o ON o.id = c.other_report_id",
    )


#: a view's SQL, or a function of the dialect name giving it
ViewSQL = str | Callable[[str], str]

#: name -> SQL, in creation order (none depends on another); created by migration 0003
VIEWS_0003: dict[str, ViewSQL] = {
    "v_reports": V_REPORTS,
    "v_s2_long": V_S2_LONG,
    "v_s3_long": V_S3_LONG,
    "v_s4_long": V_S4_LONG,
    "v_coverage": lambda dialect: V_COVERAGE_SQLITE if dialect == "sqlite" else V_COVERAGE,
    "v_failed_checks": V_FAILED_CHECKS,
}

#: migration 0005: v_coverage's years from report_years() (create the function first)
VIEWS_0005: dict[str, ViewSQL] = {
    **VIEWS_0003,
    "v_coverage": lambda dialect: V_COVERAGE_SQLITE if dialect == "sqlite" else V_COVERAGE_0005,
}

#: migration 0007: v_failed_checks shows narrative checks (kind, sentence)
VIEWS_0007: dict[str, ViewSQL] = {**VIEWS_0005, "v_failed_checks": failed_checks_0007}

#: migration 0008: v_failed_checks shows checks across years with their other report
VIEWS_0008: dict[str, ViewSQL] = {**VIEWS_0007, "v_failed_checks": failed_checks_0008}

def _rates(name: str, revision: str = "0009") -> ViewSQL:
    """A view of ``gxcrawler.db.rates`` (imported when created), as of ``revision``."""

    def sql(dialect: str) -> str:
        from . import rates

        kept = revision >= "0029" and dialect == "postgresql"  # each report's rates from report_rates
        if name == "v_rates":
            return rates.rates_sql(dialect)
        if name == "v_rates_long":
            if kept:
                from . import reportrates

                return reportrates.rates_long_sql(next_year=revision >= "0033", kept_previous=revision >= "0036")
            return rates.rates_long_sql(dialect)
        scope = name.rsplit("_", 1)[1]
        if revision >= "0027" and dialect == "postgresql":
            from . import ranks

            return ranks.ranks_sql(scope, kept_rates=kept)
        return rates.ranks_sql(dialect, scope, previous=revision == "0009")

    return sql


#: migration 0009: derived rates, their change from the previous year, rankings
VIEWS_0009: dict[str, ViewSQL] = {
    **VIEWS_0008,
    **{name: _rates(name) for name in ("v_rates", "v_rates_long", "v_rate_ranks_county", "v_rate_ranks_city")},
}

def _regions(name: str, revision: str = "0010") -> ViewSQL:
    """A view of ``gxcrawler.db.regions`` (imported when created)."""

    def sql(dialect: str) -> str:
        from . import regions

        if name == "v_region_tree":
            return regions.tree_sql(dialect)
        if name == "v_missing_reports":
            return regions.missing_sql(dialect)
        if name == "v_rollup_cells":
            return regions.cells_sql(dialect)
        return regions.rollup_sql(dialect, name.rsplit("_", 1)[1], revision)

    return sql


#: migration 0010: the region tree, roll-ups per county and city, missing reports
VIEWS_0010: dict[str, ViewSQL] = {
    **VIEWS_0009,
    **{
        name: _regions(name)
        for name in ("v_region_tree", "v_rollup_county", "v_rollup_city", "v_rollup_cells", "v_missing_reports")
    },
}

def _compare(dialect: str) -> str:
    from .compare import view_sql as compare_sql

    return compare_sql(dialect)


def _compare_0023(dialect: str) -> str:
    from .compare import view_sql as compare_sql

    return compare_sql(dialect, lateral=True)


def _compare_0032(dialect: str) -> str:
    from .compare import view_sql as compare_sql

    return compare_sql(dialect, grouped=True)


#: migration 0011: every cell beside the previous year's
VIEWS_0011: dict[str, ViewSQL] = {**VIEWS_0010, "v_compare": _compare}

#: the review of a failed check, by the content of its report(s) (``gxcrawler.db.reviews``)
_REVIEW = """,
    COALESCE(rv.status, 'open') AS review,
    rv.note AS review_note,
    rv.reviewer,
    rv.reviewed_at"""
_REVIEW_JOIN = """
LEFT JOIN check_reviews rv
       ON rv.agency_id = r.agency_id AND rv.year = r.year AND rv.rule = c.rule
      AND rv.sha256 = r.sha256 AND rv.other_sha256 = COALESCE(o.sha256, '')"""


def failed_checks_0012(dialect: str) -> str:
    """Migration 0012: each failed check's review (open, confirmed, dismissed) and its note."""
    return _failed_checks(
        RULE_KINDS_0008,
        (*rule_meanings(), *YEARS_MEANINGS),
        _OTHER_REPORT + _REVIEW,
        "\nLEFT JOIN reports o ON o.id = c.other_report_id" + _REVIEW_JOIN,
    )


#: migration 0012: v_failed_checks shows reviews
VIEWS_0012: dict[str, ViewSQL] = {**VIEWS_0011, "v_failed_checks": failed_checks_0012}

#: 0023: the report's and agency's ids as the check and the report hold them (the same
#: values: foreign keys), so that a query using only the check's columns reads no other table
_CHECK_REPORT_0023 = _CHECK_REPORT.replace("r.id AS report_id", "c.report_id AS report_id").replace(
    "a.id AS agency_id", "r.agency_id AS agency_id"
)
_REVIEW_MATCH = (
    "rv.agency_id = r.agency_id AND rv.year = r.year AND rv.rule = c.rule "
    "AND rv.sha256 = r.sha256 AND rv.other_sha256 = COALESCE(o.sha256, '')"
)


def _review(column: str) -> str:
    """A column of the check's review: at most one row (the unique key of ``check_reviews``)."""
    return f"(SELECT rv.{column} FROM check_reviews rv WHERE {_REVIEW_MATCH})"


def failed_checks_0023(dialect: str, sides: str = 'c."left",\n    c."right",') -> str:
    """Migration 0023: the rows of 0012, joined so that unused tables drop out of a plan.

    The report and agency are LEFT JOINs (every check has its report, every report its
    agency: the same rows) and the review's columns are looked up per row, not joined:
    PostgreSQL 15 removes an unused LEFT JOIN only when no other join's condition names
    it, and the review's join named the report and the other report. So a query that
    groups the failures by ``report_id`` (worked query 5) reads the failed-checks index
    alone, and names each report once instead of once per failure.
    """
    review = f""",
    COALESCE({_review("status")}, 'open') AS review,
    {_review("note")} AS review_note,
    {_review("reviewer")} AS reviewer,
    {_review("reviewed_at")} AS reviewed_at"""
    return _failed_checks(
        RULE_KINDS_0008,
        (*rule_meanings(), *YEARS_MEANINGS),
        _OTHER_REPORT + review,
        "\nLEFT JOIN reports o ON o.id = c.other_report_id",
        _CHECK_REPORT_0023,
        "LEFT JOIN",
        sides,
    )

#: migration 0014: the rank views without the previous year (its join read every report)
VIEWS_0014: dict[str, ViewSQL] = {
    **VIEWS_0012,
    **{name: _rates(name, "0014") for name in ("v_rate_ranks_county", "v_rate_ranks_city")},
}

def _cell_sums(name: str, revision: str = "0016") -> ViewSQL:
    """A view of ``gxcrawler.db.cellsums`` (imported when created), as of ``revision``."""

    def sql(dialect: str) -> str:
        from . import cellsums

        if name == "v_cell_sums":
            return cellsums.view_sql(dialect)
        return cellsums.rollup_cells_sql(dialect, key_first=revision != "0016", summed_first=revision >= "0038")

    return sql


#: migration 0016: every cell summed per region, year and edition (``cell_sums``), and
#: ``v_rollup_cells`` reading those sums
VIEWS_0016: dict[str, ViewSQL] = {**VIEWS_0014, **{name: _cell_sums(name) for name in ("v_cell_sums", "v_rollup_cells")}}

#: migration 0023 (issue 12): failed checks groupable without their reports,
#: ``v_rollup_cells`` grouped key first, ``v_compare`` merging two reports' cells
VIEWS_0023: dict[str, ViewSQL] = {
    **VIEWS_0016,
    "v_failed_checks": failed_checks_0023,
    "v_rollup_cells": _cell_sums("v_rollup_cells", "0023"),
    "v_compare": _compare_0023,
}

#: migration 0027 (issue 12): the rank views from each partition's sorted values
#: (``gxcrawler.db.ranks``, PostgreSQL; SQLite keeps the windows)
VIEWS_0027: dict[str, ViewSQL] = {
    **VIEWS_0023,
    **{name: _rates(name, "0027") for name in ("v_rate_ranks_county", "v_rate_ranks_city")},
}

#: migration 0029 (issue 12): the rate views from each report's kept rates
#: (``gxcrawler.db.reportrates``, PostgreSQL; SQLite computes them when read)
RATE_VIEWS_0029 = ("v_rates_long", "v_rate_ranks_county", "v_rate_ranks_city")
VIEWS_0029: dict[str, ViewSQL] = {**VIEWS_0027, **{name: _rates(name, "0029") for name in RATE_VIEWS_0029}}

#: migration 0032 (issue 12): ``v_compare`` reading both reports' cells in one scan, grouped
#: by key, so a filter on ``key`` reaches the index
VIEWS_0032: dict[str, ViewSQL] = {**VIEWS_0029, "v_compare": _compare_0032}

#: migration 0033 (issue 12): ``v_rates_long``'s previous year joined by ``p.year + 1 = t.year``
#: too, so a year's filter reaches the previous year's rows (``ix_report_rates_next_year``)
VIEWS_0033: dict[str, ViewSQL] = {**VIEWS_0032, "v_rates_long": _rates("v_rates_long", "0033")}

#: migration 0034 (issue 12): the roll-ups per county and city reading the headlines in
#: ``v_coverage``'s own join to ``reports`` (PostgreSQL; SQLite as before)
ROLLUP_VIEWS_0034 = ("v_rollup_county", "v_rollup_city")
VIEWS_0034: dict[str, ViewSQL] = {**VIEWS_0033, **{name: _regions(name, "0034") for name in ROLLUP_VIEWS_0034}}

#: migration 0036 (issue 12): ``v_rates_long``'s previous year kept on each ``report_rates`` row
#: (``prev_report_id``, ``prev_value``): a year's change is one index range, no join
VIEWS_0036: dict[str, ViewSQL] = {**VIEWS_0034, "v_rates_long": _rates("v_rates_long", "0036")}

#: migration 0037 (issue 12): the roll-ups per county and city grouped on the region's names
#: byte by byte (``COLLATE "C"``: a whole year's sort without ``strcoll``; PostgreSQL)
VIEWS_0037: dict[str, ViewSQL] = {**VIEWS_0036, **{name: _regions(name, "0037") for name in ROLLUP_VIEWS_0034}}

#: migration 0038 (issue 12): ``v_rollup_cells`` adding the editions' sums before the labels'
#: join, without a ``sum`` accumulator per group (``cellsums.TOTAL``; PostgreSQL)
VIEWS_0038: dict[str, ViewSQL] = {**VIEWS_0037, "v_rollup_cells": _cell_sums("v_rollup_cells", "0038")}

#: migration 0040 (issue 12): each section's keys as the catalog had them, frozen here: the
#: constants ``v_s2_long`` and ``v_s4_long`` choose their rows by (:func:`_long`). A key added
#: to the catalog is not in these lists, and its cells would be no row of the view:
#: ``tests/db/test_section_keys.py`` fails until a new migration gives the views the
#: catalog's keys (a new ``SECTION_KEYS_00NN`` and ``VIEWS_00NN``). ``v_s3_long`` keeps
#: ``m.section``: its 182 keys are over the predicate prover's 100, and most of every
#: report's cells (86 %): the index would save little.
SECTION_KEYS_0040: dict[str, tuple[str, ...]] = {
    "s2": (
        "s2.art20_1.rules.new_made", "s2.art20_1.rules.new_published", "s2.art20_1.rules.total_published",
        "s2.art20_1.rules.issued", "s2.art20_1.rules.repealed", "s2.art20_1.rules.in_force",
        "s2.art20_1.normative.new_made", "s2.art20_1.normative.new_published",
        "s2.art20_1.normative.total_published", "s2.art20_1.normative.issued", "s2.art20_1.normative.repealed",
        "s2.art20_1.normative.in_force",
        "s2.art20_5.licensing.prev_items", "s2.art20_5.licensing.change", "s2.art20_5.licensing.decisions",
        "s2.art20_5.other_services.prev_items", "s2.art20_5.other_services.change",
        "s2.art20_5.other_services.decisions",
        "s2.art20_6.penalty.prev_items", "s2.art20_6.penalty.change", "s2.art20_6.penalty.decisions",
        "s2.art20_6.enforcement.prev_items", "s2.art20_6.enforcement.change", "s2.art20_6.enforcement.decisions",
        "s2.art20_8.fees.prev_items", "s2.art20_8.fees.change", "s2.art20_8.fees.amount",
        "s2.art20_9.procurement.projects", "s2.art20_9.procurement.amount",
    ),
    "s4": (
        "s4.review.upheld", "s4.review.corrected", "s4.review.other", "s4.review.pending", "s4.review.total",
        "s4.suit_direct.upheld", "s4.suit_direct.corrected", "s4.suit_direct.other", "s4.suit_direct.pending",
        "s4.suit_direct.total",
        "s4.suit_after_review.upheld", "s4.suit_after_review.corrected", "s4.suit_after_review.other",
        "s4.suit_after_review.pending", "s4.suit_after_review.total",
    ),
}


def _long_keyed(section: str, keys: Mapping[str, tuple[str, ...]]) -> ViewSQL:
    """``v_<section>_long`` naming ``keys[section]`` on PostgreSQL; SQLite's as before."""
    return lambda dialect: _long(section, keys[section] if dialect == "postgresql" else ())


#: migration 0040 (issue 12): ``v_s2_long`` and ``v_s4_long`` name their section's keys, so a
#: year's cells of the section come from ``ix_report_values_key`` (PostgreSQL)
VIEWS_0040: dict[str, ViewSQL] = {
    **VIEWS_0038,
    **{f"v_{section}_long": _long_keyed(section, SECTION_KEYS_0040) for section in SECTION_KEYS_0040},
}

def number(expr: str, name: str) -> str:
    """SQLite: ``expr`` — a decimal string (``ExactDecimal``) — cast to ``NUMERIC`` as ``name``: an
    INTEGER where the string is a whole number, else a REAL (a float, as SQLite's sums already
    are), so that ``> 5``, ``max``, ``min`` and ``ORDER BY`` compare numbers, not text (0044)."""
    return f"CAST({expr} AS NUMERIC) AS {name}"


#: ``v_reports``' headline columns (``reports``' ``ExactDecimal`` columns the view shows)
REPORT_HEADLINES = (
    "s3_new", "s3_carried_in", "s3_granted", "s3_partial", "s3_denied",
    "s3_unavailable", "s3_rejected", "s3_other", "s3_total", "s3_carried_out",
    "s4_review", "s4_suit_direct", "s4_suit_after_review", "s4_suits",
)
_HEADLINE_LINES = """    r.s3_new, r.s3_carried_in, r.s3_granted, r.s3_partial, r.s3_denied,
    r.s3_unavailable, r.s3_rejected, r.s3_other, r.s3_total, r.s3_carried_out,
    r.s4_review, r.s4_suit_direct, r.s4_suit_after_review, r.s4_suits
"""
assert _HEADLINE_LINES in V_REPORTS


def _sqlite_numbers(name: str, sqlite: Callable[[], str]) -> ViewSQL:
    """``name`` as of 0040 on PostgreSQL (the same text: nothing to migrate there), ``sqlite()``
    on SQLite."""
    return lambda dialect: sqlite() if dialect == "sqlite" else view_sql(name, dialect, VIEWS_0040)


def _reports_sqlite() -> str:
    cast = ",\n".join(f"    {number(f'r.{c}', c)}" for c in REPORT_HEADLINES)
    return V_REPORTS.replace(_HEADLINE_LINES, cast + "\n")


def _failed_checks_sqlite() -> str:
    """``difference`` was a number already (SQLite's subtraction converts its operands)."""
    sides = ",\n    ".join(number(f'c."{side}"', f'"{side}"') for side in ("left", "right"))
    return failed_checks_0023("sqlite", sides + ",")


def _compare_sqlite() -> str:
    from .compare import view_sql as compare_sql

    return compare_sql("sqlite", grouped=True, numbers=True)


#: migration 0044 (review5): on SQLite, every column a view shows from an ``ExactDecimal`` column
#: (a decimal string there) cast to a number (:func:`number`): ``v_reports``' headlines, the long
#: views' and ``v_compare``'s ``value`` and ``prev_value``, ``v_failed_checks``' ``left`` and
#: ``right``. The other views' numbers are computed by SQLite (sums, rates, counts): numbers
#: already. PostgreSQL's views are the text of 0040, unchanged (``numeric`` columns). A later
#: ``VIEWS_00NN`` replacing one of these views keeps the cast on SQLite (``tests/analytics/
#: test_sqlite_value_comparisons.py`` fails on any view column showing a number as text).
VIEWS_0044: dict[str, ViewSQL] = {
    **VIEWS_0040,
    "v_reports": _sqlite_numbers("v_reports", _reports_sqlite),
    **{
        f"v_{s}_long": _sqlite_numbers(f"v_{s}_long", lambda s=s: _long(s, value=number("v.value", "value")))
        for s in ("s2", "s3", "s4")
    },
    "v_failed_checks": _sqlite_numbers("v_failed_checks", _failed_checks_sqlite),
    "v_compare": _sqlite_numbers("v_compare", _compare_sqlite),
}

#: the views migration 0044 changes (on SQLite only)
NUMBER_VIEWS_0044 = ("v_reports", "v_s2_long", "v_s3_long", "v_s4_long", "v_failed_checks", "v_compare")

#: the section keys the newest views name (tests/db/test_section_keys.py: the catalog's)
SECTION_KEYS: dict[str, tuple[str, ...]] = SECTION_KEYS_0040

#: the views of the current schema
VIEWS: dict[str, ViewSQL] = VIEWS_0044

#: views that rank or group across reports (a window, an aggregate or a subquery per row),
#: with the columns a filter on which still reaches the tables first; a filter on anything
#: else is applied after (tests/analytics/test_views.py)
GROUPED_VIEWS: dict[str, tuple[str, ...]] = {
    "v_rate_ranks_county": ("county", "year"),
    "v_rate_ranks_city": ("city", "year"),
    "v_region_tree": ("county",),
    "v_rollup_county": ("county", "year"),
    "v_rollup_city": ("city", "year"),
    "v_rollup_cells": ("county", "year"),
    "v_cell_sums": ("county", "year"),
    "v_missing_reports": ("county", "year"),
}


def view_comments() -> dict[str, str]:
    """COMMENT ON VIEW text (PostgreSQL), for the views whose meaning depends on a setting."""
    from .rates import view_comment

    return {name: view_comment() for name in ("v_rates", "v_rates_long", "v_rate_ranks_county", "v_rate_ranks_city")}


def view_sql(name: str, dialect: str, views: Mapping[str, ViewSQL] = VIEWS) -> str:
    sql = views[name]
    return sql if isinstance(sql, str) else sql(dialect)


def changed_since(old: Mapping[str, ViewSQL], dialect: str) -> dict[str, str]:
    """The views of ``old`` whose SQL today differs: name -> their SQL in ``old``."""
    return {
        name: view_sql(name, dialect, old)
        for name in old
        if name in VIEWS and view_sql(name, dialect, old) != view_sql(name, dialect)
    }


def inline(sql: str, views: Mapping[str, str]) -> str:
    """``sql`` reading each view named in ``views`` as the SQL given there, as a subquery.

    A subquery in FROM is merged into the query as a view is, so the result runs an old
    version of a view beside today's: the tests compare their rows, the benchmarks their
    speed (``benchmarks/query_speed.py --before``).
    """
    for name, text in views.items():
        # ``FROM v_x k``: the subquery takes the alias ``k`` (a keyword after the name is no alias)
        sql = re.sub(
            rf"\b(FROM|JOIN)\s+{name}\b(?:\s+(?:AS\s+)?(?!{_NOT_ALIAS}\b)([A-Za-z_]\w*))?",
            lambda m, t=text, n=name: f"{m[1]} ({t}) AS {m[2] or n}",
            sql,
        )
    return sql


#: words that may follow a table in FROM and are not its alias (for :func:`inline`)
_NOT_ALIAS = "(?i:WHERE|JOIN|ON|USING|LEFT|RIGHT|INNER|FULL|CROSS|NATURAL|LATERAL|GROUP|ORDER|LIMIT|OFFSET|HAVING|UNION|EXCEPT|INTERSECT|WINDOW|FETCH|FOR)"


def create_views(conn: Connection, views: Mapping[str, ViewSQL] = VIEWS) -> None:
    """Create (or replace) every view of ``views``, on PostgreSQL or SQLite."""
    comments = view_comments() if conn.dialect.name == "postgresql" else {}
    for name in views:
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
        # text(): escapes the LIKE patterns' % for pyformat drivers (psycopg2)
        conn.execute(sa.text(f"CREATE VIEW {name} AS {view_sql(name, conn.dialect.name, views)}"))
        if name in comments:
            conn.execute(sa.text(f"COMMENT ON VIEW {name} IS :comment"), {"comment": comments[name]})


def drop_views(conn: Connection, views: Mapping[str, ViewSQL] = VIEWS) -> None:
    for name in reversed(list(views)):
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
