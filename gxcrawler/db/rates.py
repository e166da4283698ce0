"""Derived rates per report, their change from the previous year, and rankings (issue 15).

Every rate is a quotient of headline columns stored on ``reports``
(``gxcrawler.db.headlines``), so the views are plain joins (a filter on county or year
reaches the indexes). One definition, :data:`RATES`, writes every view's SQL:

========================  ========  ==========================================================
rate                      中文      formula (``reports`` columns)
========================  ========  ==========================================================
``applications``          受理合计  s3_new + s3_carried_in (a count: no base)
``disclosure_rate``       公开率    s3_granted / s3_total  (予以公开 / 办结 = (七)总计)
``substantive_rate``      实质公开率 (s3_granted + s3_partial) / s3_total
``denial_rate``           不予公开率 s3_denied / s3_total  (the 8 不予公开 rows)
``review_correction_rate`` 复议纠错率 s4_review_corrected / s4_review (结果纠正 / 复议总计)
``suit_correction_rate``  诉讼纠错率 s4_suits_corrected / s4_suits (both lawsuit rows)
``dispute_rate``          争议转化率 (s4_review + s4_suits) / s3_new (复议 + 诉讼 / 新收)
========================  ========  ==========================================================

A rate is NULL when its base is below the minimum base — the ``rate_min_base`` row of
``analytics_settings``, 30 by default (:data:`DEFAULT_MIN_BASE`): a rate of 2 cases out
of 3 says little. It is NULL too when any term is NULL (a cell the report left blank
or that was not read: absent is not zero). Rates are fractions (0.4567, not 45.67 %),
rounded to 4 decimals; exact ``NUMERIC`` on PostgreSQL, SQLite's REAL on SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass

from .views import _AGENCY

#: the analytics_settings row of the minimum base, and its default
MIN_BASE_SETTING = "rate_min_base"
DEFAULT_MIN_BASE = 30


@dataclass(frozen=True)
class Rate:
    name: str
    label: str
    numerator: tuple[str, ...]  # reports columns, added
    base: tuple[str, ...] | None  # reports columns, added; None: a count, not a rate
    formula: str


RATES: tuple[Rate, ...] = (
    Rate("applications", "受理合计", ("s3_new", "s3_carried_in"), None, "本年新收 + 上年结转"),
    Rate("disclosure_rate", "公开率", ("s3_granted",), ("s3_total",), "予以公开 / 办结((七)总计)"),
    Rate(
        "substantive_rate", "实质公开率", ("s3_granted", "s3_partial"), ("s3_total",),
        "(予以公开 + 部分公开) / 办结((七)总计)",
    ),
    Rate("denial_rate", "不予公开率", ("s3_denied",), ("s3_total",), "不予公开(8 项之和) / 办结((七)总计)"),
    Rate(
        "review_correction_rate", "复议纠错率", ("s4_review_corrected",), ("s4_review",),
        "行政复议 结果纠正 / 行政复议 总计",
    ),
    Rate(
        "suit_correction_rate", "诉讼纠错率", ("s4_suits_corrected",), ("s4_suits",),
        "行政诉讼 结果纠正 / 行政诉讼 总计(未经复议直接起诉 + 复议后起诉)",
    ),
    Rate(
        "dispute_rate", "争议转化率", ("s4_review", "s4_suits"), ("s3_new",),
        "(行政复议 总计 + 行政诉讼 总计) / 本年新收",
    ),
)

def _min_base(dialect: str) -> str:
    return _number(
        f"COALESCE((SELECT value FROM analytics_settings WHERE name = '{MIN_BASE_SETTING}'), {DEFAULT_MIN_BASE})",
        dialect,
    )


def _number(expr: str, dialect: str) -> str:
    """SQLite stores the exact decimals as text: compare and divide them as numbers."""
    return f"CAST({expr} AS REAL)" if dialect == "sqlite" else expr


def _sum(alias: str, columns: tuple[str, ...], dialect: str) -> str:
    return "(" + " + ".join(_number(f"{alias}.{c}", dialect) for c in columns) + ")"


def value_sql(rate: Rate, alias: str, dialect: str) -> str:
    """The rate of the report row ``alias``: NULL below the minimum base or with a NULL term."""
    numerator = _sum(alias, rate.numerator, dialect)
    if rate.base is None:
        return numerator
    base = _sum(alias, rate.base, dialect)
    return (
        f"CASE WHEN {base} >= {_min_base(dialect)} "
        f"THEN round(1.0 * {numerator} / NULLIF({base}, 0), 4) END"
    )


def base_sql(rate: Rate, alias: str, dialect: str) -> str:
    return "NULL" if rate.base is None else _sum(alias, rate.base, dialect)


def _by_rate(expr: str, make: object) -> str:
    """``CASE k.rate WHEN … THEN make(rate) … END``."""
    whens = " ".join(f"WHEN '{r.name}' THEN {make(r)}" for r in RATES)  # type: ignore[operator]
    return f"CASE {expr} {whens} END"


def rates_sql(dialect: str) -> str:
    """``v_rates``: one row per report, every rate and its base."""
    columns = []
    for r in RATES:
        columns.append(f"{value_sql(r, 'r', dialect)} AS {r.name}")
        if r.base is not None:
            columns.append(f"{base_sql(r, 'r', dialect)} AS {r.name}_base")
    body = ",\n    ".join(columns)
    return f"""
SELECT
    r.id AS report_id,
    {_AGENCY},
    r.year,
    r.edition,
    {body}
FROM reports r
JOIN agencies a ON a.id = r.agency_id
"""


def _rate_list(dialect: str) -> str:
    """The rates as a relation ``k(rate, label, formula)``."""
    rows = [(r.name, r.label, r.formula) for r in RATES]
    if dialect == "sqlite":  # no column list on a VALUES alias
        selects = " UNION ALL ".join(
            f"SELECT '{n}' AS rate, '{label}' AS label, '{f}' AS formula" for n, label, f in rows
        )
        return f"({selects}) AS k"
    values = ", ".join(f"('{n}', '{label}', '{f}')" for n, label, f in rows)
    return f"(VALUES {values}) AS k(rate, label, formula)"


def rates_long_sql(dialect: str, previous: bool = True) -> str:
    """``v_rates_long``: one row per report and rate, beside the previous year's
    (``previous=False``: without it, for the rank views)."""
    value = _by_rate("k.rate", lambda r: value_sql(r, "r", dialect))
    prev = _by_rate("k.rate", lambda r: value_sql(r, "p", dialect))
    before = f""",
    p.id AS prev_report_id,
    {prev} AS prev_value,
    ({value}) - ({prev}) AS change""" if previous else ""
    join = "\nLEFT JOIN reports p ON p.agency_id = r.agency_id AND p.year = r.year - 1" if previous else ""
    return f"""
SELECT
    r.id AS report_id,
    {_AGENCY},
    r.year,
    r.edition,
    k.rate,
    k.label,
    k.formula,
    {_by_rate("k.rate", lambda r: _sum("r", r.numerator, dialect))} AS numerator,
    {_by_rate("k.rate", lambda r: base_sql(r, "r", dialect))} AS base,
    {value} AS value{before}
FROM reports r
JOIN agencies a ON a.id = r.agency_id
CROSS JOIN {_rate_list(dialect)}{join}
"""


def ranks_sql(dialect: str, scope: str, previous: bool = False) -> str:
    """``v_rate_ranks_{scope}``: each report's rank among the agencies of its county or city.

    Rank 1 is the highest value; agencies without a value (NULL) are not ranked;
    ``ranked`` is how many were. Ties share a rank (``rank()``). A filter on the scope's
    columns (province, city[, county]), year or rate reaches the tables before ranking;
    a filter on the agency alone ranks every report first (tens of seconds at 100,000
    reports): filter on its county or city too. ``previous``: migration 0009's version,
    with the previous year's value (a join over every report: 0014 dropped it).
    """
    partition = "l.rate, l.province, l.city, l.year" if scope == "city" else "l.rate, l.province, l.city, l.county, l.year"
    where = "" if scope == "city" else "\nWHERE l.county IS NOT NULL"
    return f"""
SELECT
    l.report_id, l.agency_id, l.agency, l.agency_kind, l.province, l.city, l.county, l.division_code,
    l.year, l.edition, l.rate, l.label, l.numerator, l.base, l.value,{" l.prev_value, l.change," if previous else ""}
    CASE WHEN l.value IS NOT NULL THEN rank() OVER (PARTITION BY {partition} ORDER BY l.value DESC NULLS LAST) END AS rank,
    count(l.value) OVER (PARTITION BY {partition}) AS ranked
FROM ({rates_long_sql(dialect, previous)}) AS l{where}
"""


def view_comment() -> str:
    return (
        f"Rates are NULL when their base is below analytics_settings.{MIN_BASE_SETTING} "
        f"(default {DEFAULT_MIN_BASE}) or a term is NULL; formulas in gxcrawler/db/rates.py "
        "and docs/notes/analytics.md."
    )
