"""Label matching: every official label finds its own row; conversions never alter simplified text."""

from __future__ import annotations

import pytest

from gxcrawler.catalog import S2_TABLES, S3_ROWS
from gxcrawler.parsing.labels import match_row
from gxcrawler.parsing.normalize import bare, compact_title, fold

S3_MATCHABLE = [r for r in S3_ROWS if r.key not in ("total", "other.other")]


@pytest.mark.parametrize("row", S3_MATCHABLE, ids=[r.key for r in S3_MATCHABLE])
def test_official_s3_labels_match_their_row(row):
    assert match_row(row.label).row == row.key
    assert match_row(row.short).row == row.key


@pytest.mark.parametrize("code,row", [(t.code, r) for t in S2_TABLES for r in t.rows])
def test_official_s2_labels_match_their_row(code, row):
    m = match_row(row.label)
    assert (m.table, m.row) == (code, row.key)


def test_simplified_text_is_never_rewritten():
    words = ["其他主动公开文件", "行政规范性文件", "政府信息公开", "档案管理", "申请人情况"]
    assert [bare(w) for w in words] == words


def test_traditional_and_taiwan_wording():
    assert fold("規範性檔案") == "规范性文件"
    assert fold("主動公開政府資訊情況") == "主动公开政府信息情况"
    assert match_row("(三)不予公開 1.屬於國家秘密").row == "denied.state_secret"


@pytest.mark.parametrize(
    "ocrd,row",
    [("（一）子以公开", "granted"), ("（一）序以公开", "granted"), ("自然入", None),
     ("（三）不子公开 1.属于国家秘密", "denied.state_secret")],
)
def test_ocr_look_alikes_in_labels_read_as_meant(ocrd, row):
    """OCR reads 予 as 子 (and 人 as 入): the label matches the row it names (seed 1100's
    section 三 was left out whole when 子以公开 matched no row)."""
    m = match_row(ocrd)
    assert (m.row if m else None) == row
    assert bare(ocrd).count("子") == bare(ocrd).count("序") == 0


def test_an_enumerator_whose_point_ocr_lost_is_still_an_enumerator():
    """``3其他`` (OCR dropped the point of 3.其他): the row 其他 of (六), not a column header
    (seed 1116's section 三 was left out whole); a year is not an enumerator."""
    from gxcrawler.parsing.labels import strip_enumerator

    assert strip_enumerator("3其他") == ("3", "其他")
    assert strip_enumerator("(七总计") == ("(七", "总计")  # its bracket lost (seed 1093)
    assert strip_enumerator("其他") == ("", "其他")
    assert strip_enumerator("2021年") == ("", "2021年")


@pytest.mark.parametrize(
    ("printed", "compact"),
    [
        ("某县 2023 年 政府信息公开 工作年度报告", "某县2023年政府信息公开工作年度报告"),
        ("  某局\t2023年\n报告  ", "某局2023年报告"),  # any whitespace run, ends stripped
        ("某局\u3000\u00a02023年", "某局2023年"),  # ideographic and no-break spaces
        ("某局\u200b 2023\ufeff年", "某局2023年"),  # zero-width space and BOM count as spaces
        ("annual report 2023", "annual report 2023"),  # a space between ASCII words stays
        ("2023 年 report", "2023年report"),  # beside a CJK character on either side it goes
        ("a \u00e9", "a\u00e9"),  # any non-ASCII character, not only CJK
        ("\u200b", ""),
        ("", ""),
    ],
)
def test_compact_title_removes_only_the_spaces_beside_non_ascii(printed, compact):
    assert compact_title(printed) == compact
