"""`gxcrawler export`: re-reading the files gives back exactly the loaded values."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gxcrawler import catalog
from gxcrawler.cli import main
from gxcrawler.db import make_engine
from gxcrawler.exports import DICTIONARY_NAME, LONG_NAME, WIDE_NAME
from tests.fixtures.analytics import Known


def run_export(engine, out: Path, fmt: str, *extra: str) -> None:  # noqa: ANN001
    url = engine.url.render_as_string(hide_password=False)
    assert main(["export", "--url", url, "--format", fmt, *extra, str(out)]) == 0


def read_rows(path: Path) -> list[dict]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    return pq.read_table(path).to_pylist()


def value(cell) -> Decimal | None:  # noqa: ANN001 - CSV text or Parquet Decimal
    if cell is None or cell == "":
        return None
    return cell if isinstance(cell, Decimal) else Decimal(cell)


def check_long(rows: list[dict], known: list[Known]) -> None:
    got = {(int(r["report_id"]), r["key"]): value(r["value"]) for r in rows}
    assert len(got) == len(rows)  # one row per cell
    assert got == {(k.report_id, key): v for k in known for key, v in k.result.values.items()}
    by_id = {k.report_id: k for k in known}
    for r in rows:
        k = by_id[int(r["report_id"])]
        assert (r["agency"], r["county"], int(r["year"])) == (k.agency, k.region.county, k.year)
        m = catalog.METRICS[r["key"]]
        assert (r["section"], r["table"], r["row"], r["column"]) == (m.section, m.table, m.row, m.column)
        assert (r["row_label"], r["column_label"]) == catalog.label(r["key"], k.result.edition)


def check_wide(rows: list[dict], known: list[Known]) -> None:
    assert sorted(int(r["report_id"]) for r in rows) == sorted(k.report_id for k in known)
    by_id = {k.report_id: k for k in known}
    for r in rows:
        k = by_id[int(r["report_id"])]
        cells = {key: value(r[key]) for key in catalog.METRICS if value(r[key]) is not None}
        assert cells == k.result.values
        assert (r["agency"], int(r["year"]), r["status"]) == (k.agency, k.year, k.result.status)
        assert int(r["checks_failed"]) == len(k.result.failed_checks)
        assert (r["blank_keys"].split(";") if r["blank_keys"] else []) == sorted(k.result.blank)
    assert list(rows[0])[-len(catalog.METRICS):] == list(catalog.METRICS)  # catalog order


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_round_trips_every_value_exactly(analytics_pg, tmp_path, fmt):
    engine, known = analytics_pg
    run_export(engine, tmp_path, fmt)
    check_long(read_rows(tmp_path / f"{LONG_NAME}.{fmt}"), known)
    check_wide(read_rows(tmp_path / f"{WIDE_NAME}.{fmt}"), known)
    # decimals with places are among the values, so exactness was really exercised
    assert any(v != v.to_integral_value() for k in known for v in k.result.values.values())


def test_parquet_values_are_decimals_not_floats(analytics_pg, tmp_path):
    engine, known = analytics_pg
    run_export(engine, tmp_path, "parquet")
    long = pq.read_schema(tmp_path / f"{LONG_NAME}.parquet")
    places = max(-v.as_tuple().exponent for k in known for v in k.result.values.values())
    assert long.field("value").type == pa.decimal128(38, places)
    wide = pq.read_schema(tmp_path / f"{WIDE_NAME}.parquet")
    assert wide.field("s3.new.total").type == pa.decimal128(38, 0)
    assert pa.types.is_date32(wide.field("published").type)


def test_year_and_spider_filters(analytics_pg, tmp_path):
    engine, known = analytics_pg
    run_export(engine, tmp_path, "csv", "--year", "2021-2022", "--spider", "yanshan")
    chosen = [k for k in known if k.year in (2021, 2022) and k.region.portal == "yanshan"]
    assert chosen and len(chosen) < len(known)
    check_long(read_rows(tmp_path / f"{LONG_NAME}.csv"), chosen)
    check_wide(read_rows(tmp_path / f"{WIDE_NAME}.csv"), chosen)


def test_data_dictionary_lists_every_key_with_its_labels(analytics_pg, tmp_path):
    engine, known = analytics_pg
    run_export(engine, tmp_path, "csv", "--year", "2023")
    text = (tmp_path / DICTIONARY_NAME).read_text(encoding="utf-8")
    lines = {line.split("|")[1].strip(" `"): line for line in text.splitlines() if line.startswith("| `s") and "." in line.split("|")[1]}
    assert set(lines) == set(catalog.METRICS)
    for key, m in catalog.METRICS.items():
        assert m.row_label in lines[key] and m.column_label in lines[key]
    assert "规范性文件" in lines["s2.art20_1.normative.new_made"]
    assert f"{sum(1 for k in known if k.year == 2023)} reports" in text


def test_export_from_sqlite_round_trips_too(analytics_sqlite, tmp_path):
    engine, known = analytics_sqlite
    run_export(engine, tmp_path, "parquet")
    check_long(read_rows(tmp_path / f"{LONG_NAME}.parquet"), known)
    check_wide(read_rows(tmp_path / f"{WIDE_NAME}.parquet"), known)


def test_csv_bom_for_excel(analytics_pg, tmp_path):
    engine, known = analytics_pg
    run_export(engine, tmp_path, "csv", "--bom", "--year", "2020")
    raw = (tmp_path / f"{LONG_NAME}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfreport_id,")
    with (tmp_path / f"{LONG_NAME}.csv").open(encoding="utf-8-sig", newline="") as f:
        check_long(list(csv.DictReader(f)), [k for k in known if k.year == 2020])


def test_export_of_an_empty_database_says_what_to_do(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert main(["export", "--url", url, str(tmp_path / "out")]) == 2  # missing: said, not created
    assert "gxcrawler db upgrade" in capsys.readouterr().err
    assert not (tmp_path / "empty.sqlite3").exists()
    make_engine(url).connect().close()  # an existing, empty database
    assert main(["export", "--url", url, str(tmp_path / "out")]) == 2
    assert "holds no gxcrawler tables" in capsys.readouterr().err
