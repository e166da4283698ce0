"""What the views and exports must show, derived from the known inputs (never from the database)."""

from __future__ import annotations

from decimal import Decimal

from gxcrawler import catalog
from tests.fixtures.analytics import Known

#: v_reports headline column -> (kind, argument): a single key, or a group of s3 rows (总计 column)
HEADLINES: dict[str, tuple[str, object]] = {
    "s3_new": ("key", "s3.new.total"),
    "s3_carried_in": ("key", "s3.carried_in.total"),
    "s3_granted": ("key", "s3.granted.total"),
    "s3_partial": ("key", "s3.partial.total"),
    "s3_denied": ("rows", "denied."),
    "s3_unavailable": ("rows", "unavailable."),
    "s3_rejected": ("rows", "rejected."),
    "s3_other": ("rows", "other"),
    "s3_total": ("key", "s3.total.total"),
    "s3_carried_out": ("key", "s3.carried_out.total"),
    "s4_review": ("key", "s4.review.total"),
    "s4_suit_direct": ("key", "s4.suit_direct.total"),
    "s4_suit_after_review": ("key", "s4.suit_after_review.total"),
    "s4_suits": ("keys", ("s4.suit_direct.total", "s4.suit_after_review.total")),
}


def headline(values: dict[str, Decimal], column: str) -> Decimal | None:
    """A headline number: None when no cell it is made of has a value."""
    kind, arg = HEADLINES[column]
    if kind == "key":
        return values.get(arg)  # type: ignore[arg-type]
    if kind == "keys":
        keys = arg
    else:
        keys = [
            k
            for k, m in catalog.METRICS.items()
            if m.section == "s3" and m.column == "total" and m.row.startswith(arg)  # type: ignore[arg-type]
        ]
    present = [values[k] for k in keys if k in values]  # type: ignore[union-attr]
    return sum(present, Decimal(0)) if present else None


def long_rows(known: list[Known], section: str) -> set[tuple]:
    """(report_id, key, row_key, row_label, column_key, column_label, value) of every stored cell."""
    out = set()
    for k in known:
        for key, value in k.result.values.items():
            m = catalog.METRICS[key]
            if m.section != section:
                continue
            row_label, column_label = catalog.label(key, k.result.edition)
            out.add((k.report_id, key, m.row, row_label, m.column, column_label, value))
    return out


def failed_checks(known: list[Known]) -> set[tuple]:
    return {
        (k.report_id, c.rule, c.left, c.right, c.left - c.right)
        for k in known
        for c in k.result.checks
        if not c.ok
    }


def coverage(known: list[Known]) -> set[tuple]:
    """(agency, year, has_report, report_id): every agency × every year of the national tables
    (from the first 2019+ year in the data to the last), and any earlier report."""
    national = [k.year for k in known if k.year >= 2019]
    years = range(min(national), max(k.year for k in known) + 1)
    by_key = {(k.agency, k.year): k.report_id for k in known}
    grid = {
        (agency, year, (agency, year) in by_key, by_key.get((agency, year)))
        for agency in {k.agency for k in known}
        for year in years
    }
    return grid | {(a, y, True, rid) for (a, y), rid in by_key.items() if y < min(national)}


def years_checks(known: list[Known]) -> set[tuple]:
    """(report_id, other_report_id, rule, ok, left, right) of every check across years the
    known reports imply: consecutive years of one agency, cells read (blank = 0), not all blank."""
    by_key = {(k.agency, k.year): k for k in known}
    out = set()
    for (agency, year), cur in by_key.items():
        prev = by_key.get((agency, year - 1))
        if prev is None:
            continue

        def cell(k: Known, key: str) -> Decimal | None:
            if key in k.result.values:
                return k.result.values[key]
            return Decimal(0) if key in k.result.blank else None

        def printed(k: Known, key: str) -> bool:
            return key in k.result.values

        pairs = [
            (f"years.carried.{c.key}", [(prev, f"s3.carried_out.{c.key}", 1)], [(cur, f"s3.carried_in.{c.key}", 1)])
            for c in catalog.S3_COLUMNS
        ]
        for row in ("rules", "normative"):
            key = f"s2.art20_1.{row}"
            pairs.append((
                f"years.in_force.{row}",
                [(cur, f"{key}.in_force", 1)],
                [(prev, f"{key}.in_force", 1), (cur, f"{key}.issued", 1), (cur, f"{key}.repealed", -1)],
            ))
        for rule, left_terms, right_terms in pairs:
            terms = left_terms + right_terms
            if any(cell(k, key) is None for k, key, _ in terms) or not any(printed(k, key) for k, key, _ in terms):
                continue
            left = sum((s * cell(k, key) for k, key, s in left_terms), Decimal(0))
            right = sum((s * cell(k, key) for k, key, s in right_terms), Decimal(0))
            out.add((cur.report_id, prev.report_id, rule, left == right, left, right))
    return out
