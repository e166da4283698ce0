"""The fingerprint made in the parser's workers (``gxcrawler.fingerprint.seal``): trusted by the
loader only while the result holds exactly what was hashed; every change is seen and stored."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from collections.abc import Callable
from decimal import Decimal

import pytest
import sqlalchemy as sa

from gxcrawler import fingerprint
from gxcrawler.db import Loader
from gxcrawler.fingerprint import fingerprint_of, parse_fingerprint, seal
from gxcrawler.model import Check, ParseResult
from gxcrawler.parsing.pool import ParseTask, _run
from tests.fixtures.db import make_report

from .test_loader import stored_checks, stored_values


def across(result: ParseResult) -> ParseResult:
    """As the pool hands a worker's result over: pickled."""
    return pickle.loads(pickle.dumps(result))


def sealed_report(agency: str = "蚌峨乡", year: int = 2022, **kw):  # noqa: ANN003, ANN201
    result, prov, region = make_report(agency, year, **kw)
    result.narrative = [Check("narrative.total", True, Decimal("12"), Decimal("12.0"), "共12件")]
    result.warnings = ["表格三未读"]
    result.blank = ["s4.review.total"]
    return across(seal(result)), prov, region


def computed_only(monkeypatch: pytest.MonkeyPatch) -> list[ParseResult]:
    """Record every result whose fingerprint is computed rather than taken from its seal."""
    computed: list[ParseResult] = []
    real = fingerprint.parse_fingerprint

    def spy(result: ParseResult) -> str:
        computed.append(result)
        return real(result)

    monkeypatch.setattr(fingerprint, "parse_fingerprint", spy)
    return computed


def test_a_sealed_result_carries_its_own_fingerprint_across(monkeypatch):
    result, _, _ = sealed_report()
    expected = parse_fingerprint(result)
    computed = computed_only(monkeypatch)
    assert fingerprint_of(result) == expected
    assert fingerprint_of(copy.copy(result)) == expected  # the same objects
    result.values = dict(result.values)  # a new dict of the same objects: the same bytes hashed
    assert fingerprint_of(result) == expected
    assert computed == []  # taken from the seal


def _set_value(r: ParseResult) -> None:
    r.values["s3.new.natural"] = r.values["s3.new.natural"] + 1


def _signed_zero(r: ParseResult) -> None:  # equal to 0, yet hashed as "-0": only identity sees it
    key = next(k for k, v in r.values.items() if v == 0)
    r.values[key] = Decimal("-0")


def _move_blank_to_warnings(r: ParseResult) -> None:  # the same strings, in another part
    r.warnings.append(r.blank.pop())


CHANGES: dict[str, Callable[[ParseResult], None]] = {
    "a value replaced in place": _set_value,
    "0 replaced by an equal -0": _signed_zero,
    "a value added": lambda r: r.values.__setitem__("s2.art20_8.fees.amount", Decimal("1.5")),
    "a value removed": lambda r: r.values.pop("s3.new.natural"),
    "a check's left replaced by an equal 1.50": lambda r: r.checks.__setitem__(
        0, dataclasses.replace(r.checks[0], left=Decimal(str(r.checks[0].left)) + Decimal("0.00"))
    ),
    "a check turned": lambda r: r.checks.__setitem__(0, dataclasses.replace(r.checks[0], ok=not r.checks[0].ok)),
    "checks reordered": lambda r: r.checks.reverse(),
    "a narrative sentence": lambda r: r.narrative.__setitem__(0, dataclasses.replace(r.narrative[0], sentence="共十二件")),
    "blank moved to warnings": _move_blank_to_warnings,
    "the title": lambda r: setattr(r, "title", r.title + "（更正）"),
    "published": lambda r: setattr(r, "published", None),
    "the values swapped for equal new numbers": lambda r: setattr(r, "values", {k: Decimal(str(v)) for k, v in r.values.items()}),
    "pictures": lambda r: (r.pictures.append("ab" * 32), r.picture.__setitem__("s3.new.natural", 1)),
    "a cell's OCR reading": lambda r: r.ocr.__setitem__("s3.new.natural", "settled"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_any_change_after_sealing_is_hashed_again(change, monkeypatch):
    result, _, _ = sealed_report()
    CHANGES[change](result)
    computed = computed_only(monkeypatch)
    assert fingerprint_of(result) == parse_fingerprint(result)
    assert computed and computed[0] is result  # the seal was not trusted


def test_checks_cannot_change_in_place_and_replace_drops_the_seal():
    result, _, _ = sealed_report()
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.checks[0].ok = not result.checks[0].ok  # type: ignore[misc]
    assert fingerprint._SEAL not in dataclasses.replace(result).__dict__


def test_a_result_with_a_leaf_of_unknown_mutability_is_not_sealed():
    result, _, _ = make_report("蚌峨乡", 2022)
    result.values["s3.new.natural"] = [1]  # type: ignore[assignment]
    assert fingerprint._SEAL not in seal(result).__dict__
    result.values["s3.new.natural"] = 1.5  # type: ignore[assignment]  # a float: not among the known leaves
    assert fingerprint._SEAL not in seal(result).__dict__


def test_the_parser_pool_seals_loadable_results_only():
    page = "<html><body><h1>蚌峨乡2022年政府信息公开工作年度报告</h1><p>无表格</p></body></html>".encode()
    result = _run(lambda task: make_report("蚌峨乡", 2022)[0], ParseTask(page, "https://example.gov.cn/a.html"), 0)
    assert result.__dict__[fingerprint._SEAL][0] == parse_fingerprint(result)
    failed = _run(lambda task: ParseResult(task.source, status="error", message="x"), ParseTask(page, "u"), 0)
    assert fingerprint._SEAL not in failed.__dict__


# ---------------------------------------------------------------- through the loader


def test_a_sealed_reload_writes_nothing_but_its_fetches(pg_engine, monkeypatch):
    batch = [sealed_report(a, y) for a in ("蚌峨乡", "平远镇") for y in (2021, 2022, 2023)]
    assert {o.status for o in Loader(pg_engine).load_many(batch)} == {"inserted"}
    tables = ("documents", "reports", "report_values", "check_results", "cell_sums", "agencies", "agency_aliases")

    def versions() -> dict[str, list]:
        with pg_engine.connect() as conn:
            return {t: conn.execute(sa.text(f"SELECT xmin::text FROM {t} ORDER BY ctid")).scalars().all() for t in tables}

    before = versions()
    again = [(across(r), p, g) for r, p, g in batch]  # equal results, new objects, each with its seal
    computed = computed_only(monkeypatch)
    assert {o.status for o in Loader(pg_engine).load_many(again)} == {"unchanged"}
    assert computed == []
    assert versions() == before
    with pg_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT outcome FROM fetches")).scalars().all() == ["unchanged"] * len(batch)


@pytest.mark.parametrize("change", ["a value replaced in place", "a check turned", "the title"])
def test_a_change_after_sealing_is_stored(db_engine, change):
    """A result changed after its worker sealed it must replace the stored version, not be
    taken for unchanged on the strength of its stale seal (batch and one-by-one paths)."""
    first = sealed_report()
    assert Loader(db_engine).load(*first).status == "inserted"
    changed = (across(first[0]), first[1], first[2])
    CHANGES[change](changed[0])
    outcome = Loader(db_engine).load_many([changed])[0]
    assert outcome.status == "updated"
    assert stored_values(db_engine, outcome.report_id) == changed[0].values
    assert stored_checks(db_engine, outcome.report_id) == {
        c.rule: (c.ok, c.left, c.right) for c in changed[0].stored_checks
    }
    with db_engine.connect() as conn:
        row = conn.execute(sa.text("SELECT title, fingerprint FROM reports WHERE id = :r"), {"r": outcome.report_id}).one()
    assert tuple(row) == (changed[0].title, parse_fingerprint(changed[0]))
    assert Loader(db_engine).load_many([(across(changed[0]), first[1], first[2])])[0].status == "unchanged"


def test_sealed_and_unsealed_loads_store_the_same_rows(pg_engine):
    """The same parses loaded sealed (as from the pool) and computed by the loader (as another
    year's reports): the same rows, the same fingerprints."""
    sealed = [sealed_report(a, 2022) for a in ("蚌峨乡", "平远镇")]
    plain = []
    for result, prov, region in sealed:
        twin = dataclasses.replace(result, year=2023)  # no seal: the loader computes it
        plain.append((twin, dataclasses.replace(prov, page_url=prov.page_url + "?b"), region))
    loader = Loader(pg_engine)
    outcomes = loader.load_many(sealed) + loader.load_many(plain)
    assert [o.status for o in outcomes] == ["inserted"] * 4
    cols = "title, edition, status, warnings, blank, checks, checks_failed"
    with pg_engine.connect() as conn:
        rows = {
            row.id: row for row in conn.execute(sa.text(f"SELECT id, fingerprint, {cols} FROM reports")).all()
        }
    for (result, _, _), (twin, _, _), a, b in zip(sealed, plain, outcomes[:2], outcomes[2:], strict=True):
        assert rows[a.report_id][2:] == rows[b.report_id][2:]
        # the year is the report's key, not hashed: the same fingerprint, one sealed, one computed
        assert rows[a.report_id].fingerprint == rows[b.report_id].fingerprint == parse_fingerprint(twin)
        assert stored_values(pg_engine, a.report_id) == stored_values(pg_engine, b.report_id) == result.values
        assert stored_checks(pg_engine, a.report_id) == stored_checks(pg_engine, b.report_id)


def test_a_reread_that_changes_only_how_cells_were_read_by_ocr_is_stored(db_engine):
    """The OCR marks are stored per cell: a re-read with the same numbers but another mark
    (``settled`` -> ``read``, a mark dropped) replaces the stored marks, and is unchanged after."""
    result, prov, region = make_report("蚌峨乡", 2022)
    result.source_type = "ocr"
    result.ocr = {"s3.new.natural": "settled", "s3.new.total": "read"}
    assert Loader(db_engine).load(result, prov, region).status == "inserted"
    again = dataclasses.replace(result, ocr={"s3.new.natural": "read"})
    assert parse_fingerprint(again) != parse_fingerprint(result)
    outcome = Loader(db_engine).load_many([(across(seal(again)), prov, region)])[0]
    assert outcome.status == "updated"
    with db_engine.connect() as conn:
        marks = dict(conn.execute(
            sa.text("SELECT key, ocr FROM report_values WHERE report_id = :r AND ocr IS NOT NULL"), {"r": outcome.report_id}
        ).all())
    assert marks == {"s3.new.natural": "read"}
    assert Loader(db_engine).load_many([(across(seal(dataclasses.replace(again))), prov, region)])[0].status == "unchanged"
