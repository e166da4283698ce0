"""The analyst views as migration 0002 created them (frozen: do not edit).

Migration 0003 replaced them (``gxcrawler.db.views``); this copy is what 0002 creates
and what a downgrade to 0002 restores. ``v_reports`` here pivots ``report_values`` in a
GROUP BY over every report, so a filter on it cannot use an index: 11.7 s for one
county-year at 100,000 reports.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

#: the agency columns every view starts with (after the report id)
_AGENCY = (
    "a.id AS agency_id, a.name AS agency, a.kind AS agency_kind, "
    "a.province, a.city, a.county, a.division_code"
)
#: one cell of the 总计 (all applicants) column, pivoted
_CELL = "max(CASE WHEN v.key = '{key}' THEN v.value END) AS {name}"
#: the sum of a group of section 三 rows, in the 总计 column
_GROUP = (
    "sum(CASE WHEN v.section = 's3' AND v.\"column\" = 'total' AND v.\"row\" LIKE '{prefix}%' "
    "THEN v.value END) AS {name}"
)

_HEADLINES = ",\n        ".join(
    [
        _CELL.format(key="s3.new.total", name="s3_new"),
        _CELL.format(key="s3.carried_in.total", name="s3_carried_in"),
        _CELL.format(key="s3.granted.total", name="s3_granted"),
        _CELL.format(key="s3.partial.total", name="s3_partial"),
        _GROUP.format(prefix="denied.", name="s3_denied"),
        _GROUP.format(prefix="unavailable.", name="s3_unavailable"),
        _GROUP.format(prefix="rejected.", name="s3_rejected"),
        _GROUP.format(prefix="other", name="s3_other"),
        _CELL.format(key="s3.total.total", name="s3_total"),
        _CELL.format(key="s3.carried_out.total", name="s3_carried_out"),
        _CELL.format(key="s4.review.total", name="s4_review"),
        _CELL.format(key="s4.suit_direct.total", name="s4_suit_direct"),
        _CELL.format(key="s4.suit_after_review.total", name="s4_suit_after_review"),
        "sum(CASE WHEN v.key IN ('s4.suit_direct.total', 's4.suit_after_review.total') "
        "THEN v.value END) AS s4_suits",
    ]
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
    COALESCE(c.checks, 0) AS checks,
    COALESCE(c.checks_failed, 0) AS checks_failed,
    h.s3_new, h.s3_carried_in, h.s3_granted, h.s3_partial, h.s3_denied,
    h.s3_unavailable, h.s3_rejected, h.s3_other, h.s3_total, h.s3_carried_out,
    h.s4_review, h.s4_suit_direct, h.s4_suit_after_review, h.s4_suits
FROM reports r
JOIN agencies a ON a.id = r.agency_id
LEFT JOIN (
    SELECT v.report_id,
        {_HEADLINES}
    FROM report_values v
    GROUP BY v.report_id
) h ON h.report_id = r.id
LEFT JOIN (
    SELECT report_id, count(*) AS checks, sum(CASE WHEN ok THEN 0 ELSE 1 END) AS checks_failed
    FROM check_results
    GROUP BY report_id
) c ON c.report_id = r.id
"""


def _long(section: str) -> str:
    """One row per stored cell of ``section``, with the labels the report's edition prints."""
    return f"""
SELECT
    r.id AS report_id,
    {_AGENCY},
    r.year,
    r.edition,
    v.key,
    m.table_code,
    m.table_label,
    v."row" AS row_key,
    CASE WHEN r.edition = '2019' THEN m.row_label_2019 ELSE m.row_label END AS row_label,
    v."column" AS column_key,
    CASE WHEN r.edition = '2019' THEN m.column_label_2019 ELSE m.column_label END AS column_label,
    m.ordinal,
    v.value
FROM report_values v
JOIN reports r ON r.id = v.report_id
JOIN agencies a ON a.id = r.agency_id
JOIN metrics m ON m.key = v.key
WHERE v.section = '{section}'
"""


V_S2_LONG = _long("s2")
V_S3_LONG = _long("s3")
V_S4_LONG = _long("s4")

#: first year of the national tables (国办公开办函〔2019〕60号)
FIRST_NATIONAL_YEAR = 2019

V_COVERAGE = f"""
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
SELECT
    {_AGENCY},
    a.portal,
    y.year,
    r.id IS NOT NULL AS has_report,
    r.id AS report_id,
    r.status,
    r.published
FROM agencies a
CROSS JOIN years y
LEFT JOIN reports r ON r.agency_id = a.id AND r.year = y.year
WHERE y.year IS NOT NULL
  AND (y.year >= (SELECT first_national FROM bounds) OR r.id IS NOT NULL)
"""

V_FAILED_CHECKS = """
SELECT
    r.id AS report_id,
    a.id AS agency_id,
    a.name AS agency,
    a.province,
    a.city,
    a.county,
    r.year,
    r.edition,
    COALESCE(r.document_url, r.page_url) AS url,
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

#: name -> SQL, in creation order (none depends on another).
VIEWS: dict[str, str] = {
    "v_reports": V_REPORTS,
    "v_s2_long": V_S2_LONG,
    "v_s3_long": V_S3_LONG,
    "v_s4_long": V_S4_LONG,
    "v_coverage": V_COVERAGE,
    "v_failed_checks": V_FAILED_CHECKS,
}


def create_views(conn: Connection) -> None:
    """Create (or replace) every view, on PostgreSQL or SQLite."""
    for name, sql in VIEWS.items():
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
        # text(): escapes the LIKE patterns' % for pyformat drivers (psycopg2)
        conn.execute(sa.text(f"CREATE VIEW {name} AS {sql}"))


def drop_views(conn: Connection) -> None:
    for name in reversed(VIEWS):
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
