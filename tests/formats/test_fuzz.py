"""Damaged files: a reader returns what it can or raises FormatError, nothing else, quickly."""

from __future__ import annotations

import random
import time

import pytest

from gxcrawler.formats import FormatError, Limits, read
from gxcrawler.model import ExtractedDocument
from gxcrawler.synthetic import make_report, render_docx, render_pdf
from gxcrawler.synthetic.archives import render_xlsx
from tests.formats.sheetbuild import report_xls

ORIGINALS = {
    "pdf": render_pdf(make_report(41, year=2021)),
    "docx": render_docx(make_report(42, year=2020)),
    "xlsx": render_xlsx(make_report(43, year=2022)),
    "xls": report_xls(make_report(44, year=2023)),
}


def _mutate(content: bytes, rng: random.Random) -> bytes:
    data = bytearray(content)
    how = rng.choice(("flip", "truncate", "splice", "zero"))
    if how == "flip":
        for _ in range(rng.randint(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif how == "truncate":
        del data[rng.randrange(1, len(data)) :]
    elif how == "splice":
        at = rng.randrange(len(data))
        data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
    else:
        start = rng.randrange(len(data))
        data[start : start + rng.randint(1, 500)] = b"\x00" * min(500, len(data) - start)
    return bytes(data)


@pytest.mark.parametrize("kind", ["pdf", "docx", "xlsx", "xls"])
@pytest.mark.parametrize("seed", range(25))
def test_mutated_files_never_crash_or_hang(kind: str, seed: int) -> None:
    rng = random.Random(seed)
    damaged = _mutate(ORIGINALS[kind], rng)
    started = time.monotonic()
    try:
        doc = read(damaged, kind, limits=Limits(pdf_seconds=10))
    except FormatError as exc:
        assert str(exc)
    else:
        assert isinstance(doc, ExtractedDocument)
        assert all(isinstance(cell, str) for t in doc.tables for row in t for cell in row)
    assert time.monotonic() - started < 20


def test_a_zip_claiming_an_unknown_version_is_not_a_package() -> None:
    """zipfile raises NotImplementedError (not BadZipFile) for a central directory that
    claims a newer format version; sniffing must treat it as an unknown file, not crash."""
    import io
    import zipfile

    from gxcrawler.formats.sniff import zip_kind

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    data = bytearray(buf.getvalue())
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 6] = 249  # "extract version needed" 24.9
    assert zip_kind(bytes(data)) is None
