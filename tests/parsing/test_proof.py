"""Proof by labels (issue 11): a value's row and column come from the labels printed with it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gxcrawler.checks import evaluate
from gxcrawler.synthetic.accuracy import parse_case, score
from gxcrawler.synthetic.unseen import make_unseen_case


def test_an_identity_with_a_side_all_blank_is_not_evaluated() -> None:
    cells = {"s3.new.total": Decimal(5), "s3.carried_in.total": Decimal(0)}
    blank = [f"s3.new.{c}" for c in ("natural", "commercial", "research", "nonprofit", "legal", "other")]
    rules = {c.rule for c in evaluate(cells, blank, "2021")}
    assert "s3.row_total.new" not in rules
    broken = evaluate({"s3.new.total": Decimal(5), "s3.new.natural": Decimal(4)}, blank[1:], "2021")
    assert any(c.rule == "s3.row_total.new" and not c.ok for c in broken)


@pytest.mark.parametrize("seed", range(6))
def test_total_only_reports_are_not_flagged(seed: int) -> None:
    case = make_unseen_case("s3/total-only", seed)
    s = score(case.report, parse_case(case))
    assert not s.wrong
    assert not [p for p in s.problems if p.startswith("failing rules")]


# ---------------------------------------------------------------- properties (issue 11)
import random  # noqa: E402

from gxcrawler.parsing import parse_bytes  # noqa: E402
from gxcrawler.synthetic import make_report, render_page_html  # noqa: E402
from gxcrawler.synthetic.regrid import table_codes, with_permuted_table, with_shuffled_headers  # noqa: E402


def _read(report):
    page, headers = render_page_html(report, "word_export")
    return parse_bytes(page, source="p.html", content_type=headers["Content-Type"])


@pytest.mark.parametrize("seed", range(8))
def test_permuting_any_table_with_its_headers_never_changes_a_value(seed: int) -> None:
    report = make_report(seed, activity="busy")
    rng = random.Random(seed)
    code = rng.choice(table_codes(report))
    moved = with_permuted_table(report, code, rng, rows=seed % 2 == 0)
    before, after = _read(report), _read(moved)
    assert not score(moved, after).wrong
    # every table is read the same, section 四 cut into pieces too (its grid places are read)
    assert after.values == before.values
    assert set(after.blank) == set(before.blank)


@pytest.mark.parametrize("mode", ["shift", "duplicate", "swap"])
@pytest.mark.parametrize("seed", range(6))
def test_headers_moved_without_their_columns_never_give_a_wrong_value(mode: str, seed: int) -> None:
    report = make_report(seed, activity="busy")
    rng = random.Random(seed)
    for code in ("s3", "s2.art20_1", "s2.art20_5", "s4"):
        if code not in table_codes(report):
            continue
        for axis in ("columns", "rows"):
            moved = with_shuffled_headers(report, code, random.Random(rng.random()), mode, axis=axis)
            s = score(moved, _read(moved))
            assert not s.wrong, (code, axis, s.wrong[:3])


# ---------------------------------------------------------------- text dumps (issue 11)
from gxcrawler.parsing import parse_text  # noqa: E402
from gxcrawler.parsing.tokens import is_furniture  # noqa: E402


@pytest.mark.parametrize("line", ["- 2 -", "— 3 —", "-2-", "第 2 页", "第2页 共5页", "Page 2", "P. 2"])
def test_page_furniture_is_never_a_cell(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize("line", ["2", "338", "-1", "1.属于国家", "第二十条第（", "+326"])
def test_a_cell_is_not_furniture(line: str) -> None:
    assert not is_furniture(line)


def test_a_page_number_inside_a_row_and_a_label_over_three_lines() -> None:
    head = ["三、收到和处理政府信息公开申请情况", "申请人情况", "自然人", "法人或其他组织", "总计",
            "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]  # fmt: skip
    rows = ["一、本年新收", "政府信息公开", "申请数量", "338", "0", "8", "17", "— 3 —", "0", "0", "363",
            "二、上年结转", "政府信息公开", "申请数量", "29", "5", "5", "4", "0", "0", "43"]  # fmt: skip
    got = parse_text("\n".join(head + rows), source="t.txt").values
    assert [got[f"s3.new.{c}"] for c in ("natural", "commercial", "research", "total")] == [338, 0, 8, 363]
    # 政府信息公开/申请数量 alone resembles the 本年新收 row: the whole label names 上年结转
    assert [got[f"s3.carried_in.{c}"] for c in ("natural", "total")] == [29, 43]


@pytest.mark.parametrize("seed", range(6))
def test_row_dumps_with_furniture_are_never_wrong(seed: int) -> None:
    case = make_unseen_case("dump/rows", seed)
    s = score(case.report, parse_case(case))
    assert not s.wrong
    assert s.correct >= 0.85 * s.truth_cells


# ---------------------------------------------------------------- section 四 (issue 11)
from gxcrawler.parsing.columns import from_sequence  # noqa: E402

_S4_TWO_ROWS = ["行政复议", "行政诉讼", "结果", "结果", "其他", "尚未", "总计", "未经复议直接起诉", "复议后起诉",
                "维持", "纠正", "结果", "审结", *["结果", "结果", "其他", "尚未", "总计"] * 2,
                *["维持", "纠正", "结果", "审结"] * 2]  # fmt: skip


def test_section_4_results_over_two_header_rows_are_paired_in_column_order() -> None:
    order = from_sequence("s4", _S4_TWO_ROWS).order
    bodies = ("review", "suit_direct", "suit_after_review")
    leaves = ("upheld", "corrected", "other", "pending", "total")
    assert order == tuple(f"{b}.{x}" for b in bodies for x in leaves)
    # a label cut by a line break (行政/复议, 未经复议/直接起诉) is put back together
    cut = ["行政", "复议", *_S4_TWO_ROWS[1:7], "未经复议", "直接起诉", *_S4_TWO_ROWS[8:]]
    assert from_sequence("s4", cut).order == order


@pytest.mark.parametrize("drop", [9, 11, 3])
def test_section_4_with_a_half_label_lost_is_not_proven(drop: int) -> None:
    texts = _S4_TWO_ROWS[:drop] + _S4_TWO_ROWS[drop + 1 :]
    assert not from_sequence("s4", texts).order


@pytest.mark.parametrize("seed", range(8))
def test_section_4_permuted_with_its_headers_reads_the_same(seed: int) -> None:
    report = make_report(seed, activity="busy")
    moved = with_permuted_table(report, "s4", random.Random(seed), rows=seed % 2 == 1)
    after = _read(moved)
    assert not score(moved, after).wrong
    got = {k for k in (*after.values, *after.blank) if k.startswith("s4.")}
    assert len(got) == 15
    assert {k: v for k, v in after.values.items() if k.startswith("s4.")} == {
        k: v for k, v in _read(report).values.items() if k.startswith("s4.")
    }


# ---------------------------------------------------------------- OCR'd text (issue 11)
from gxcrawler.parsing.labels import match_row  # noqa: E402
from gxcrawler.parsing.tokens import line_cells  # noqa: E402


@pytest.mark.parametrize(
    ("label", "row"),
    [("5.要求行政机关确认", "rejected.confirmation"), ("l.本机关不掌", "unavailable.not_held"),
     ("（五）不予处理 3.要求提供公开出版", "rejected.publication"), ("2.其他法 律行", "denied.prohibited")],
)  # fmt: skip
def test_a_numbered_label_cut_short_names_the_one_row_it_begins(label: str, row: str) -> None:
    m = match_row(label)
    assert m is not None and m.row == row


@pytest.mark.parametrize("label", ["1.属于行政", "2.属于", "3.其他"])
def test_a_cut_label_that_begins_two_rows_names_none(label: str) -> None:
    m = match_row(label)
    assert m is None or m.how != "prefix"


def test_single_spaced_numbers_between_wide_gaps_are_cells_unless_one_grouped_number() -> None:
    assert line_cells("7.属于行政执法案  0 0 0 1 0 0 1")[0] == ["7.属于行政执法案", *"0001001"]
    assert line_cells("政府集中采购  33 764  12")[0] == ["政府集中采购", "33 764", "12"]


def test_a_header_wrapped_over_lines_does_not_give_its_reading_order() -> None:
    # 采购总金额 printed on the line above 信息内容 (a tall cell): its place is not proven
    text = "\n".join(["二、主动公开政府信息情况", "第二十条第（九）项", "采购总金额（ 万",
                      "信息内 容 采购 项目数量 元，保留四位小数", "）", "政府 集中采购    2    11"])  # fmt: skip
    got = parse_text(text, source="t.txt").values
    assert "s2.art20_9.procurement.amount" not in got


# ---------------------------------------------------------------- editions per table (issue 11)
@pytest.mark.parametrize("layout", ["mixed/s3-2019", "mixed/kept-row", "mixed/art20_1-2019"])
@pytest.mark.parametrize("seed", range(4))
def test_the_report_edition_is_the_one_most_tables_use_and_a_whole_read_is_ok(layout: str, seed: int) -> None:
    case = make_unseen_case(layout, seed)
    result = parse_case(case)
    assert result.edition == case.report.edition == "2021"
    assert not score(case.report, result).wrong
    if not case.report.absent:  # every printed cell read: nothing of another edition is "missing"
        assert result.status == "ok", result.warnings


# ---------------------------------------------------------------- `cell |` per line (issue 11)
from gxcrawler.synthetic import render_text  # noqa: E402


def _read_pipe(report):
    return parse_text(render_text(report, "pipe"), source="p.txt")


@pytest.mark.parametrize("seed", range(8))
def test_a_pipe_flattening_permuted_with_its_headers_reads_every_value(seed: int) -> None:
    report = make_report(seed, activity="busy")
    moved = with_permuted_table(report, "s3", random.Random(seed), rows=seed % 2 == 0)
    s = score(moved, _read_pipe(moved), metadata=False)
    assert not s.wrong
    assert not [k for k in s.missing if k.startswith("s3.")]


@pytest.mark.parametrize("mode", ["shift", "duplicate", "swap"])
@pytest.mark.parametrize("seed", range(4))
def test_a_pipe_flattening_with_headers_moved_never_gives_a_wrong_value(mode: str, seed: int) -> None:
    report = make_report(seed, activity="busy")
    rng = random.Random(seed)
    for code in ("s3", "s2.art20_1", "s4"):
        for axis in ("columns", "rows"):
            moved = with_shuffled_headers(report, code, random.Random(rng.random()), mode, axis=axis)
            s = score(moved, _read_pipe(moved), metadata=False)
            assert not s.wrong, (code, axis, s.wrong[:3])


def test_section_3_labels_on_one_ocr_line_give_the_order_wherever_the_group_label_is() -> None:
    texts = ["申请人情况", "为第一项加第二项法人或其他组织", "自然人商业科研社会法律其他总计", "企业机构公益组织服务机构"]
    assert from_sequence("s3", texts).order == (
        "natural", "commercial", "research", "nonprofit", "legal", "other", "total")  # fmt: skip
    # the second line does not complete the cut labels: nothing is proven
    assert not from_sequence("s3", [*texts[:3], "企业机构公益组织服务"]).order


def test_section_4_total_on_the_middle_line_of_its_tall_cell() -> None:
    # OCR: 总计 spans the two result rows, its text on the second line after 尚未/审结
    texts = ["行政复议行政诉讼", "结果结果其他尚未未经复议直接起诉复议后起诉",
             "维持纠正结果审结总计结果结果其他尚未总计结果结果其他尚未总计", "维持纠正结果审结维持纠正结果审结"]  # fmt: skip
    assert from_sequence("s4", texts).order == from_sequence("s4", _S4_TWO_ROWS).order


@pytest.mark.parametrize("seed", [4, 7])
def test_an_unruled_pdf_table_is_read_from_the_text_layer(seed: int) -> None:
    # no ruling lines: the reader's grid is guessed from gaps (junk); the words stay in the text
    case = make_unseen_case("pdf/recent", seed)
    result = parse_case(case)
    s = score(case.report, result)
    assert not s.wrong
    assert result.edition == case.report.edition
    assert all(result.values.get(k) == v for k, v in case.report.values.items() if k.startswith("s2."))


def test_a_pipe_block_is_a_grid_only_where_one_row_width_fits() -> None:
    from gxcrawler.parsing.pipegrid import blocks

    table = ["第二十条第（五）项 |", "|||", "信息内容 |", "上一年项目数量 |", "本年增/减 |", "处理决定数量 |",
             "行政许可 |", "5 |", "+1 |", "30 |", "其他对外管理服务事项 |", "2 |", "0 |", "7 |"]  # fmt: skip
    found = blocks(table)
    assert found and found[0][1][2] == ["行政许可", "5", "+1", "30"]
    assert not blocks(table[:-1])  # a place lost: no width fits, read line by line
    assert not blocks([*table[:7], "", *table[7:]])  # a blank line ends a block


def test_the_2021_group_label_with_a_sub_row_run_on_is_not_the_2019_row() -> None:
    m = match_row("（六） 其他处理 纳费用、行政机关")
    assert m is None or m.row != "other"
    assert match_row("（六）其他处理").row == "other"  # 2019: the row itself
    assert match_row("（六）其他处理3.其他") is None  # no likeness to the 2019 row either (held out 110)


def test_3_other_right_under_its_group_label_is_that_groups_row_in_any_row_order() -> None:
    # prop/permuted seed 110: the table's first row, 三、本年度办理结果 / （六）其他处理 / 3.其他, once
    # read as 2019's row （六）其他处理 (a likeness of the three labels joined)
    case = make_unseen_case("prop/permuted", 110)
    result = parse_case(case)
    assert not score(case.report, result).wrong
    assert result.values["s3.other.other.total"] == case.report.values["s3.other.other.total"]


@pytest.mark.parametrize("seed", [11, 12, 17, 26])
def test_ocr_group_label_on_a_sub_rows_middle_line_gives_no_wrong_value(seed: int) -> None:
    case = make_unseen_case("ocr/text", seed)
    assert not score(case.report, parse_case(case)).wrong


# ---------------------------------------------------------------- held-out seeds' wrong values
@pytest.mark.parametrize(
    ("layout", "seed"),
    [
        ("text/s3-permuted", 57),  # tab rows blank at both ends: keyed by place, not padded
        ("prop/headers-lost", 31),  # an HTML header copied over two equal values: two cells
        ("dump/rows", 57),  # 968 / 6 / 974 for 7 columns: invisible blanks, not digits to cut
        ("dump/columns", 102),  # a page of one row after its header's page (in a column reading)
        ("dump/columns", 117),
        ("dump/columns", 202),
        ("dump/columns", 502),  # section 三's page 2: labels, then 自然人 … 总计, one run (row read as 总计)
        ("text/s3-permuted", 515),  # section 四 as 3 × 5 markdown rows, 行政复议's 结果维持 blank
    ],
)
def test_held_out_cases_that_once_gave_wrong_values(layout: str, seed: int) -> None:
    case = make_unseen_case(layout, seed)
    assert not score(case.report, parse_case(case)).wrong


_S4_ROWS = """某县2020年政府信息公开工作年度报告
四、政府信息公开行政复议、行政诉讼情况

| 类别 |  | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
|---|---|---|---|---|---|---|
| 行政复议 |  | {up} | 1 | 0 | 0 | 1 |
| 行政诉讼 | 未经复议直接起诉 | 3 | 4 | 0 | 8 | 15 |
|  | 复议后起诉 | 1 | 2 | 3 | 4 | 10 |
"""


@pytest.mark.parametrize("up", ["", "0"])
def test_section_4_rows_of_cells_keep_a_blank_result_beside_the_row_label(up: str) -> None:
    # held-out text/s3-permuted seed 515: the empty 结果维持 beside 行政复议 was passed over with
    # the label's filler, and every value after it moved one column left
    result = parse_text(_S4_ROWS.format(up=up), source="t.txt")
    assert result.values["s4.review.corrected"] == 1 and result.values["s4.review.total"] == 1
    assert result.values["s4.suit_direct.total"] == 15 and result.values["s4.suit_after_review.upheld"] == 1
    assert ("s4.review.upheld" in result.blank) == (up == "")


from gxcrawler.model import ExtractedDocument  # noqa: E402
from gxcrawler.parsing import parse_extracted  # noqa: E402
from gxcrawler.synthetic.tables import all_tables  # noqa: E402


@pytest.mark.parametrize("mark", ["", "无"])
def test_section_4_grid_lists_its_empty_cells_as_blanks_under_their_headers(mark: str) -> None:
    # OCR'd scans 1001/1052: blanks printed as empty cells were passed over by the grid's
    # header placing (c51e2b0), so section 四's blanks went missing while its values were read
    report = make_report(11, year=2021, activity="busy")
    tables = all_tables(report)
    tables[-1][-1] = [mark if c == "无" else c for c in tables[-1][-1]]
    result = parse_extracted(ExtractedDocument("pdf", report.title, tables=tables, title=report.title), source="t")
    s4_blank = {k for k in report.blank if k.startswith("s4.")}
    assert len(s4_blank) == 8
    assert s4_blank <= set(result.blank)
    assert {k: v for k, v in result.values.items() if k.startswith("s4.")} == {
        k: v for k, v in report.values.items() if k.startswith("s4.")
    }
