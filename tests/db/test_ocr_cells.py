"""Cells read by OCR carry their flag into ``report_values.ocr`` (migration 0013), on every load path."""

from __future__ import annotations

import sqlalchemy as sa

from gxcrawler.db import Loader
from tests.fixtures.db import make_report


def _ocr_report(agency: str, year: int):
    result, prov, region = make_report(agency, year)
    result.source_type = "ocr"
    keys = list(result.values)
    result.ocr = {k: "read" for k in keys}
    result.ocr[keys[0]] = "settled"
    return result, prov, region


def _flags(engine, report_id: int) -> dict[str, str | None]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT key, ocr FROM report_values WHERE report_id = :r"), {"r": report_id})
        return dict(rows.all())


def test_one_by_one_and_in_a_batch_the_flags_are_stored(db_engine):
    loader = Loader(db_engine)
    alone = _ocr_report("蚌峨乡", 2021)
    printed = make_report("蚌峨乡", 2022)
    batch = [_ocr_report("平远镇", 2021), _ocr_report("阿猛镇", 2021), printed]

    first = loader.load(*alone)
    outcomes = loader.load_many(batch)

    for (result, _, _), outcome in zip([alone, *batch], [first, *outcomes], strict=True):
        assert outcome.status == "inserted"
        flags = _flags(db_engine, outcome.report_id)
        assert flags == {k: result.ocr.get(k) for k in result.values}
    assert set(_flags(db_engine, outcomes[2].report_id).values()) == {None}  # printed text: no flag
    with db_engine.connect() as conn:
        kinds = conn.execute(sa.text("SELECT DISTINCT source_type FROM reports ORDER BY 1")).scalars().all()
    assert "ocr" in kinds
