"""OCR'd numbers are proven by the identities or left out (gxcrawler.parsing.ocrproof).

No pictures here: the grids are a synthetic report's own tables, with OCR's doubts put in by
hand, so each rule is tested exactly and fast. The scans themselves: tests/formats/test_ocr.py.
"""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gxcrawler.checks import evaluate
from gxcrawler.model import ExtractedDocument, OcrCell
from gxcrawler.parsing import parse_extracted
from gxcrawler.parsing.api import _parse_document
from gxcrawler.parsing.ocrproof import key_cells
from gxcrawler.parsing.tokens import UNREAD
from gxcrawler.synthetic import make_report

from .ocrgrids import busy_report, ocr_doc

CLOSE = {"0": "68", "6": "08", "8": "06", "3": "8", "1": "7", "5": "6", "9": "8", "2": "7", "4": "1", "7": "1"}


def _where(doc: ExtractedDocument) -> dict[str, tuple[int, int, int]]:
    return key_cells(doc, lambda d: _parse_document(d, source="t", hints=None))


def _doubt(doc: ExtractedDocument, pos, best: str, *alternatives: str) -> None:
    t, r, c = pos
    doc.tables[t][r][c] = UNREAD
    doc.ocr[pos] = OcrCell(best, 0.6, tuple(alternatives))


def test_the_one_reading_the_identities_accept_is_chosen() -> None:
    report = busy_report()
    doc = ocr_doc(report)
    pos = _where(doc)["s3.new.total"]
    true = str(report.values["s3.new.total"])
    wrong = str(int(true) + 10)
    _doubt(doc, pos, wrong, true)
    result = parse_extracted(doc, source="t")
    assert result.source_type == "ocr"
    assert result.values["s3.new.total"] == Decimal(true)
    assert any("s3.new.total" in w and "chosen by the identities" in w for w in result.warnings)


def test_no_reading_passes_the_cell_is_left_out_and_named() -> None:
    report = busy_report()
    doc = ocr_doc(report)
    pos = _where(doc)["s3.new.total"]
    true = int(report.values["s3.new.total"])
    _doubt(doc, pos, str(true + 10), str(true + 20))
    result = parse_extracted(doc, source="t")
    assert "s3.new.total" not in result.values
    assert "s3.new.total" not in result.blank
    assert any("s3.new.total" in w and "left out" in w for w in result.warnings)


def test_doubtful_cells_settled_in_turn_each_by_a_complete_identity() -> None:
    """new.natural is proven by its column's balance; then the new row's total by the row sum."""
    report = busy_report()
    doc = ocr_doc(report)
    where = _where(doc)
    keys = ("s3.new.total", "s3.new.natural", "s3.carried_in.total")
    for key in keys:
        true = str(report.values[key])
        _doubt(doc, where[key], str(int(true) + 1), true)
    result = parse_extracted(doc, source="t")
    for key in keys:
        assert result.values[key] == report.values[key]


def test_a_cell_every_passing_combination_agrees_on_is_chosen_the_others_left_out() -> None:
    """suit_direct: 4 + 122 + 1 + 3 = 130. With upheld read 4/14, corrected 122/123 and other
    1/0, two combinations pass (122+1 and 123+0); both take upheld = 4, so 4 is proven and the
    two others, each with two passing readings, stay out."""
    report = make_report(11, year=2021, activity="busy")
    doc = ocr_doc(report)
    where = _where(doc)
    assert [report.values[f"s4.suit_direct.{k}"] for k in ("upheld", "corrected", "other", "total")] == [4, 122, 1, 130]
    _doubt(doc, where["s4.suit_direct.upheld"], "14", "4")
    _doubt(doc, where["s4.suit_direct.corrected"], "122", "123")
    _doubt(doc, where["s4.suit_direct.other"], "1", "0")
    result = parse_extracted(doc, source="t")
    assert result.values["s4.suit_direct.upheld"] == 4
    assert result.ocr["s4.suit_direct.upheld"] == "settled"
    assert "s4.suit_direct.corrected" not in result.values and "s4.suit_direct.other" not in result.values
    assert any("s4.suit_direct.other" in w and "doubtful" in w for w in result.warnings)


def test_a_cell_with_one_reading_is_chosen_only_by_a_unique_combination() -> None:
    """A doubtful cell with a single reading (a digit may be missing from it) is not proven by
    several passing combinations that all keep it: upheld read 4 alone stays out here."""
    report = make_report(11, year=2021, activity="busy")
    doc = ocr_doc(report)
    where = _where(doc)
    _doubt(doc, where["s4.suit_direct.upheld"], "4")
    _doubt(doc, where["s4.suit_direct.corrected"], "122", "123")
    _doubt(doc, where["s4.suit_direct.other"], "1", "0")
    result = parse_extracted(doc, source="t")
    assert not {"s4.suit_direct.upheld", "s4.suit_direct.corrected", "s4.suit_direct.other"} & set(result.values)


def test_a_cell_no_identity_covers_is_never_guessed() -> None:
    """Section 二's cells take part in no identity: a doubtful one stays out, whatever its readings."""
    report = busy_report()
    doc = ocr_doc(report)
    where = _where(doc)
    key = next(k for k in where if k.startswith("s2.") and report.values.get(k))
    true = str(report.values[key])
    _doubt(doc, where[key], true)
    result = parse_extracted(doc, source="t")
    assert key not in result.values and key not in result.blank
    assert any(key in w and "doubtful" in w for w in result.warnings)


def test_a_failing_identity_a_close_reading_repairs_leaves_its_doubtful_cells_out() -> None:
    """A sure-looking misread (0 read as 8, with 0 as runner-up): the identity fails, a close
    reading passes it, so the printed report probably passes: the cell is left out."""
    report = busy_report()
    doc = ocr_doc(report)
    where = _where(doc)
    key = "s3.carried_in.total"
    true = str(report.values[key])
    pos = where[key]
    misread = str(int(true) + 1)
    doc.tables[pos[0]][pos[1]][pos[2]] = misread
    doc.ocr[pos] = OcrCell(misread, 0.98, (true,))
    result = parse_extracted(doc, source="t")
    assert key not in result.values
    assert any(key in w and "a close reading passes it" in w for w in result.warnings)


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), share=st.floats(0.02, 0.3))
def test_an_ocrd_report_passes_what_its_truth_passes_or_leaves_the_cells_out(seed: int, share: float) -> None:
    """OCR's doubts, drawn at random as the reader makes them (docs/notes/ocr.md): a doubtful cell's
    best reading may be wrong, with the printed one among its alternatives; or nothing was read
    (no readings at all). Whatever the parser keeps equals the truth, and every identity the
    truth passes either passes or cannot be evaluated."""
    report = make_report(seed, activity="busy")
    doc = ocr_doc(report)
    rng = random.Random(seed)
    for pos, cell in list(doc.ocr.items()):
        if rng.random() >= share:
            continue
        text = cell.text
        i = rng.randrange(len(text))
        wrong = text[:i] + rng.choice(CLOSE.get(text[i], "8")) + text[i + 1 :]
        if rng.random() < 0.2:
            _doubt(doc, pos, "")  # ink the recogniser made nothing of
        else:
            _doubt(doc, pos, *rng.sample([wrong, text], 2))
    result = parse_extracted(doc, source="t")
    for key, value in result.values.items():
        assert report.values.get(key) == value, key
    truth_ok = {c.rule for c in evaluate(report.values, report.blank, report.edition) if c.ok}
    for check in result.checks:
        if check.rule in truth_ok:
            assert check.ok, check.rule
