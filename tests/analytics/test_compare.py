"""v_compare and ``gxcrawler compare``: every cell beside another year's, computed here from the inputs."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import sqlalchemy as sa

from gxcrawler import catalog
from gxcrawler.cli import main

D = Decimal


def num(value) -> Decimal | None:  # noqa: ANN001
    return None if value is None else D(str(value))


def test_v_compare_sets_each_cell_beside_the_previous_year(analytics_pg):
    engine, known = analytics_pg
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM v_compare"))]
    got = {(r["report_id"], r["key"]): (num(r["value"]), num(r["prev_value"]), num(r["change"]), r["prev_report_id"]) for r in rows}
    by_key = {(k.agency, k.year): k for k in known}
    want = {}
    for k in known:
        prev = by_key.get((k.agency, k.year - 1))
        before = prev.result.values if prev else {}
        for key in set(k.result.values) | set(before):
            a, b = k.result.values.get(key), before.get(key)
            want[(k.report_id, key)] = (a, b, a - b if a is not None and b is not None else None, prev.report_id if prev else None)
    assert got == want
    # editions mixed across years: a 2019-edition row beside nothing in 2021, and labels of the later edition
    assert any(r["edition"] == "2021" and r["prev_edition"] == "2019" and r["key"] == "s3.other.total" for r in rows)
    assert {r["row_label"] for r in rows if r["key"].startswith("s2.art20_1.normative") and r["edition"] == "2019"} == {"规范性文件"}


def _run(capsys, *argv: str) -> tuple[int, str, str]:  # noqa: ANN001
    code = main(["compare", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_compare_prints_two_years_of_an_agency(analytics_pg, capsys):
    engine, known = analytics_pg
    url = engine.url.render_as_string(hide_password=False)
    first = next(k for k in known if k.agency.endswith("仁和镇人民政府") and k.year == 2019)
    second = next(k for k in known if k.agency.endswith("仁和镇人民政府") and k.year == 2022)
    code, out, _ = _run(capsys, "仁和镇", "2019", "2022", "--format", "csv", "--url", url)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    keys = [r["key"] for r in rows]
    expected_keys = [
        k for k in catalog.METRICS
        if any(k in s.result.values or k in s.result.blank for s in (first, second))
    ]
    assert keys == expected_keys  # printed order
    for r in rows:
        for side, column in ((first, "2019"), (second, "2022")):
            cell = side.result.values.get(r["key"])
            assert r[column] == (format(cell, "f") if cell is not None else ("blank" if r["key"] in side.result.blank else ""))
        a, b = first.result.values.get(r["key"]), second.result.values.get(r["key"])
        assert r["change"] == (format(b - a, "f") if a is not None and b is not None else "")
    assert {"s3.other.total", "s3.other.other.total"} <= set(keys)  # both editions' rows
    code, table, _ = _run(capsys, str(_agency_id(engine, first.agency)), "2019", "2022", "--url", url)
    assert code == 0 and first.agency in table and "本年新收政府信息公开申请数量" in table
    assert table.splitlines()[-1].endswith("changed")


def _agency_id(engine, name: str) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT id FROM agencies WHERE name = :n"), {"n": name}).scalar_one()


def test_compare_says_what_is_wrong(analytics_pg, capsys):
    engine, _ = analytics_pg
    url = engine.url.render_as_string(hide_password=False)
    code, _, err = _run(capsys, "仁和区", "2021", "2022", "--url", url)
    assert code == 2 and "agencies match" in err
    code, _, err = _run(capsys, "仁和镇", "2016", "2022", "--url", url)
    assert code == 2 and "no report for 2016" in err and "2019" in err
    code, _, err = _run(capsys, "不存在的机关", "2021", "2022", "--url", url)
    assert code == 2 and "no agency" in err


def test_v_compare_on_sqlite(analytics_sqlite):
    engine, known = analytics_sqlite
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT report_id, key, value, prev_value, change FROM v_compare")).all()
    assert rows and all(
        (c is None) == (v is None or p is None) and (c is None or abs(num(c) - (num(v) - num(p))) < D("0.001"))
        for _, _, v, p, c in rows
    )
    assert {r for r, *_ in rows} == {k.report_id for k in known if k.result.values or any(
        p.agency == k.agency and p.year == k.year - 1 and p.result.values for p in known)}
