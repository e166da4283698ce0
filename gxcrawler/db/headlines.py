"""The headline numbers of a report, stored on its ``reports`` row by the loader.

``v_reports`` shows them; storing them (instead of pivoting ``report_values`` inside the
view) is what lets a filter on agency, region or year use indexes: the view is a plain
join, so PostgreSQL filters first and reads only the matching rows. Measured at 100,000
reports: a county-and-year filter 11.7 s → 2 ms (docs/notes/performance.md).

Every headline is the sum of the cells of its keys that have a value, NULL when none
has (a blank cell has no value: absent is not zero). One definition, :data:`HEADLINES`,
gives both the loader's numbers (:func:`headline_values`, from the parse) and the SQL
that recomputes them from stored cells (:func:`headline_select`, used by the migration
that adds them and by the test that the two agree).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from .. import catalog


def _s3_total_rows(prefix: str) -> tuple[str, ...]:
    """The 总计-column keys of the section 三 rows starting with ``prefix``, in printed order."""
    return tuple(
        m.key
        for m in sorted(catalog.METRICS.values(), key=lambda m: m.ordinal)
        if m.section == "s3" and m.column == "total" and m.row.startswith(prefix)
    )


#: reports column -> the keys it adds up (applicants' 总计 column of section 三, totals of 四)
HEADLINES: dict[str, tuple[str, ...]] = {
    "s3_new": ("s3.new.total",),
    "s3_carried_in": ("s3.carried_in.total",),
    "s3_granted": ("s3.granted.total",),
    "s3_partial": ("s3.partial.total",),
    "s3_denied": _s3_total_rows("denied."),
    "s3_unavailable": _s3_total_rows("unavailable."),
    "s3_rejected": _s3_total_rows("rejected."),
    "s3_other": _s3_total_rows("other"),  # 2019: one row `other`; 2021: three `other.*`
    "s3_total": ("s3.total.total",),
    "s3_carried_out": ("s3.carried_out.total",),
    "s4_review": ("s4.review.total",),
    "s4_suit_direct": ("s4.suit_direct.total",),
    "s4_suit_after_review": ("s4.suit_after_review.total",),
    "s4_suits": ("s4.suit_direct.total", "s4.suit_after_review.total"),
    # the numerators of the correction rates (issue 15, migration 0009: gxcrawler.db.rates)
    "s4_review_corrected": ("s4.review.corrected",),
    "s4_suits_corrected": ("s4.suit_direct.corrected", "s4.suit_after_review.corrected"),
}


def headline_values(values: Mapping[str, Decimal]) -> dict[str, Decimal | None]:
    """Each headline of a report's cells: the sum of the values present, None if none is."""
    out: dict[str, Decimal | None] = {}
    for column, keys in HEADLINES.items():
        present = [values[k] for k in keys if k in values]
        out[column] = sum(present, Decimal(0)) if present else None
    return out


def headline_select(alias: str = "v", columns: Iterable[str] = HEADLINES) -> str:
    """Headline ``columns`` as SQL aggregates over ``report_values`` rows named ``alias``."""

    def listed(keys: tuple[str, ...]) -> str:
        return ", ".join(f"'{k}'" for k in keys)

    return ",\n    ".join(
        f"sum(CASE WHEN {alias}.key IN ({listed(keys)}) THEN {alias}.value END) AS {column}"
        for column, keys in ((c, HEADLINES[c]) for c in columns)
    )


def backfill_sql(columns: Iterable[str] = HEADLINES) -> str:
    """``UPDATE reports`` setting ``checks`` and the headline ``columns`` from stored rows.

    For the migration that adds the columns (they start NULL; a report with neither cells
    nor checks keeps NULL headlines and 0 checks), which passes the columns it adds by
    name. One ``UPDATE … FROM`` (PostgreSQL; SQLite since 3.33) over the headline cells
    and the checks together: one pass, and one new version of each report row.
    """
    columns = list(columns)
    keys = ", ".join(f"'{k}'" for k in sorted({k for c in columns for k in HEADLINES[c]}))
    assignments = ", ".join(f"{c} = h.{c}" for c in columns)
    return (
        f"UPDATE reports SET checks = h.checks, {assignments} "
        f"FROM (SELECT v.report_id, sum(v.is_check) AS checks, {headline_select('v', columns)} FROM ("
        f"SELECT report_id, key, value, 0 AS is_check FROM report_values WHERE key IN ({keys}) "
        "UNION ALL SELECT report_id, NULL, NULL, 1 FROM check_results"
        ") AS v GROUP BY v.report_id) AS h "
        "WHERE h.report_id = reports.id"
    )
