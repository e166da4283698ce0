"""Narrative checks (a number the text states against its cell) are stored like the identities."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import sqlalchemy as sa

from gxcrawler.db import Loader
from gxcrawler.db.loader import parse_fingerprint
from gxcrawler.parsing.narrative import narrative_checks
from tests.fixtures.db import make_report


def _with_text(item, text: str):  # noqa: ANN001, ANN202
    """The report with the narrative checks the parser finds in ``text``."""
    result, prov, region = item
    result = replace(result, narrative=narrative_checks([text], result.year, result.values, result.blank))
    return result, prov, region


def _failed(engine) -> list[dict]:  # noqa: ANN001
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM v_failed_checks ORDER BY agency, year, rule"))
        return [dict(r._mapping) for r in rows]


def _narrative_rows(engine) -> set[tuple]:  # noqa: ANN001
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                'SELECT a.name, r.year, c.rule, c.ok, c."left", c."right", c.sentence FROM check_results c '
                "JOIN reports r ON r.id = c.report_id JOIN agencies a ON a.id = r.agency_id "
                "WHERE c.rule LIKE 'narrative.%'"
            )
        )
        return {(n, y, rule, bool(ok), Decimal(str(a)), Decimal(str(b)), s) for n, y, rule, ok, a, b, s in rows}


def test_a_stated_number_that_differs_from_its_cell_is_a_failed_narrative_check(db_engine):
    first = make_report("蚌峨乡", 2022, seed=1)
    second = make_report("平远镇", 2022, seed=2)
    new = first[0].values["s3.new.total"]
    review = second[0].values["s4.review.total"]
    wrong = f"2022年,本机关共收到政府信息公开申请{new + 3}件"
    right = f"本年度因政府信息公开申请被申请行政复议{review}件"
    batch = [_with_text(first, wrong), _with_text(second, wrong.replace(str(new + 3), "x") + "。" + right)]
    # both loaded in one batch: the PostgreSQL COPY path; the SQLite path row by row
    outcomes = Loader(db_engine).load_many(batch)
    assert [o.status for o in outcomes] == ["inserted", "inserted"]

    rows = _failed(db_engine)
    narrative = [r for r in rows if r["kind"] == "narrative"]
    assert len(narrative) == 1
    (row,) = narrative
    assert row["agency"] == "砚山县蚌峨乡人民政府" and row["year"] == 2022
    assert row["rule"] == "narrative.received"
    assert Decimal(str(row["left"])) == new + 3 and Decimal(str(row["right"])) == new
    assert Decimal(str(row["difference"])) == 3
    assert row["sentence"] == wrong
    assert "本年新收" in row["identity"]
    assert all(r["kind"] == "identity" and r["sentence"] is None for r in rows if r is not row)

    assert _narrative_rows(db_engine) == {
        ("砚山县蚌峨乡人民政府", 2022, "narrative.received", False, new + 3, new, wrong),
        ("砚山县平远镇人民政府", 2022, "narrative.review", True, review, review, right),
    }


def test_a_report_whose_text_changes_replaces_its_narrative_checks(db_engine):
    loader = Loader(db_engine)
    item = make_report("蚌峨乡", 2021)
    new = item[0].values["s3.new.total"]
    assert loader.load(*_with_text(item, f"本年度收到政府信息公开申请{new + 1}件")).status == "inserted"
    assert loader.load(*_with_text(item, f"本年度收到政府信息公开申请{new + 1}件")).status == "unchanged"
    assert loader.load(*_with_text(item, f"本年度收到政府信息公开申请{new}件")).status == "updated"
    assert _narrative_rows(db_engine) == {
        ("砚山县蚌峨乡人民政府", 2021, "narrative.received", True, new, new, f"本年度收到政府信息公开申请{new}件")
    }
    assert not [r for r in _failed(db_engine) if r["kind"] == "narrative"]
    # the report row counts the identities only (its `checks` column), as before
    with db_engine.connect() as conn:
        checks = conn.execute(sa.text("SELECT checks FROM reports")).scalar_one()
    assert checks == len(item[0].checks)


def test_fingerprint_sees_the_narrative_and_keeps_the_old_bytes_without_it():
    result, _, _ = make_report("蚌峨乡", 2021)
    new = result.values["s3.new.total"]
    said = replace(result, narrative=narrative_checks([f"本年度收到政府信息公开申请{new}件"], 2021, result.values, []))
    assert said.narrative and parse_fingerprint(said) != parse_fingerprint(result)
    other = replace(result, narrative=narrative_checks([f"本年度收到政府信息公开申请{new + 1}件"], 2021, result.values, []))
    assert parse_fingerprint(other) != parse_fingerprint(said)
    assert parse_fingerprint(replace(result, narrative=[])) == parse_fingerprint(result)
