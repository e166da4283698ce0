"""One agency's report of one year beside another year's, cell by cell (``gxcrawler compare``).

The rows follow the printed order of the tables (``metrics.ordinal``); a cell appears when
either report has a value or printed it blank. A blank cell is shown as blank, never as
0, and its change is empty; so is the change of a cell only one report has (e.g. a
2019-edition row beside a 2021-edition one). Labels are those of the later report's
edition. ``v_compare`` gives the same rows for consecutive years in SQL.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import catalog
from .views import _AGENCY, edition_label


class CompareError(Exception):
    """The agency or a report cannot be found (the message says what to do)."""


@dataclass(frozen=True)
class Side:
    report_id: int
    year: int
    edition: str | None
    url: str | None
    values: dict[str, Decimal]
    blank: frozenset[str]

    def cell(self, key: str) -> Decimal | str | None:
        if key in self.values:
            return self.values[key]
        return "blank" if key in self.blank else None


@dataclass(frozen=True)
class Comparison:
    agency_id: int
    agency: str
    first: Side
    second: Side

    def rows(self) -> list[tuple[str, str, str, Decimal | str | None, Decimal | str | None, Decimal | None]]:
        """(key, row label, column label, first, second, second − first) in printed order."""
        out = []
        edition = self.second.edition or self.first.edition
        for key in catalog.METRICS:  # catalog order is printed order
            a, b = self.first.cell(key), self.second.cell(key)
            if a is None and b is None:
                continue
            row_label, column_label = catalog.label(key, edition)
            change = b - a if isinstance(a, Decimal) and isinstance(b, Decimal) else None
            out.append((key, row_label, column_label, a, b, change))
        return out


def find_agency(conn: Connection, text: str) -> tuple[int, str]:
    """An agency by id, canonical name, recorded spelling, or a part of its name found once."""
    rows: list = []
    if text.isdigit():
        rows = conn.execute(sa.text("SELECT id, name FROM agencies WHERE id = :i"), {"i": int(text)}).all()
    if not rows:
        rows = conn.execute(sa.text("SELECT id, name FROM agencies WHERE name = :n"), {"n": text}).all()
    if not rows:
        rows = conn.execute(
            sa.text(
                "SELECT DISTINCT a.id, a.name FROM agency_aliases s JOIN agencies a ON a.id = s.agency_id "
                "WHERE s.alias = :n"
            ),
            {"n": text},
        ).all()
    if not rows:
        rows = conn.execute(
            sa.text("SELECT id, name FROM agencies WHERE name LIKE :p ORDER BY name"), {"p": f"%{text}%"}
        ).all()
    if not rows:
        raise CompareError(f"no agency named {text!r} (try a part of its name, or its id from v_reports)")
    if len(rows) > 1:
        names = "; ".join(f"{i} {n}" for i, n in rows[:10])
        raise CompareError(f"{len(rows)} agencies match {text!r}: {names} — give the full name or the id")
    return rows[0][0], rows[0][1]


def _side(conn: Connection, agency_id: int, agency: str, year: int) -> Side:
    row = conn.execute(
        sa.text(
            "SELECT id, edition, COALESCE(document_url, page_url) AS url, blank FROM reports "
            "WHERE agency_id = :a AND year = :y"
        ),
        {"a": agency_id, "y": year},
    ).first()
    if row is None:
        have = conn.execute(
            sa.text("SELECT year FROM reports WHERE agency_id = :a ORDER BY year"), {"a": agency_id}
        ).scalars().all()
        raise CompareError(f"{agency} has no report for {year} (years: {', '.join(map(str, have)) or 'none'})")
    blank = row.blank if isinstance(row.blank, list) else []
    values = {
        key: Decimal(str(value))
        for key, value in conn.execute(
            sa.text("SELECT key, value FROM report_values WHERE report_id = :r"), {"r": row.id}
        )
    }
    return Side(row.id, year, row.edition, row.url, values, frozenset(blank))


def compare(conn: Connection, agency: str, first_year: int, second_year: int) -> Comparison:
    agency_id, name = find_agency(conn, agency)
    return Comparison(
        agency_id, name, _side(conn, agency_id, name, first_year), _side(conn, agency_id, name, second_year)
    )


def _text(value: Decimal | str | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else format(value, "f")


def _change(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"+{value:f}" if value > 0 else format(value, "f")


def to_csv(comparison: Comparison) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    first, second = comparison.first.year, comparison.second.year
    writer.writerow(["key", "row_label", "column_label", str(first), str(second), "change"])
    for key, row_label, column_label, a, b, change in comparison.rows():
        writer.writerow([key, row_label, column_label, _text(a), _text(b), "" if change is None else format(change, "f")])
    return out.getvalue()


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space


def to_table(comparison: Comparison) -> str:
    """A plain-text table: the report of each year, then one line per cell."""
    first, second = comparison.first, comparison.second
    lines = [
        f"{comparison.agency} (agency {comparison.agency_id})",
        *(f"  {s.year}: report {s.report_id}, edition {s.edition or '?'}, {s.url or ''}" for s in (first, second)),
        "",
    ]
    header = ("key", "row", "column", str(first.year), str(second.year), "change")
    body = [
        (key, row_label, column_label, _text(a), _text(b), _change(change))
        for key, row_label, column_label, a, b, change in comparison.rows()
    ]
    widths = [max(_width(r[i]) for r in [header, *body]) for i in range(len(header))]
    for r in [header, *body]:
        lines.append(
            "  ".join(_pad(cell, widths[i], right=i >= 3) for i, cell in enumerate(r)).rstrip()
        )
    changed = sum(1 for *_, change in comparison.rows() if change)
    lines.append("")
    lines.append(f"{len(body)} cells, {changed} changed")
    return "\n".join(lines) + "\n"


def _select(value_out: str, prev_out: str, value: str, prev: str) -> str:
    """``v_compare``'s columns (both formulations): ``value``/``prev`` are the numbers the
    change is computed from (cast on SQLite, where values are decimal strings)."""
    return f"""SELECT
    r.id AS report_id,
    {_AGENCY},
    r.year,
    r.edition,
    p.id AS prev_report_id,
    p.year AS prev_year,
    p.edition AS prev_edition,
    m.key,
    m.table_code,
    m.row_key,
    {edition_label("row_label", "r.edition")},
    m.column_key,
    {edition_label("column_label", "r.edition")},
    m.ordinal,
    {value_out},
    {prev_out},
    {value} - {prev} AS change,
    round(100.0 * ({value} - {prev}) / NULLIF({prev}, 0), 1) AS change_pct"""


def view_sql(dialect: str, lateral: bool = False, grouped: bool = False, numbers: bool = False) -> str:
    """``v_compare``: every cell of each report beside the same agency's previous year.

    One row per report and key where either year has a value (a report without a
    previous year shows its cells with ``prev_value`` NULL). Plain joins: a filter on
    agency, region or year reaches the tables first. Blank cells have no value here, as in
    the long views (``reports.blank`` lists them).

    ``lateral`` (migration 0023, PostgreSQL): the same rows, each report's cells and its
    previous report's read by their primary key and merged (a FULL JOIN per report), instead
    of every key of ``metrics`` looked up in both: PostgreSQL planned those look-ups as two
    hashes of every cell in the database as soon as a filter selected more than a few
    reports (a city's: 60–80 s at 100,000 reports; docs/notes/performance.md).

    ``grouped`` (migration 0032, PostgreSQL): the same rows, both reports' cells read in one
    scan of the primary key and grouped by key, each side's value picked by its report. A
    filter on ``key`` then reaches the index (a key grouped on is pushed into the scan; a
    FULL JOIN's merged key is not): one cell compared across a city's or a year's reports
    looks up two cells per report instead of reading all of them.

    ``numbers`` (migration 0044, SQLite): ``value`` and ``prev_value`` cast to numbers
    (``views.number``) instead of the decimal strings SQLite stores, which compare as text.
    """
    if grouped and dialect == "postgresql":
        return _grouped_sql()
    if lateral and dialect == "postgresql":
        return _lateral_sql()
    cast = "CAST({} AS REAL)" if dialect == "sqlite" else "{}"
    value, prev = cast.format("v.value"), cast.format("pv.value")
    shown = ("v.value", "pv.value AS prev_value")
    if numbers and dialect == "sqlite":
        from .views import number

        shown = (number("v.value", "value"), number("pv.value", "prev_value"))
    return f"""
{_select(*shown, value, prev)}
FROM reports r
JOIN agencies a ON a.id = r.agency_id
LEFT JOIN reports p ON p.agency_id = r.agency_id AND p.year = r.year - 1
CROSS JOIN metrics m
LEFT JOIN report_values v ON v.report_id = r.id AND v.key = m.key
LEFT JOIN report_values pv ON pv.report_id = p.id AND pv.key = m.key
WHERE v.value IS NOT NULL OR pv.value IS NOT NULL
"""


def _grouped_sql() -> str:
    """``v_compare`` on PostgreSQL since 0032 (:func:`view_sql`): ``(report_id, key)`` is the
    primary key, so each group holds at most one cell of each report, and ``max`` is that
    cell's value (NULL where the report has no such cell, as the FULL JOIN gave)."""
    return f"""
{_select("c.value", "c.prev_value", "c.value", "c.prev_value")}
FROM reports r
JOIN agencies a ON a.id = r.agency_id
LEFT JOIN reports p ON p.agency_id = r.agency_id AND p.year = r.year - 1
CROSS JOIN LATERAL (
    SELECT key,
           max(value) FILTER (WHERE report_id = r.id) AS value,
           max(value) FILTER (WHERE report_id = p.id) AS prev_value
    FROM report_values
    WHERE report_id = ANY(ARRAY[r.id, p.id])
    GROUP BY key
) c
JOIN metrics m ON m.key = c.key
WHERE c.value IS NOT NULL OR c.prev_value IS NOT NULL
"""


def _lateral_sql() -> str:
    """``v_compare`` on PostgreSQL since 0023 (:func:`view_sql`)."""
    return f"""
{_select("c.value", "c.prev_value", "c.value", "c.prev_value")}
FROM reports r
JOIN agencies a ON a.id = r.agency_id
LEFT JOIN reports p ON p.agency_id = r.agency_id AND p.year = r.year - 1
CROSS JOIN LATERAL (
    SELECT COALESCE(v.key, pv.key) AS key, v.value, pv.value AS prev_value
    FROM (SELECT key, value FROM report_values WHERE report_id = r.id) v
    FULL JOIN (SELECT key, value FROM report_values WHERE report_id = p.id) pv ON pv.key = v.key
) c
JOIN metrics m ON m.key = c.key
WHERE c.value IS NOT NULL OR c.prev_value IS NOT NULL
"""
