"""Reviews of failed checks: tied to the report's content, shown by v_failed_checks."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
import sqlalchemy as sa

from gxcrawler.cli import main
from gxcrawler.db import Loader
from gxcrawler.db.reviews import ReviewError, mark, reopen
from gxcrawler.model import Check
from tests.fixtures.db import make_report

D = Decimal


def _broken(year: int, content: bytes, **changes):  # noqa: ANN003, ANN202
    """蚌峨乡's report of ``year``: s3.balance.natural fails, the text states a wrong 新收."""
    result, prov, region = make_report("蚌峨乡", year, content=content)
    result.values["s3.carried_in.natural"] += 5
    new = result.values["s3.new.total"]
    narrative = [Check("narrative.received", False, new + 1, new, sentence=f"本年度收到政府信息公开申请{new + 1}件")]
    from gxcrawler.checks import evaluate

    result = replace(result, checks=evaluate(result.values, [], result.edition), narrative=narrative, **changes)
    return result, replace(prov, content=content), region


def reviews(engine) -> dict[str, tuple[str, str | None]]:  # noqa: ANN001
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT year, rule, review, review_note FROM v_failed_checks"))
        return {f"{y} {rule}": (review, note) for y, rule, review, note in rows}


def _id(engine, year: int) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT id FROM reports WHERE year = :y"), {"y": year}).scalar_one()


def test_marks_survive_reparsing_and_a_changed_report_reopens_them(db_engine):
    loader = Loader(db_engine)
    assert loader.load(*_broken(2022, b"v1 of 2022")).status == "inserted"
    assert loader.load(*_broken(2023, b"v1 of 2023")).status == "inserted"
    got = reviews(db_engine)
    assert {"2022 s3.balance.natural", "2022 narrative.received", "2023 years.carried.natural"} <= set(got)
    assert {review for review, _ in got.values()} == {"open"}
    r22, r23 = _id(db_engine, 2022), _id(db_engine, 2023)

    with db_engine.begin() as conn:
        mark(conn, r22, "s3.balance.natural", "confirmed", reviewer="tester")
        mark(conn, r22, "narrative.received", "dismissed", "the sentence counts 12345 requests too", "tester")
        mark(conn, r23, "years.carried.natural", "confirmed")
    got = reviews(db_engine)
    assert got["2022 s3.balance.natural"] == ("confirmed", None)
    assert got["2022 narrative.received"] == ("dismissed", "the sentence counts 12345 requests too")
    assert got["2023 years.carried.natural"][0] == "confirmed"
    assert got["2022 s3.row_total.carried_in"] == ("open", None)

    # the same bytes parsed again (a new parser version: the parse differs, the content not)
    assert loader.load(*_broken(2022, b"v1 of 2022", warnings=["re-parsed"])).status == "updated"
    got = reviews(db_engine)
    assert got["2022 s3.balance.natural"][0] == "confirmed" and got["2022 narrative.received"][0] == "dismissed"
    assert got["2023 years.carried.natural"][0] == "confirmed"  # its checks were recomputed, same contents

    # the earlier report changes: the check across years reopens, the later report's own marks stay
    assert loader.load(*_broken(2022, b"v2 of 2022", published=None)).status == "updated"
    got = reviews(db_engine)
    assert got["2022 s3.balance.natural"] == ("open", None) and got["2022 narrative.received"] == ("open", None)
    assert got["2023 years.carried.natural"] == ("open", None)
    assert got["2023 s3.balance.natural"] == ("open", None)

    # a mark is removed by reopen; a dismissal needs a note; only failed checks are marked
    with db_engine.begin() as conn:
        mark(conn, r23, "s3.balance.natural", "confirmed")
        assert reopen(conn, r23, "s3.balance.natural") is True
        assert reopen(conn, r23, "s3.balance.natural") is False
    for args, message in (
        ((r23, "s3.balance.natural", "dismissed", " "), "note"),
        ((r23, "s3.balance.total", "confirmed"), "holds"),
        ((r23, "s3.no.such.rule", "confirmed"), "no check"),
        ((999999, "s3.balance.natural", "confirmed"), "no report"),
        ((r23, "s3.balance.natural", "maybe"), "status"),
    ):
        with pytest.raises(ReviewError, match=message), db_engine.begin() as conn:
            mark(conn, *args)
    assert reviews(db_engine)["2023 s3.balance.natural"] == ("open", None)


def test_gxcrawler_review_lists_marks_and_reopens(pg_engine, capsys):
    loader = Loader(pg_engine)
    loader.load(*_broken(2022, b"v1 of 2022"))
    url = pg_engine.url.render_as_string(hide_password=False)
    report = _id(pg_engine, 2022)

    assert main(["review", "--url", url, "list", "--kind", "narrative"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "narrative.received" in out and "open" in out and "本年度收到" in out
    assert main(["review", "--url", url, "dismiss", str(report), "narrative.received"]) == 2
    assert "note" in capsys.readouterr().err
    assert main(["review", "--url", url, "dismiss", str(report), "narrative.received", "--note", "misread"]) == 0
    assert main(["review", "--url", url, "confirm", str(report), "s3.balance.natural", "--by", "ana"]) == 0
    capsys.readouterr()
    assert main(["review", "--url", url, "list"]) == 0
    out = capsys.readouterr().out
    assert "narrative.received" not in out and "s3.balance.natural" not in out and "s3.row_total.carried_in" in out
    assert main(["review", "--url", url, "list", "--all", "--year", "2022"]) == 0
    out = capsys.readouterr().out
    assert "dismissed: misread" in out and "confirmed" in out
    assert main(["review", "--url", url, "reopen", str(report), "narrative.received"]) == 0
    assert reviews(pg_engine)["2022 narrative.received"] == ("open", None)
