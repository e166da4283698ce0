"""The fast content-stream reading gives pdfminer's own objects, token for token and page for page."""

from __future__ import annotations

import dataclasses
import io
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pdfminer import pdfinterp
from pdfminer.pdfdevice import PDFDevice
from pdfminer.pdfinterp import PDFContentParser, PDFPageInterpreter, PDFResourceManager
from pdfminer.pdftypes import PDFStream
from pdfminer.psparser import LIT, PSEOF  # in every pdfminer.six version
from pdfminer.utils import MATRIX_IDENTITY
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from gxcrawler.formats import Limits, pdfstream
from gxcrawler.formats.pdf import read_pdf
from gxcrawler.synthetic import make_report, render_pdf

pytestmark = pytest.mark.skipif(
    not pdfstream.ENABLED, reason="pdfminer.six and pdfplumber not among pdfstream.VERIFIED: their own code runs"
)


def _plain(value):
    """A comparable form of a parser object (inline images are PDFStreams, compared by content)."""
    if isinstance(value, PDFStream):
        return ("stream", _plain(value.attrs), value.rawdata)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return (type(value).__name__, repr(value))


def _objects(cls, streams: list[bytes], bufsiz: int) -> list:
    parser_class = type("P", (cls,), {"BUFSIZ": bufsiz})
    out = []
    try:
        parser = parser_class([PDFStream({}, s) for s in streams])
    except PSEOF:
        return out
    while True:
        try:
            pos, obj = parser.nextobject()
        except PSEOF:
            return out
        except Exception as exc:  # noqa: BLE001 - the same failure is the same result
            return [*out, ("raised", type(exc).__name__)]
        out.append((pos, _plain(obj)))


def _recording(base: type) -> type:
    """``base`` with every operator recording its name and arguments instead of drawing."""
    methods = {}
    for name in dir(PDFPageInterpreter):
        if name.startswith("do_"):
            params = [f"a{k}" for k in range(getattr(PDFPageInterpreter, name).__code__.co_argcount - 1)]
            code = f"def {name}(self, {', '.join(params)}): self.calls.append(({name!r}, [{', '.join(params)}]))"
            exec(code, methods)  # noqa: S102 - a method of the same signature, made for the test
    return type("Recording", (base,), {k: v for k, v in methods.items() if k.startswith("do_")})


def _calls(base: type, streams: list[bytes], bufsiz: int) -> list:
    parser_class = type("P", (pdfstream.FastContentParser,), {"BUFSIZ": bufsiz})
    interp = _recording(base)(PDFResourceManager(), PDFDevice(PDFResourceManager()))
    interp.calls = []
    interp.init_state(MATRIX_IDENTITY)
    objs = []
    for k, data in enumerate(streams, 1):
        objs.append(PDFStream({}, data))
        objs[-1].objid = k
    stock_class = type("P", (PDFContentParser,), {"BUFSIZ": bufsiz})
    with mock.patch.object(pdfstream, "FastContentParser", parser_class), mock.patch.object(
        pdfinterp, "PDFContentParser", stock_class
    ):
        try:
            interp.execute(objs)
        except Exception as exc:  # noqa: BLE001 - the same failure is the same result
            interp.calls.append(("raised", type(exc).__name__))
    return [(name, [_plain(a) for a in args]) if name != "raised" else (name, args) for name, args in interp.calls] + [
        _plain(interp.argstack)
    ]


def _same(streams: list[bytes]) -> None:
    # small buffers put a buffer's end inside every kind of token
    for bufsiz in (4096, 1, 2, 3, 5, 7, 13):
        assert _objects(pdfstream.FastContentParser, streams, bufsiz) == _objects(PDFContentParser, streams, bufsiz)
        assert _calls(pdfstream.FastInterpreter, streams, bufsiz) == _calls(PDFPageInterpreter, streams, bufsiz)


CASES = [
    b"1 0 0 1 40.01575 777.3701 cm BT /F2 10.5 Tf 16 TL (N\\0110\\001e6R0T) Tj T* ET",
    b"q 0 0 0 rg BT 1 0 0 1 0 2 Tm /F2 8 Tf 10 TL 3.63 0 Td (plain) Tj ET Q",
    b"[(A) -120 (B) 30.5 (C)] TJ",
    b"(nested (paren) string) Tj (esc \\( \\) \\\\ \\n \\101 \\7 \\\r\n end) Tj",
    b"(\\0123\\x\\\n\\\r\\t\\b\\f\\r\\400) Tj",
    b"(N\\0110\\001e6R0T\\214Y\\004t) Tj (\\777) Tj",
    b"<48656C6C6F> Tj <48 65 6c\n6C6> Tj <> Tj <4> Tj <zz> Tj",
    b"/Name /N#41me /Tab#09x /#e4#b8#ad /\xe4\xb8\xad /\xff\xfe / /a#4 x",
    b"% a comment\n1 2 m 3 4 l S %another\r5 6 m",
    b"-.5 +.5 . - + 1. .5 -1 +2 3.4.5 00012 -0 1-2 1..2",
    b"true false null truex falsey",
    b"<< /Type /XObject /BBox [0 0 1 1] >> BDC EMC << /A <41> >> >",
    b"{ 1 2 add } >x >> > ] [ ] } ' \" * \x00 \x00x \x80 \xff",
    b"BI /W 2 /H 2 /BPC 8 /CS /G ID \x00\x01\x02\x03 EI Q",
    b"BI /W 1 /H 1 /F /A85 ID 8;~> EI 1 0 0 1 0 0 cm",
    b"1 0 0 1 0 0 cm\r\n\t\f0.5 w 10 20 30 40 re f* B* b*",
    b"/F1 12 Tf (unterminated",
    b"<4142",
    b"123",
    # operations read in one match: operands glued, malformed, skipped, before other tokens
    b"1-2 m 3.4.5 l 0 0 1rg 1 0 0 RG - . -. +.5 5 Tz 7 true 8 false m",
    b"1 2 BI /W 1 ID x EI 3 4 re 5 6 xyz 7 8 [ 9 ] TJ 1\x002 m 1 2 << >> d0 9",
    b"0.5 0 0 0.5 12 34 cm\n\r\t\f\v1 2 l 3 4 l\rS 5 6 m 7 T* 8 Tc 9 Tw 10 ' 11 12 \" 13 /F1 14 Tf",
    # operations with a name, numbers and a string read in one match, and where they are not
    b"/F2 8 Tf 10 TL (\\304SZ)Tj /F2 8 (a b) \" (x) ' /Span (y) BDC /P BMC /\xff\xfe 1 Tf / 2 Tf",
    b"/F2 8 (\\777) \" (\\777)Tj /F1 (ok\\101) Tj (ok\\101) Tj (\\400 a) Tj /F1 12 (c) 3 Tj",
    b"/F1 9 (a) BI /W 1 ID x EI /F1 9 (b) ID /A 1 (c) [ 1 ] TJ /A#41 1 Tf /B% c\n1 Tf /C 1.2.3 Tf /D(e)Tj",
    b"/F1\t-.5 + (s)\r\nTj /F1 12 (t) ( u ) Tj (v) true Tj /F1 12 true 1 Tf (w)",
    b"/F1 (\\777)Tj 1 Tf",  # a string pdfminer fails on, read in an operation's match: pdfminer's
    b"1 2 (\\400 a) Tj",
    b"/F1 3 (\\777) Tj",
    b"/F1 3 (" + b"\\101\\(" * 100 + b") Tj (" + b"\\101\\(" * 100 + b")Tj",  # longer than the kept bodies
]


@pytest.mark.parametrize("stream", CASES)
def test_every_kind_of_token_reads_as_pdfminer_reads_it(stream: bytes) -> None:
    _same([stream])


def test_the_operators_are_called_with_their_operands() -> None:
    calls = _calls(pdfstream.FastInterpreter, [CASES[0]], 4096)
    assert ("do_Tf", [("PSLiteral", "/'F2'"), ("float", "10.5")]) in calls
    assert calls[-1] == []  # every operand taken


def test_tokens_across_streams_and_empty_streams() -> None:
    _same([b"1 0 0 1 0 0 c", b"m 12", b"", b".5 Tf (a", b"b) Tj /Na", b"me"])
    _same([])
    _same([b""])


FRAGMENTS = [
    b" ", b"\n", b"\r", b"\t", b"\x00", b"1", b"-", b"+", b".", b"0.25", b"/", b"#", b"#41", b"F1", b"Tj",
    b"(", b")", b"\\", b"\\(", b"\\101", b"\\777", b"\\\r\n", b"\\r", b"<", b">", b"<<", b">>", b"[", b"]", b"{", b"}", b"%", b"4a", b"true",
    b"BT", b"ET", b"\xe4\xb8\xad", b"'", b'"', b"cm", b"/F2 8 ", b"(a) ", b"\\304",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(b"".join), min_size=1, max_size=3))
def test_any_run_of_token_fragments_reads_as_pdfminer_reads_it(streams: list[bytes]) -> None:
    _same(streams)


def _table_pdf(rules: list[tuple], n: int = 70) -> bytes:
    rows = [["label", "new", "total"]] + [[f"row {i}", str(i), str(i * 20)] for i in range(n)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build([Table(rows, colWidths=[200, 100, 100], style=TableStyle(rules))])
    return out.getvalue()


PDFS = {
    "report 2019": lambda: render_pdf(make_report(1, year=2019)),
    "report 2021, deviations": lambda: render_pdf(make_report(2, year=2021, deviations=True)),
    "grid cut by a page break": lambda: _table_pdf([("GRID", (0, 0), (-1, -1), 0.5, "black")]),
    "three-line table": lambda: _table_pdf(
        [
            ("LINEABOVE", (0, 0), (-1, 0), 1, "black"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.5, "black"),
            ("LINEBELOW", (0, -1), (-1, -1), 1, "black"),
        ],
        n=8,
    ),
}


@pytest.mark.parametrize("name", list(PDFS))
def test_a_pdf_reads_the_same_with_pdfminers_own_interpreter(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    content = PDFS[name]()
    fast = read_pdf(content, Limits())
    monkeypatch.setattr(pdfstream, "ENABLED", False)
    slow = read_pdf(content, Limits())
    assert dataclasses.asdict(fast) == dataclasses.asdict(slow)
    assert fast.tables or "row 7\t7\t140" in fast.text  # something was read


@pytest.mark.parametrize("name", list(PDFS))
def test_every_page_object_is_pdfplumbers_own(name: str) -> None:
    """Characters, lines, rectangles, curves: every attribute, its value and order, as pdfplumber makes them."""
    import pdfplumber

    content = PDFS[name]()
    with pdfplumber.open(io.BytesIO(content)) as stock, pdfplumber.open(io.BytesIO(content)) as fast:
        for a, b in zip(stock.pages, fast.pages, strict=True):
            pdfstream.layout(b)
            assert repr(b.objects) == repr(a.objects)
            assert a.objects["char"]


def _fonts() -> dict:
    from pdfminer.psparser import LIT

    rsrc = PDFResourceManager()
    cid = {
        "Subtype": LIT("CIDFontType0"),
        "BaseFont": LIT("STSongStd-Light"),
        "CIDSystemInfo": {"Registry": b"Adobe", "Ordering": b"GB1", "Supplement": 4},
        "W": [1, [250, 300], 7712, 7716, 1000],
        "DW": 900,
    }
    unknown = {**cid, "CIDSystemInfo": {"Registry": b"Nobody", "Ordering": b"None", "Supplement": 0}}
    return {
        "simple": rsrc.get_font(None, {"Type": LIT("Font"), "Subtype": LIT("Type1"), "BaseFont": LIT("Helvetica")}),
        "cid": rsrc.get_font(None, {"Subtype": LIT("Type0"), "BaseFont": LIT("STSongStd-Light"),
                                    "Encoding": LIT("UniGB-UCS2-H"), "DescendantFonts": [cid]}),
        # no text for any glyph: pdfminer's own code places them, "(cid:N)"
        "no text": rsrc.get_font(None, {"Subtype": LIT("Type0"), "BaseFont": LIT("X"),
                                        "Encoding": LIT("Identity-H"), "DescendantFonts": [unknown]}),
    }


FONTS = _fonts()
TEXT_BYTES = [b"", b"a", b"\xae", b"ab c", b" ", b"\x00 \x00a", b"N\x00\x4e\x2d\x00 ", b"\x00\x01\x1e\x20", b"\xff\xfe\x01"]
MATRICES = [(1, 0, 0, 1, 0, 0), (1.0, 0.0, 0.0, 1.0, 40.01575, 777.3701), (0, 1, -1, 0, 300, 20.5),
            (-1.5, 0.0, 0.0, -2.0, 10.25, 3.0), (0.8, 0.3, -0.3, 0.8, -5.0, 7.75),
            # rounding: sums whose order shows in the last bit
            (0.7071067811865476, 0.1, -0.7071067811865475, 0.3, 123.456789, 0.1), (1.1, 0.0, 0.0, 1.3, 1e16, 0.3)]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(list(FONTS)),
    st.lists(st.one_of(st.sampled_from(TEXT_BYTES), st.integers(-500, 500),
                       st.floats(-300, 300, allow_nan=False), st.just("not text")), max_size=6),
    st.sampled_from(MATRICES), st.sampled_from(MATRICES),
    st.sampled_from([0, 8, 10.5, 16.0, -9]), st.sampled_from([100, 50.0, -100]),
    st.sampled_from([0, 0.5, -1.25]), st.sampled_from([0, 2, -0.75]), st.sampled_from([0, 3.5, -2]),
    st.booleans(),
    st.sampled_from([(0, 0, 600, 800), (12.5, -3, 600, 842.25)]), st.sampled_from([None, "NFKC"]),
    st.sampled_from([None, 0.5, (0.2, 0.4, 0.6)]), st.booleans(),
)
def test_any_text_shown_gives_pdfminers_own_characters(
    font: str, seq: list, tm: tuple, ctm: tuple, size: float, scaling: float, charspace: float,
    wordspace: float, rise: float, tagged: bool, mediabox: tuple, norm: str | None, colour: object,
    retag: bool,
) -> None:
    """Every character object (each attribute, its value, bits and order) and the pen's end position;
    every character's dict (each key, its value and order) as pdfplumber's ``process_object`` makes
    it, also where pdfplumber tags the last character anew after it is made."""
    from types import SimpleNamespace

    from pdfminer.pdfcolor import PREDEFINED_COLORSPACE
    from pdfminer.pdfinterp import PDFGraphicState, PDFTextState
    from pdfminer.psparser import LIT
    from pdfplumber.page import Page, PDFPageAggregatorWithMarkedContent

    page = SimpleNamespace(page_number=2, height=mediabox[3] - mediabox[1], mediabox=mediabox, initial_doctop=900.5,
                           pdf=SimpleNamespace(unicode_norm=norm, laparams=None), point2coord=None)
    out = []
    for device_class in (PDFPageAggregatorWithMarkedContent, pdfstream._FastDevice):
        device = device_class(PDFResourceManager(), pageno=1, laparams=None)
        if device_class is pdfstream._FastDevice:
            device.char_page, device.char_dicts = pdfstream._CharPage(page), {}
        device.begin_page(SimpleNamespace(mediabox=(0, 0, 600, 800)), ctm)
        device.set_ctm(ctm)
        if tagged:
            device.begin_tag(LIT("P"), {"MCID": 3})
        state = PDFTextState()
        state.font, state.fontsize, state.scaling = FONTS[font], size, scaling
        state.charspace, state.wordspace, state.rise, state.matrix = charspace, wordspace, rise, tm
        graphics = PDFGraphicState()
        if colour is not None:
            graphics.scolor = graphics.ncolor = colour
        for _ in range(2):  # the second time from the font's known glyphs
            device.render_string(state, seq, PREDEFINED_COLORSPACE["DeviceRGB"], graphics)
        if retag:  # an empty path's paint_path tags the last object made (pdfplumber's device)
            device.begin_tag(LIT("Span"), {"MCID": 9})
            device.tag_cur_item()
        page._layout = device.cur_item
        if device_class is pdfstream._FastDevice:
            dicts = pdfstream._parse_objects(page, device.char_dicts).get("char", [])
        else:
            dicts = [Page.process_object(page, o) for o in device.cur_item]  # type: ignore[arg-type]
        out.append(([(type(o).__name__, repr(vars(o))) for o in device.cur_item], repr(state.linematrix),
                    repr(dicts)))
    assert out[1] == out[0]


OPERANDS = st.one_of(
    st.integers(-3, 3), st.sampled_from([10**400, -(10**400), True, False, None, b"1.5", b"x", b"", [1, 2], {}]),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["2", "-.5", "n"]).map(str.encode),
    st.just(LIT("F1")),
)
OPERATORS = {"q": 0, "Q": 0, "cm": 6, "Tm": 6, "Td": 2, "TL": 1, "rg": 3, "T_a": 0, "Tf": 2}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list(OPERATORS)), st.one_of(
    st.lists(st.one_of(st.integers(-3, 3), st.floats(-1e3, 1e3)), min_size=6, max_size=6),  # a valid operation
    st.lists(OPERANDS, min_size=6, max_size=6))), max_size=12), st.sampled_from(MATRICES))
@example([("q", [0] * 6), ("cm", [2, 0, 0, 2, 5, 5.5]), ("Td", [1, 2, 0, 0, 0, 0]), ("Q", [0] * 6)], MATRICES[1])
def test_the_written_out_operators_leave_pdfminers_states(ops: list, ctm: tuple) -> None:
    """q, Q, cm, Tm, Td, TL, rg on any operands (numbers, huge ints, NaN, strings, names, None...):
    the same matrices, text and graphic states, saved states, device matrix and warnings as pdfminer's."""
    import logging

    def states(interp: PDFPageInterpreter) -> tuple:
        def state(ts, gs) -> tuple:
            return repr(vars(ts)), repr(vars(gs))

        return (repr(interp.ctm), state(interp.textstate, interp.graphicstate), repr(interp.device.ctm),
                [(repr(m), state(ts, gs)) for m, ts, gs in interp.gstack])

    out = []
    for cls in (PDFPageInterpreter, pdfstream.FastInterpreter):
        interp = cls(PDFResourceManager(), PDFDevice(PDFResourceManager()))
        interp.init_resources({})
        interp.init_state(ctm)
        interp.textstate.linematrix = (1.5, 2)  # as a text showing leaves it
        seen: list = []
        handler = logging.Handler()
        handler.emit = lambda record, seen=seen: seen.append(record.getMessage())  # type: ignore[method-assign]
        logger = logging.getLogger("pdfminer.pdfinterp")
        logger.addHandler(handler)
        level, logger.level = logger.level, logging.WARNING  # formats.pdf quiets pdfminer
        try:
            for name, operands in ops:
                getattr(interp, f"do_{name}")(*operands[: OPERATORS[name]])
                seen.append(states(interp))
        finally:
            logger.removeHandler(handler)
            logger.level = level
        out.append(seen)
    assert out[1] == out[0]


def test_string_bodies_unescaped_once_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """A body's unescaping is kept and given again; the store holds at most ``_UNESCAPED_MAX`` bodies,
    none longer than ``_UNESCAPED_LONGEST`` bytes."""
    monkeypatch.setattr(pdfstream, "_unescaped", {})
    monkeypatch.setattr(pdfstream, "_UNESCAPED_MAX", 3)
    long_body = b"\\101" * 200
    for body in [b"a\\101", b"\\(x\\)", b"\\777", b"b\\101", b"c\\101", long_body, b"plain"] * 2:
        assert pdfstream._string(body) == (pdfstream._unescape(body) if b"\\" in body else body)
        assert len(pdfstream._unescaped) <= 3
    assert long_body not in pdfstream._unescaped
    assert pdfstream._string(b"a\\101") is pdfstream._string(b"a\\101")  # kept
