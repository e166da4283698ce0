"""A PDF page too big to read in reasonable time is left out with a warning; the others are read."""

from __future__ import annotations

import time
import tracemalloc
import zlib

from gxcrawler.formats import Limits, read
from gxcrawler.formats.deadline import OutOfTime, deadline


def _pdf(pages: list[bytes]) -> bytes:
    """A PDF whose pages draw the given content streams (Flate-compressed), Helvetica as font F1."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for content in pages:
        packed = zlib.compress(content)
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
                       b" /Contents %d 0 R >>" % len(objects))
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % len(pages)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _text(words: str) -> bytes:
    return b"BT /F1 12 Tf 72 720 Td (" + words.encode() + b") Tj ET\n"


def _lines(n: int) -> bytes:
    """``n`` short strokes: a vector drawing (map, chart, scanned-and-vectorised page)."""
    return b"".join(b"%d %d m %d %d l S\n" % (i % 500, i % 800, i % 500 + 1, i % 800 + 1) for i in range(n))


def _read(pages: list[bytes], limits: Limits | None = None):
    started = time.monotonic()
    doc = read(_pdf(pages), "pdf", limits=limits)
    return doc, time.monotonic() - started


def test_a_page_with_megabytes_of_drawing_is_left_out_and_the_others_read():
    heavy = _lines(200_000)  # ~4 MB: a minute or more of pdfminer
    assert len(heavy) > Limits().page_content_bytes
    doc, secs = _read([_text("first page 2021"), heavy, _text("third page")])
    assert doc.warnings == [f"page 2 left out: more than {Limits().page_content_bytes} bytes of drawing instructions"]
    assert "first page 2021" in doc.text and "third page" in doc.text
    assert secs < 10


def test_a_compression_bomb_page_is_measured_without_unpacking_it():
    bomb = b" " * (64 << 20)  # 64 MiB of whitespace, 64 KiB compressed
    pdf = _pdf([_text("first page"), bomb])
    del bomb
    tracemalloc.start()
    try:
        doc = read(pdf, "pdf")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert doc.warnings[0].startswith("page 2 left out: more than")
    assert "first page" in doc.text
    assert peak < 32 << 20


def test_a_page_still_interpreting_at_its_deadline_is_left_out():
    slow = _lines(60_000)  # ~1.2 MB, under the size budget: seconds of pdfminer
    assert len(slow) < Limits().page_content_bytes
    doc, secs = _read([_text("first page"), slow, _text("third page")], Limits(page_seconds=0.5))
    assert doc.warnings == ["page 2 left out: not read within 0.5 s"]
    assert "first page" in doc.text and "third page" in doc.text
    assert secs < 5


def test_a_page_with_too_many_shapes_is_left_out():
    doc, _ = _read([_text("first page"), _lines(3000)], Limits(page_objects=2000))
    assert doc.warnings == ["page 2 left out: 3000 characters and drawn shapes (limit 2000)"]
    assert "first page" in doc.text


def test_deadline_outside_the_main_thread_does_nothing_and_inside_interrupts():
    import threading

    seen = []
    thread = threading.Thread(target=lambda: seen.append(deadline(0.01).__enter__()))
    thread.start()
    thread.join()
    assert seen == [False]
    started = time.monotonic()
    try:
        with deadline(0.2):
            while time.monotonic() - started < 5:
                try:
                    sum(range(1000))
                except Exception:  # noqa: BLE001, S112 - a library swallowing everything it can
                    continue
        raise AssertionError("not interrupted")
    except OutOfTime:
        pass
    assert time.monotonic() - started < 1.5
