"""DOCX and legacy DOC reading."""

from __future__ import annotations

import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import docx
import pytest

from gxcrawler.formats import FormatError, Limits, NoConverterError, read
from gxcrawler.formats.legacy import read_doc
from gxcrawler.synthetic import make_report, render_docx, render_pdf
from gxcrawler.synthetic.tables import all_tables
from tests.formats.util import fold

DATA = Path(__file__).parents[1] / "data" / "formats"
FIXTURES = sorted(DATA.glob("*.doc"))


@pytest.mark.parametrize(
    ("seed", "year", "deviations"), [(21, 2020, False), (22, 2021, True), (23, 2022, True)]
)
def test_docx_tables_with_merged_cells(seed: int, year: int, deviations: bool) -> None:
    report = make_report(seed, year=year, deviations=deviations)
    doc = read(render_docx(report), "docx")
    # grid columns in which no cell begins carry nothing and are dropped by the reader
    assert doc.tables == [fold(t) for t in all_tables(report)]
    assert doc.text.splitlines()[0] == report.title
    assert "一、总体情况" in doc.text
    assert doc.title == report.title


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(buf, "PNG")
    return buf.getvalue()


def test_docx_images_and_nested_tables() -> None:
    d = docx.Document()
    d.add_paragraph("某县2021年政府信息公开工作年度报告")
    d.add_picture(io.BytesIO(_png()))
    outer = d.add_table(rows=1, cols=1)
    inner = outer.cell(0, 0).add_table(rows=2, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "行政许可", "本年处理决定数量"
    inner.cell(1, 0).text, inner.cell(1, 1).text = "行政许可", "12"
    buf = io.BytesIO()
    d.save(buf)
    doc = read(buf.getvalue(), "docx")
    assert doc.images and doc.images[0].startswith("word/media/")
    assert [["行政许可", "本年处理决定数量"], ["行政许可", "12"]] in doc.tables


def test_docx_zip_bomb_cap() -> None:
    report = make_report(3, year=2021)
    with pytest.raises(FormatError, match="unpacks"):
        read(render_docx(report), "docx", limits=Limits(max_unzipped=1000))


def test_broken_docx() -> None:
    with pytest.raises(FormatError):
        read(b"PK\x03\x04 not really a zip", "docx")


def test_mislabelled_files_are_read_by_what_they_are() -> None:
    report = make_report(5, year=2021)
    as_doc = read(render_docx(report), "doc")
    assert as_doc.source_type == "docx"
    assert any("really docx" in w for w in as_doc.warnings)
    as_docx = read(render_pdf(report), "docx")
    assert as_docx.source_type == "pdf"


# ---------------------------------------------------------------- legacy .doc
def _truth(path: Path) -> dict:
    return json.loads(path.with_suffix(".truth.json").read_text())


def _printed(value: str) -> str:
    d = Decimal(value)
    return f"{d:,}" if d >= 1000 else f"{d}"


@pytest.mark.skipif(not shutil.which("antiword"), reason="antiword not installed (.ci/run installs it)")
@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_doc_through_antiword(path: Path) -> None:
    truth = _truth(path)
    doc = read_doc(path.read_bytes(), Limits(), ["antiword"])
    assert doc.source_type == "doc"
    assert doc.text.splitlines()[0] == truth["title"]
    assert any("antiword" in w for w in doc.warnings)
    # section 二 survives antiword whole: every row holds its printed values in order
    rows = [row for table in doc.tables for row in table]
    for label, prefix in (
        ("规章", "s2.art20_1.rules."),
        ("行政许可", "s2.art20_5.licensing."),
        ("行政处罚", "s2.art20_6.penalty."),
    ):
        expected = [_printed(v) for k, v in truth["values"].items() if k.startswith(prefix)]
        assert [label, *expected] in [r[: 1 + len(expected)] for r in rows]


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_doc_through_libreoffice_keeps_every_cell(path: Path) -> None:
    truth = _truth(path)
    report = make_report(truth["seed"], year=truth["year"])
    assert {k: str(v) for k, v in report.values.items()} == truth[
        "values"
    ]  # fixture still matches the generator
    doc = read_doc(path.read_bytes(), Limits(), ["soffice"])
    assert [fold(t) for t in doc.tables] == [fold(t) for t in all_tables(report)]


def test_doc_without_converter_says_what_to_install(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty PATH: no antiword, no soffice
    with pytest.raises(NoConverterError, match=r"no converter for \.doc \(install antiword or libreoffice\)"):
        read(FIXTURES[0].read_bytes(), "doc")


@pytest.mark.skipif(not shutil.which("antiword"), reason="antiword not installed")
def test_garbage_doc_is_an_error_not_a_crash() -> None:
    with pytest.raises(FormatError):
        read_doc(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, Limits(), ["antiword"])


def test_word_web_page_saved_as_doc_is_named_for_what_it_is() -> None:
    page = '<html xmlns:w="urn:schemas-microsoft-com:office:word"><body><table><tr><td>规章</td></tr></table></body></html>'
    with pytest.raises(FormatError, match="really HTML"):
        read(page.encode("gbk"), "doc")
