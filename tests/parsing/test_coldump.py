"""Text read column by column (flipbooks, pdftotext of narrow columns): rebuilt as rows only where
its labels prove the grid; a column whose values do not fit its rows is left out, never shifted."""

from __future__ import annotations

import random

import pytest

from gxcrawler.parsing import parse_bytes, parse_text
from gxcrawler.parsing.coldump import rebuild
from gxcrawler.parsing.numbers import Kind, read_number
from gxcrawler.synthetic import make_report, render_page_html
from gxcrawler.synthetic.accuracy import score
from gxcrawler.synthetic.dumps import render_column_dump
from gxcrawler.synthetic.unseen import make_unseen_case


def _dump(seed: int):
    report = make_report(seed, activity="busy")
    text, truth = render_column_dump(report)
    return report, text, truth


def _never_wrong(result, truth) -> None:
    for key, value in result.values.items():
        assert truth.values.get(key) == value, key
    assert not set(result.blank) - set(truth.blank)


@pytest.mark.parametrize("seed", range(8))
def test_a_column_dump_reads_what_the_page_reads(seed: int) -> None:
    report, text, truth = _dump(seed)
    dumped = parse_text(text, source="dump.txt")
    page, headers = render_page_html(report, "word_export")
    html = parse_bytes(page, source="p.html", content_type=headers["Content-Type"])
    s = score(truth, dumped)
    assert not s.wrong, s.wrong[:3]
    assert all(html.values[k] == v for k, v in dumped.values.items())
    provable = [k for k in truth.values if k.startswith("s3.")]
    assert len([k for k in dumped.values if k.startswith("s3.")]) >= 0.7 * len(provable)


def _value_lines(text: str, start: str, end: str) -> list[int]:
    """Indices of the number lines inside a run of numbers between two headings."""
    lines = text.splitlines()
    a = next(i for i, ln in enumerate(lines) if start in ln)
    b = next(i for i, ln in enumerate(lines) if i > a and end in ln)
    num = [read_number(ln.strip()).kind in (Kind.VALUE, Kind.BLANK) and ln.strip() != "" for ln in lines]
    return [i for i in range(a + 1, b - 1) if num[i] and num[i - 1] and num[i + 1]]


@pytest.mark.parametrize("seed", range(10))
def test_a_column_whose_count_does_not_fit_is_left_out(seed: int) -> None:
    _report, text, truth = _dump(seed)
    before = parse_text(text, source="dump.txt")
    spots = _value_lines(text, "收到和处理政府信息公开申请情况", "行政复议")
    if not spots:
        pytest.skip("no section-三 run of numbers in this dump")
    rng = random.Random(seed)
    lines = text.splitlines()
    at = rng.choice(spots)
    lost = lines[:at] + lines[at + 1 :]  # one cell lost (an empty cell leaves no trace)
    extra = lines[:at] + [str(rng.randint(2, 9))] + lines[at:]  # a bare page number inside a column
    for changed in (lost, extra):
        after = parse_text("\n".join(changed), source="dump.txt")
        _never_wrong(after, truth)
        s3_after = {k for k in after.values if k.startswith("s3.")}
        s3_before = {k for k in before.values if k.startswith("s3.")}
        assert s3_after <= s3_before
        if not [k for k in truth.absent if k.startswith("s3.")]:  # the table was read whole: one column less
            assert len(s3_after) < len(s3_before)


@pytest.mark.parametrize("layout", ["dump/rows", "ocr/text", "text/s3-permuted"])
@pytest.mark.parametrize("seed", range(6))
def test_text_read_row_by_row_is_not_taken_for_a_column_dump(layout: str, seed: int) -> None:
    lines = make_unseen_case(layout, seed).content.decode("utf-8").splitlines()
    assert rebuild(lines) == lines


def test_labels_that_segment_two_ways_are_not_rebuilt() -> None:
    lines = ["第二十条第（一）项", "信息内容", "规章", "规范性文件", "本年新制作数量", "1", "本年新公开数量", "2",
             "对外公开总数量", "3"]  # fmt: skip
    notes: list[str] = []
    out = rebuild(lines, notes)  # two row labels, one value per column: which row is it?
    assert not any(c in out for c in ("1", "2", "3")) and not any("\t" in x for x in out)
    assert notes and "left out" in notes[0]
    notes.clear()
    good = ["第二十条第（一）项", "信息内容", "规章", "规范性文", "件", "本年新制作数量", "1", "4", "本年新公开数量",
            "2", "5", "对外公开总数量", "3", "6"]  # fmt: skip
    rows = rebuild(good, notes)
    assert "规章\t1\t2\t3" in rows and "规范性文件\t4\t5\t6" in rows


def test_a_caption_without_its_number_takes_the_table_its_row_labels_name() -> None:
    lines = ["第二十条第", "信息内容", "规章", "规范性文件", "本年新制作数量", "1", "4", "本年新公开数量", "2", "5",
             "对外公开总数量", "3", "6"]  # fmt: skip
    result = parse_text("\n".join(["某县2020年政府信息公开工作年度报告", *lines]), source="t.txt")
    assert result.values["s2.art20_1.normative.new_published"] == 5
    assert result.values["s2.art20_1.rules.total_published"] == 3


_CUT_ROW = ["第二十条第（八）项", "信息内容", "上一年项目数量", "本年增/减", "— 1 —", "行政事业性收费", "1", "+2"]


def test_a_row_on_the_page_after_its_header_is_left_out_in_a_column_reading() -> None:
    # held-out seed 54: read as rows, 行政事业性收费 1 +2 fits the header of the page before; read
    # column by column (as the rest of this text is), nothing on its page names its columns
    proven = ["第二十条第（一）项", "信息内容", "规章", "规范性文件", "本年新制作数量", "1", "4", "本年新公开数量",
              "2", "5", "对外公开总数量", "3", "6"]  # fmt: skip
    notes: list[str] = []
    out = rebuild([*proven, *_CUT_ROW], notes)
    assert "规章\t1\t2\t3" in out  # the column reading the labels prove
    assert "1" not in out[len(out) - 3 :] and "+2" not in out and not any("行政事业性收费" in x for x in out)
    assert any("s2.art20_8" in n and "left out" in n for n in notes)
    case = make_unseen_case("dump/columns", 54)
    result = parse_bytes(case.content, source="dump.txt", content_type=case.content_type)
    assert "s2.art20_8.fees.change" not in result.values and not score(case.report, result).wrong


def test_a_row_after_a_page_end_stays_when_no_table_is_proven_a_column_reading() -> None:
    # the same lines alone are a row-by-row reading as well: left to the aligner, which reads the row
    assert rebuild(_CUT_ROW) == _CUT_ROW
    result = parse_text("\n".join(["某县2020年政府信息公开工作年度报告", *_CUT_ROW]), source="t.txt")
    assert result.values.get("s2.art20_8.fees.change") == 2


def test_a_continued_page_whose_labels_prove_no_grid_is_not_read_as_rows() -> None:
    # held-out seed 502: section 三 total-only over a page end; page 2's labels (a group label
    # glued to the header words) prove no rows, and its header ends in 总计, which the aligner
    # took for the row 总计 with the header's seven columns
    case = make_unseen_case("dump/columns", 502)
    lines = case.content.decode("utf-8").splitlines()
    notes: list[str] = []
    out = rebuild(lines, notes)
    assert any(n.startswith("s3:") and "left out" in n for n in notes)
    assert "（七）总计" in lines and "（七）总计" not in out and "3.其他" not in out  # page 2 left out
    result = parse_bytes(case.content, source="dump.txt", content_type=case.content_type)
    assert "s3.total.natural" not in result.values and not score(case.report, result).wrong
