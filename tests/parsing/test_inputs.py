"""Input handling: type sniffing, HTML decoding, reader grids (PDF/DOCX path), real files."""

from __future__ import annotations

import io

import pytest

from gxcrawler.model import ExtractedDocument
from gxcrawler.parsing import parse_bytes, parse_extracted, sniff_type
from gxcrawler.parsing.htmldoc import decode

from .htmlbuild import S2_LAYOUT
from .truth import DATA, assert_matches, load


@pytest.mark.parametrize(
    ("content", "ctype", "name", "expected"),
    [
        (b"%PDF-1.7\n...", None, "x.html", "pdf"),
        (b"PK\x03\x04....", "text/html", None, "docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", None, "a.wps", "doc"),
        (b"<!DOCTYPE html><html>", None, None, "html"),
        (b"\n  <html><body>", None, None, "html"),
        (b"plain", "text/html; charset=gbk", None, "html"),
        (b"plain", None, "1805460.shtml", "html"),
        (b"plain", None, "report.txt", "text"),
        (b"\xd5\xfe\xb8\xae", None, None, "text"),
        (b"anything", "application/pdf", None, "pdf"),
        (b"anything", None, "r.docx", "docx"),
        (b"anything", "application/vnd.ms-excel", None, "xls"),
        (b"anything", None, "r.et", "xls"),  # WPS Spreadsheets: the Excel 97 layout
        (b"anything", None, "r.xlsx", "xlsx"),
        (b"<html xmlns:w=\"urn:schemas-microsoft-com:office:word\">", "application/msword", "r.doc", "html"),
        (b"<table><tr><td>x</td></tr></table>", None, "r.xls", "html"),  # Excel's HTML export
        (b"<table><tr><td>x</td></tr></table>", None, "r.txt", "html"),  # markup wins over .txt
        (b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b', None, "r.doc", "mht"),
        (b"PK\x03\x04....", None, "r.xlsx", "xlsx"),  # a damaged package: the name picks the reader
    ],
)
def test_sniff_type(content, ctype, name, expected):
    assert sniff_type(content, ctype, name) == expected


TEXT = "攀枝花市仁和区2021年政府信息公开工作年度报告“三安全一稳定”"


@pytest.mark.parametrize(
    ("data", "ctype"),
    [
        (TEXT.encode("utf-8"), None),
        ("\ufeff".encode() + TEXT.encode("utf-8"), "text/html; charset=gbk"),  # BOM wins
        (TEXT.encode("gbk"), None),
        (TEXT.encode("gbk"), "text/html; charset=utf-8"),  # declared wrongly
        (b'<meta charset="gb2312">' + TEXT.encode("gb18030"), None),
        (TEXT.encode("gb18030"), "text/html; charset=GB2312"),
    ],
)
def test_decode_any_chinese_encoding(data, ctype):
    text, _ = decode(data, ctype)
    assert TEXT in text


def test_gb2312_is_read_as_gb18030():
    rare = "䶮"  # outside GB2312/GBK, inside GB18030
    text, enc = decode(b'<meta charset="gb2312">' + rare.encode("gb18030"), None)
    assert rare in text and enc == "gb18030"


def _grid_2019(truth) -> list[list[list[str]]]:
    """Reader-style grids of seed 003: merged cells repeat their text in every position."""
    s2 = []
    for code, caption, headers, members in S2_LAYOUT["2019"]:
        s2.append([caption] * 4)
        s2.append(["信息内容", *[h.replace("<br>", "") for h in headers], *[""] * (3 - len(headers))])
        for key, label in members:
            cells = [str(v) for v in truth.rows[f"{code}.{key}"]]
            s2.append([label, *cells, *[""] * (3 - len(cells))])
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    s3 = [
        [note] * 3 + ["申请人情况"] * 7,
        [note] * 3 + ["自然人"] + ["法人或其他组织"] * 5 + ["总计"],
        [note] * 3 + ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
    ]
    labels = {
        "new": ["一、本年新收政府信息公开申请数量"] * 3,
        "carried_in": ["二、上年结转政府信息公开申请数量"] * 3,
        "granted": ["三、本年度办理结果", "（一）予以公开", "（一）予以公开"],
        "partial": ["三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"] * 1
        + ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"],
        "other": ["三、本年度办理结果", "（六）其他处理", "（六）其他处理"],
        "total": ["三、本年度办理结果", "（七）总计", "（七）总计"],
        "carried_out": ["四、结转下年度继续办理"] * 3,
    }
    groups = {"denied": "（三）不予公开", "unavailable": "（四）无法提供", "rejected": "（五）不予处理"}
    official = {
        "denied.state_secret": "1.属于国家秘密", "denied.prohibited": "2.其他法律行政法规禁止公开",
        "denied.security": "3.危及“三安全一稳定”", "denied.third_party": "4.保护第三方合法权益",
        "denied.internal": "5.属于三类内部事务信息", "denied.process": "6.属于四类过程性信息",
        "denied.enforcement_file": "7.属于行政执法案卷", "denied.query": "8.属于行政查询事项",
        "unavailable.not_held": "1.本机关不掌握相关政府信息", "unavailable.needs_creation": "2.没有现成信息需要另行制作",
        "unavailable.unclear": "3.补正后申请内容仍不明确", "rejected.complaint": "1.信访举报投诉类申请",
        "rejected.duplicate": "2.重复申请", "rejected.publication": "3.要求提供公开出版物",
        "rejected.excessive": "4.无正当理由大量反复申请", "rejected.confirmation": "5.要求行政机关确认或重新出具已获取信息",
    }  # fmt: skip
    for row in truth.rows:
        if not row.startswith("s3."):
            continue
        key = row[3:]
        if key in labels:
            lab = labels[key]
        else:
            lab = ["三、本年度办理结果", groups[key.split(".")[0]], official[key]]
        s3.append([*lab, *[str(v) for v in truth.rows[row]]])
    sub = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    s4 = [
        ["行政复议"] * 5 + ["行政诉讼"] * 10,
        sub + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5,
        sub + sub + sub,
        [str(v) for r in ("review", "suit_direct", "suit_after_review") for v in truth.rows[f"s4.{r}"]],
    ]
    return [s2, s3, s4]


def test_reader_grids_with_repeated_merged_cells():
    truth = load("003_6403ac429d442b10")
    text = "\n".join(
        [
            truth.title,
            "发文日期: 2021-01-31T09:00:17",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
        ]
    )
    doc = ExtractedDocument(
        source_type="pdf", text=text, tables=_grid_2019(truth), warnings=["page 3: rotated"]
    )
    result = parse_extracted(doc, source="003.pdf")
    assert result.source_type == "pdf"
    assert result.warnings[0] == "page 3: rotated"
    assert_matches(result, truth, layout_warnings=False)


def test_reader_text_is_the_fallback_when_there_are_no_grids():
    truth = load("002_3f96ae1b893fb698")
    text = (DATA / "seeds" / f"{truth.stem}.txt").read_text("utf-8")
    doc = ExtractedDocument(source_type="docx", text=text, tables=[])
    assert_matches(parse_extracted(doc, source="002.docx"), truth)


def test_docx_end_to_end_when_the_reader_is_there():
    docx = pytest.importorskip("docx")
    pytest.importorskip("gxcrawler.formats")
    truth = load("004_351f4af2c3a8fcf1")
    d = docx.Document()
    d.add_paragraph(truth.title)
    d.add_paragraph("二、主动公开政府信息情况")
    for grid in _grid_2019(truth):
        table = d.add_table(rows=len(grid), cols=max(len(r) for r in grid))
        for i, row in enumerate(grid):
            for j, cell in enumerate(row):
                table.cell(i, j).text = cell
        d.add_paragraph("")
    buf = io.BytesIO()
    d.save(buf)
    result = parse_bytes(buf.getvalue(), source="r.docx", filename="r.docx")
    assert result.source_type == "docx"
    truth.published = None
    assert_matches(result, truth, layout_warnings=False)
