"""Exports for people who work in pandas, R or a spreadsheet (``gxcrawler export``).

Three files go into the output directory:

* ``cells_long.{csv,parquet}`` — tidy: one row per stored cell, with the report's
  agency, region, year and the official labels of the cell (as its edition prints them);
* ``reports_wide.{csv,parquet}`` — one row per report, one column per metric key in
  catalog (printed) order; empty where the report has no value;
* ``DATA_DICTIONARY.md`` — every column and every key with its labels, generated from
  :mod:`gxcrawler.catalog`.

Values are exact: CSV holds the decimal text (``209512.943``, never ``2.09512943e5``);
Parquet holds ``decimal128(38, s)`` where ``s`` is the largest number of decimal places
among the exported values of that column (0 for counts), so nothing is rounded.
Cells stream from the database, so memory stays flat however many reports there are.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from . import catalog
from .db.models import Agency, Report, ReportValue

FORMATS = ("csv", "parquet")
LONG_NAME = "cells_long"
WIDE_NAME = "reports_wide"
DICTIONARY_NAME = "DATA_DICTIONARY.md"

#: report columns at the start of both files: (name, description)
REPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("report_id", "id of the report in the database (reports.id)"),
    ("agency", "canonical full name of the publishing agency"),
    ("agency_kind", "county | city | township | department"),
    ("province", "province of the agency"),
    ("city", "city (地级市/州) of the agency"),
    ("county", "county (县/区/县级市/开发区) of the agency"),
    ("division_code", "GB/T 2260 code of the county (or city), where known"),
    ("portal", "portal (spider) the agency was first found on"),
    ("spider", "spider that loaded this report"),
    ("year", "statistics year (a 2021 report published in 2022 is 2021)"),
    ("edition", "table edition: 2019 or 2021 (from the headers, not the year)"),
    ("published", "publication date (ISO)"),
    ("status", "ok | partial | no_tables"),
    ("url", "where the statistics were read (attachment URL, else page URL)"),
)
CELL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("key", "canonical key section.row.column (docs/spec/metrics.md)"),
    ("section", "s2 | s3 | s4"),
    ("table", "sub-table code, e.g. s2.art20_5, s3, s4"),
    ("row", "row key, e.g. denied.state_secret"),
    ("column", "column key, e.g. natural, total"),
    ("table_label", "official label of the sub-table"),
    ("row_label", "official row label, as the report's edition prints it"),
    ("column_label", "official column label, as the report's edition prints it"),
    ("value", "the number printed in the cell, exact"),
)
WIDE_EXTRA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("title", "report title"),
    ("checks_failed", "how many identities (勾稽关系) of the spec the report breaks"),
    ("blank_keys", "keys printed blank (empty, -, /, 无), separated by ';'"),
)
_BATCH = 20_000


@dataclass
class ExportSummary:
    directory: Path
    files: list[Path] = field(default_factory=list)
    reports: int = 0
    cells: int = 0


def export(
    engine: Engine,
    out_dir: Path | str,
    fmt: str = "csv",
    *,
    years: Sequence[int] | None = None,
    spiders: Sequence[str] | None = None,
    bom: bool = False,
) -> ExportSummary:
    """Write the long file, the wide file and the data dictionary into ``out_dir``."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: use one of {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = ExportSummary(out)
    # one snapshot for the two passes, so a crawl loading meanwhile cannot split them
    snapshot = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**snapshot) as conn:
        where = _where(years, spiders)
        reports = _reports(conn, where)
        # Parquet's decimal types need the scales up front: a first pass (CSV needs none)
        scales = _scales(conn, where) if fmt == "parquet" else {}
        keys = [*catalog.METRICS, *_unknown_keys(conn, where)]
        long_path, wide_path = out / f"{LONG_NAME}.{fmt}", out / f"{WIDE_NAME}.{fmt}"
        writer_cls = _CsvWriter if fmt == "csv" else _ParquetWriter
        long_w = writer_cls(long_path, _long_columns(), scales, bom=bom)
        wide_w = writer_cls(wide_path, _wide_columns(keys), scales, bom=bom)
        report_columns = [c for c, _ in REPORT_COLUMNS]
        extra_columns = [c for c, _ in WIDE_EXTRA_COLUMNS]
        prep = long_w.prepare
        try:
            for report_id, cells in _cells_by_report(conn, reports, where):
                report = reports[report_id]
                edition = report["edition"]
                head = [prep(report[c]) for c in report_columns]
                for key, value in cells:
                    long_w.add([*head, *_cell_fields(key, edition), prep(value)])
                values = dict(cells)
                wide_w.add(
                    [*head, *(prep(report[c]) for c in extra_columns), *(prep(values.get(k)) for k in keys)]
                )
                summary.cells += len(cells)
                summary.reports += 1
        finally:
            long_w.close()
            wide_w.close()
    dictionary = out / DICTIONARY_NAME
    dictionary.write_text(
        data_dictionary(fmt, summary, years=years, spiders=spiders, keys=keys), encoding="utf-8"
    )
    summary.files = [long_path, wide_path, dictionary]
    return summary


# ---------------------------------------------------------------- reading


def _where(years: Sequence[int] | None, spiders: Sequence[str] | None) -> list[sa.ColumnElement[bool]]:
    r = Report.__table__
    conditions = []
    if years:
        conditions.append(r.c.year.in_(list(years)))
    if spiders:
        conditions.append(r.c.spider.in_(list(spiders)))
    return conditions


def _reports(conn: Connection, where: list[sa.ColumnElement[bool]]) -> dict[int, dict[str, Any]]:
    r, a = Report.__table__, Agency.__table__
    query = (
        sa.select(
            r.c.id.label("report_id"),
            a.c.name.label("agency"),
            a.c.kind.label("agency_kind"),
            a.c.province,
            a.c.city,
            a.c.county,
            a.c.division_code,
            a.c.portal,
            r.c.spider,
            r.c.year,
            r.c.edition,
            r.c.published,
            r.c.status,
            sa.func.coalesce(r.c.document_url, r.c.page_url).label("url"),
            r.c.title,
            r.c.checks_failed,
            r.c.blank,
        )
        .join(a, a.c.id == r.c.agency_id)
        .where(*where)
        .order_by(r.c.id)
    )
    out: dict[int, dict[str, Any]] = {}
    for row in conn.execute(query):
        rec = dict(row._mapping)
        rec["blank_keys"] = ";".join(rec.pop("blank") or [])
        out[rec["report_id"]] = rec
    return out


def _value_rows(conn: Connection, where: list[sa.ColumnElement[bool]]) -> Iterator[sa.Row]:
    """(report_id, key, value) of the selected reports, by report, streamed."""
    v, r = ReportValue.__table__, Report.__table__
    query = (
        sa.select(v.c.report_id, v.c.key, v.c.value)
        .join(r, r.c.id == v.c.report_id)
        .where(*where)
        .order_by(v.c.report_id)
    )
    return conn.execution_options(stream_results=True, yield_per=_BATCH).execute(query)


def _scales(conn: Connection, where: list[sa.ColumnElement[bool]]) -> dict[str, int]:
    """Decimal places needed per key (first pass: Parquet's decimal type needs them up front)."""
    scales: dict[str, int] = {}
    for row in _value_rows(conn, where):
        scales[row.key] = max(scales.get(row.key, 0), _scale(row.value))
    return scales


def _unknown_keys(conn: Connection, where: list[sa.ColumnElement[bool]]) -> list[str]:
    """Stored keys the catalog no longer has (``metrics`` keeps them): exported after the others."""
    v, r = ReportValue.__table__, Report.__table__
    query = (
        sa.select(v.c.key)
        .distinct()
        .join(r, r.c.id == v.c.report_id)
        .where(*where, v.c.key.not_in(list(catalog.METRICS)))
    )
    return sorted(conn.execute(query).scalars())


def _cells_by_report(
    conn: Connection, reports: dict[int, dict[str, Any]], where: list[sa.ColumnElement[bool]]
) -> Iterator[tuple[int, list[tuple[str, Decimal]]]]:
    """(report id, [(key, value)] in printed order), for every exported report with cells or not."""
    order = {k: m.ordinal for k, m in catalog.METRICS.items()}
    pending = iter(sorted(reports))
    current: int | None = None
    cells: list[tuple[str, Decimal]] = []

    def flush() -> tuple[int, list[tuple[str, Decimal]]]:
        return current, sorted(cells, key=lambda kv: (order.get(kv[0], len(order)), kv[0]))

    for row in _value_rows(conn, where):
        if row.report_id not in reports:
            continue
        if row.report_id != current:
            if current is not None:
                yield flush()
            for rid in pending:  # reports without any cell (no_tables) in between
                if rid == row.report_id:
                    break
                yield rid, []
            current, cells = row.report_id, []
        cells.append((row.key, row.value))  # Decimal (ExactDecimal on SQLite too)
    if current is not None:
        yield flush()
    for rid in pending:
        yield rid, []


@cache
def _cell_fields(key: str, edition: str | None) -> tuple[str, ...]:
    """key, section, table, row, column, table_label, row_label, column_label of a cell."""
    metric = catalog.METRICS.get(key)
    if metric is None:  # a key the catalog no longer has: keep it, without labels
        head, _, column = key.rpartition(".")
        section, _, row = head.partition(".")
        return (key, section, section, row, column, "", "", "")
    row_label, column_label = catalog.label(key, edition)
    return (key, metric.section, metric.table, metric.row, metric.column, metric.table_label,
            row_label, column_label)


def _scale(value: Decimal | Any) -> int:
    exponent = Decimal(value).as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


# ---------------------------------------------------------------- writing


def _long_columns() -> list[str]:
    return [c for c, _ in REPORT_COLUMNS] + [c for c, _ in CELL_COLUMNS]  # value last


def _wide_columns(keys: list[str]) -> list[str]:
    return [c for c, _ in REPORT_COLUMNS] + [c for c, _ in WIDE_EXTRA_COLUMNS] + keys


def _text(value: Any) -> str:
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return value
    if kind is Decimal:
        return format(value, "f")  # never exponent notation
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class _CsvWriter:
    """Rows are lists in column order; ``prepare`` turns a value into its CSV text."""

    prepare = staticmethod(_text)

    def __init__(self, path: Path, columns: list[str], scales: dict[str, int], *, bom: bool) -> None:
        self.file = path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="")
        self.writer = csv.writer(self.file)
        self.writer.writerow(columns)

    def add(self, row: list[Any]) -> None:
        self.writer.writerow(row)

    def close(self) -> None:
        self.file.close()


class _ParquetWriter:
    """Collects rows column by column and writes a row group every ``_BATCH`` rows."""

    INTS = {"report_id": "int64", "year": "int32", "checks_failed": "int32"}

    @staticmethod
    def prepare(value: Any) -> Any:
        return value

    def __init__(self, path: Path, columns: list[str], scales: dict[str, int], *, bom: bool) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa = pa
        value_scale = max(scales.values(), default=0)
        fields = []
        for name in columns:
            if name in self.INTS:
                typ = getattr(pa, self.INTS[name])()
            elif name == "published":
                typ = pa.date32()
            elif name == "value":
                typ = pa.decimal128(38, value_scale)
            elif name in catalog.METRICS or name in scales:
                typ = pa.decimal128(38, scales.get(name, 0))
            else:
                typ = pa.string()
            fields.append(pa.field(name, typ))
        self.schema = pa.schema(fields)
        self.writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self.data: list[list[Any]] = [[] for _ in columns]
        self.rows = 0

    def add(self, row: list[Any]) -> None:
        for column, value in zip(self.data, row, strict=True):
            column.append(value)
        self.rows += 1
        if self.rows >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        arrays = [self.pa.array(col, type=f.type) for col, f in zip(self.data, self.schema, strict=True)]
        self.writer.write_table(self.pa.Table.from_arrays(arrays, schema=self.schema))
        self.data = [[] for _ in self.data]
        self.rows = 0

    def close(self) -> None:
        if self.rows:
            self._flush()
        self.writer.close()


# ---------------------------------------------------------------- dictionary


def data_dictionary(
    fmt: str,
    summary: ExportSummary,
    *,
    years: Sequence[int] | None = None,
    spiders: Sequence[str] | None = None,
    keys: Sequence[str] | None = None,
) -> str:
    """The README of an export: files, columns, and every key with its official labels."""
    keys = list(keys or catalog.METRICS)
    value_type = "exact decimal text" if fmt == "csv" else "decimal128(38, s), s = decimal places needed"
    lines = [
        "# Data dictionary",
        "",
        "政府信息公开工作年度报告 statistics exported by `gxcrawler export` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        f"Filters: years {', '.join(map(str, years)) if years else 'all'}; "
        f"spiders {', '.join(spiders) if spiders else 'all'}. "
        f"{summary.reports} reports, {summary.cells} cells.",
        "",
        "## Files",
        "",
        f"- `{LONG_NAME}.{fmt}`: one row per cell a report printed a number in. A cell printed "
        "blank (empty, -, /, 无) or not read has no row: absent is not zero.",
        f"- `{WIDE_NAME}.{fmt}`: one row per report, one column per key below (empty: no value).",
        f"- Values: {value_type}; CSV files are UTF-8.",
        "",
        "## Report columns (both files)",
        "",
        "| column | meaning |",
        "|---|---|",
        *(f"| `{c}` | {d} |" for c, d in REPORT_COLUMNS),
        "",
        f"## Cell columns (`{LONG_NAME}`)",
        "",
        "| column | meaning |",
        "|---|---|",
        *(f"| `{c}` | {d} |" for c, d in CELL_COLUMNS),
        "",
        f"## Extra columns (`{WIDE_NAME}`)",
        "",
        "| column | meaning |",
        "|---|---|",
        *(f"| `{c}` | {d} |" for c, d in WIDE_EXTRA_COLUMNS),
        "| one column per key | the value of that cell (see below) |",
        "",
        "## Keys",
        "",
        "Labels are those of the 2021 edition; where the 2019 edition prints another, it follows "
        "after ` / 2019: `. Editions: which table editions have the cell.",
        "",
        "| key | table | row | column | editions |",
        "|---|---|---|---|---|",
    ]
    for key in keys:
        m = catalog.METRICS.get(key)
        if m is None:
            lines.append(f"| `{key}` | | | | (no longer in the catalog) |")
            continue
        row_2019, col_2019 = catalog.label(key, "2019")
        row = m.row_label + (f" / 2019: {row_2019}" if "2019" in m.editions and row_2019 != m.row_label else "")
        col = m.column_label + (
            f" / 2019: {col_2019}" if "2019" in m.editions and col_2019 != m.column_label else ""
        )
        lines.append(f"| `{key}` | {m.table_label} | {row} | {col} | {', '.join(m.editions)} |")
    lines += [
        "",
        "Identities (勾稽关系) a correct report satisfies are listed in docs/spec/metrics.md; "
        "`checks_failed` counts the ones this report breaks.",
        "",
    ]
    return "\n".join(lines)
