"""Label matching: every official label finds its own row; conversions never alter simplified text."""

from __future__ import annotations

import pytest

from gxcrawler.catalog import S2_TABLES, S3_ROWS
from gxcrawler.parsing.labels import match_row
from gxcrawler.parsing.normalize import bare, fold

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
