""".doc files that are Word web pages or web archives (MHT): read as the web pages they are."""

from __future__ import annotations

import base64
import quopri
import random

import pytest

from gxcrawler.formats import FormatError, read, sniff_binary, web_archive_html
from gxcrawler.parsing import parse_bytes, sniff_type
from gxcrawler.synthetic.accuracy import score
from gxcrawler.synthetic.archives import word_html
from gxcrawler.synthetic.unseen import _report

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _report_and_html(seed: int, charset: str):
    report = _report(random.Random(seed), seed)
    html = word_html(report, random.Random(seed), charset)
    return report, html.encode("gb18030" if charset == "gb2312" else "utf-8")


def _word_mht(html: bytes, charset: str, transfer: str, newline: bytes = b"\r\n") -> bytes:
    """A web archive as Word's "单个文件网页" writes it: HTML part first, then an image and filelist.xml."""
    boundary = "----=_NextPart_01DA4E2B.5C8F1A30"
    body = quopri.encodestring(html) if transfer == "quoted-printable" else base64.encodebytes(html)
    parts = [
        b"MIME-Version: 1.0\n",
        f'Content-Type: multipart/related; boundary="{boundary}"\n\n'.encode(),
        b"This document is a Single File Web Page, also known as a Web Archive file.\n\n",
        f"--{boundary}\nContent-Location: file:///C:/D1A2B3C4/report.htm\n".encode(),
        f'Content-Transfer-Encoding: {transfer}\nContent-Type: text/html; charset="{charset}"\n\n'.encode(),
        body,
        f"\n--{boundary}\nContent-Location: file:///C:/D1A2B3C4/report.files/image001.png\n".encode(),
        b"Content-Transfer-Encoding: base64\nContent-Type: image/png\n\n",
        base64.encodebytes(PNG),
        f"\n--{boundary}\nContent-Location: file:///C:/D1A2B3C4/report.files/filelist.xml\n".encode(),
        b'Content-Transfer-Encoding: quoted-printable\nContent-Type: text/xml; charset="utf-8"\n\n',
        b'<xml xmlns:o=3D"urn:schemas-microsoft-com:office:office">\n <o:MainFile HRef=3D"../report.htm"/>\n</xml>',
        f"\n--{boundary}--\n".encode(),
    ]
    return b"".join(parts).replace(b"\n", newline)


@pytest.mark.parametrize(
    ("charset", "transfer", "newline"),
    [
        ("gb2312", "quoted-printable", b"\r\n"),
        ("gb2312", "base64", b"\r\n"),
        ("utf-8", "quoted-printable", b"\n"),
        ("utf-8", "base64", b"\n"),
    ],
)
def test_word_web_archive_served_as_doc_is_read_as_html(charset, transfer, newline) -> None:
    report, html = _report_and_html(3, charset)
    body = _word_mht(html, charset, transfer, newline)
    page, declared = web_archive_html(body)
    assert page.replace(b"\r\n", b"\n") == html and declared == charset
    assert sniff_type(body, "application/msword", "附件.doc") == "mht"
    result = parse_bytes(body, source="a.doc", content_type="application/msword", filename="附件.doc")
    s = score(report, result)
    assert s.wrong == [] and s.missing == [], (s.wrong[:3], s.missing[:3])
    assert result.source_type == "mht" and result.year == report.year and result.agency == report.agency
    assert "file served as doc is really mht" in result.warnings


def test_browser_saved_single_page_archive() -> None:
    """Chrome's "网页，单个文件" (.mhtml): From/Snapshot headers, a single text/html part."""
    report, html = _report_and_html(4, "utf-8")
    body = (
        b"From: <Saved by Blink>\r\nSnapshot-Content-Location: http://www.example.gov.cn/zfxxgk/nb/1.html\r\n"
        b"Subject: =?utf-8?Q?2023?=\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=\"utf-8\"\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + quopri.encodestring(html).replace(b"\n", b"\r\n")
    )
    assert sniff_binary(body) == "mht"
    result = parse_bytes(body, source="a.mhtml", filename="a.mhtml")
    assert score(report, result).wrong == [] and result.status in ("ok", "partial")


@pytest.mark.parametrize(("charset", "content_type"), [("gb2312", "application/msword"), ("utf-8", None)])
def test_word_web_page_saved_as_doc_is_read_as_html(charset, content_type) -> None:
    report, html = _report_and_html(5, charset)
    assert sniff_type(html, content_type, "report.doc") == "html"
    result = parse_bytes(html, source="r.doc", content_type=content_type, filename="report.doc")
    s = score(report, result)
    assert s.wrong == [] and s.missing == []
    assert result.source_type == "html" and "file served as doc is really html" in result.warnings


def test_archives_without_a_page_are_errors() -> None:
    no_html = (
        b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(PNG)
        + b"\r\n--b--\r\n"
    )
    with pytest.raises(FormatError, match="without an HTML part"):
        web_archive_html(no_html)
    result = parse_bytes(no_html, source="x.doc", filename="x.doc")
    assert result.status == "error" and "HTML part" in result.message
    # a reader asked directly for a .doc that is an archive says what it is
    _, html = _report_and_html(6, "gb2312")
    with pytest.raises(FormatError, match="web archive"):
        read(_word_mht(html, "gb2312", "base64"), "doc")


@pytest.mark.parametrize("seed", range(10))
def test_damaged_web_archives_never_raise(seed: int) -> None:
    from tests.formats.test_fuzz import _mutate

    _, html = _report_and_html(7, "gb2312")
    damaged = _mutate(_word_mht(html, "gb2312", "quoted-printable"), random.Random(seed))
    result = parse_bytes(damaged, source="a.doc", filename="a.doc")
    assert result.status in ("ok", "partial", "no_tables", "not_a_report", "error")
    assert result.status != "error" or result.message
