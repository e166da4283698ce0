"""pdfminer's reading of a page, made cheaper where it is plain, with pdfminer's exact result.

Why: reading a report's PDF cost ~300 ms of CPU, and a crawl of an all-PDF portal is bound by
it (issue 12). Of that, pdfminer tokenizing the content streams one character state at a time
was ~100 ms (~14,000 tokens, ~7 µs each), its operator dispatch and pdfplumber's turning
every character into a dict another ~60 ms. Here:

* one regular expression reads a whole token when it lies inside the current buffer in its
  plain form (number, name without ``#``, keyword, string without nested parentheses, hex
  string, ``<<``, ``>>``, one-character operator); anything else — a comment, a token cut by
  the buffer's end, an octal escape above 255, arrays', dictionaries' and inline images'
  nesting — goes to pdfminer's own state machine from the same state;
* at a stream's top level, where pdfminer's ``nextobject`` hands each plain token on as it
  comes, tokens are read and dispatched in one loop, each operator's method looked up once;
  an operation — a name, numbers, a string and its keyword, most of a stream — is read by one
  match; the commonest operators (``q``, ``Q``, ``cm``, ``Tm``, ``Td``, ``TL``, ``rg``) are
  written out with pdfminer's ``safe_float`` as ``float()``;
* a string's horizontal glyphs are placed in one loop (``render_char``, ``LTChar.__init__``,
  pdfplumber's ``tag_cur_item``: the same arithmetic), a font's text and width of each
  character id and its decoding of each string looked up once, and each character's dict
  (pdfplumber's ``process_object``) made there;
* the page's other objects are pdfplumber's ``parse_objects`` without its per-attribute calls.

Every token, its position, every operator call, character and page object is pdfminer's and
pdfplumber's own (tests/formats/test_pdfstream.py, down to 1-byte buffers; every PDF of the
project, benchmarks/parse_equivalence.py). Used only with the pdfminer.six and pdfplumber
versions this was proven on (``VERIFIED``); with any other their own code runs.
"""

from __future__ import annotations

import logging
import re
import weakref
from typing import Any
from unicodedata import normalize

import pdfminer
import pdfplumber
from pdfminer import settings
from pdfminer.layout import LTChar, LTContainer
from pdfminer.pdffont import PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFContentParser, PDFInterpreterError, PDFPageInterpreter
from pdfminer.pdftypes import PDFStream, stream_value
from pdfminer.psparser import (
    ESC_STRING,
    HEX_PAIR,
    KEYWORD_ARRAY_BEGIN,
    KEYWORD_ARRAY_END,
    KEYWORD_DICT_BEGIN,
    KEYWORD_DICT_END,
    KEYWORD_PROC_BEGIN,
    KEYWORD_PROC_END,
    KWD,
    LIT,
    PSEOF,  # pdfminer.psexceptions since 2024; psparser has it in every version
    SPC,
    PSBaseParser,
    PSKeyword,
    keyword_name,
)
from pdfminer.utils import mult_matrix
from pdfplumber.page import PDFPageAggregatorWithMarkedContent

#: (pdfminer.six, pdfplumber) versions whose tokenizer, ``PDFPageInterpreter.execute`` and
#: ``Table.extract`` (formats/pdf.py) these reproduce
VERIFIED = (("20260107", "0.11.10"),)
INSTALLED = (getattr(pdfminer, "__version__", None), getattr(pdfplumber, "__version__", None))
ENABLED = INSTALLED in VERIFIED

log = logging.getLogger(__name__)
_told = False


def _tell_unverified() -> None:
    """Say once per process that PDFs are read at the libraries' own speed, and why: an
    upgrade of pdfminer.six or pdfplumber turns the fast path off silently otherwise."""
    global _told
    if not _told:
        _told = True
        log.info(
            "PDF fast path off: pdfminer.six %s with pdfplumber %s is not a pair it was proven on %s;"
            " PDFs are read by the libraries' own code (the same result, about twice the CPU)",
            *INSTALLED, VERIFIED,
        )

# One token at the parser's position, in the form pdfminer's state machine reads it in one go
# (psparser.PSBaseParser._parse_*). A token must end inside the buffer: the lookaheads demand
# the character after it, which pdfminer also reads before it adds the token.
_TOKEN = re.compile(
    rb"\s*+(?:"
    rb"(?P<num>(?>[-+0-9][0-9]*+(?:\.[0-9]*+)?+|\.[0-9]*+))(?=[\s\S])"
    rb"|/(?P<lit>[^#/%\[\]()<>{}\s]*+)(?=[^#])"
    rb"|(?P<kw>[A-Za-z][^#/%\[\]()<>{}\s]*+)(?=[\s\S])"
    rb"|\((?P<str>(?:[^()\\]|\\[\s\S])*+)\)"
    rb"|(?P<dbeg><<)"
    rb"|<(?P<hex>[0-9a-fA-F\s]*+)(?=[^\s0-9a-fA-F])"
    rb"|(?P<dend>>>)"
    rb"|(?P<skip>>(?=[\s\S])|\x00)"
    rb"|(?P<one>[^\s%/\-+0-9.A-Za-z(<>\x00])"
    rb")"
)
_MAIN = PSBaseParser._parse_main
# a string's escapes as psparser.PSBaseParser._parse_string_1 reads them: up to three octal
# digits, a backslash-CR-LF dropped, the named escapes, and any other escaped byte dropped
_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|\r\n|([\s\S]))")
_NAMED = {k: bytes((v,)) for k, v in ESC_STRING.items()}
_TRUE, _FALSE = b"true", b"false"
#: keywords that open or close a nested object, or an inline image: pdfminer's stack handles them
_NESTING = frozenset(
    (
        KEYWORD_ARRAY_BEGIN,
        KEYWORD_ARRAY_END,
        KEYWORD_DICT_BEGIN,
        KEYWORD_DICT_END,
        KEYWORD_PROC_BEGIN,
        KEYWORD_PROC_END,
        PDFContentParser.KEYWORD_BI,
        PDFContentParser.KEYWORD_ID,
    )
)


def _number(text: bytes) -> Any:
    """A number token's value as ``_read`` gives it; ``_SKIP`` for "-", "." (no token in pdfminer)."""
    try:
        return float(text) if b"." in text else int(text)
    except ValueError:
        return _SKIP


def _escaped(m: re.Match[bytes]) -> bytes:
    octal, other = m.groups()
    if octal is not None:
        code = int(octal, 8)
        if code > 255:
            raise _OctalTooLarge
        return bytes((code,))
    return _NAMED.get(other, b"") if other is not None else b""


class _OctalTooLarge(Exception):
    pass


def _unescape(body: bytes) -> bytes | None:
    """A string's bytes with its escapes read, or None where pdfminer would fail its assertion."""
    try:
        return _ESCAPE.sub(_escaped, body)
    except _OctalTooLarge:
        return None


#: ``_unescape`` of string bodies met (a pure function of the body: a report's labels recur in
#: its pages and in a portal's reports), bodies up to ``_UNESCAPED_LONGEST`` bytes, emptied when
#: it holds ``_UNESCAPED_MAX``: at most ~2 MB
_unescaped: dict[bytes, bytes | None] = {}
_UNESCAPED_MAX = 4096
_UNESCAPED_LONGEST = 512


def _string(body: bytes) -> bytes | None:
    """A string token's value from its body (``_read``'s), None where pdfminer fails its assertion."""
    if b"\\" not in body:
        return body
    if len(body) > _UNESCAPED_LONGEST:
        return _unescape(body)
    try:
        return _unescaped[body]
    except KeyError:
        if len(_unescaped) >= _UNESCAPED_MAX:
            _unescaped.clear()
        value = _unescaped[body] = _unescape(body)
        return value


def _name(text: bytes) -> Any:
    """A name token's literal from its text (``_read``'s): pdfminer keeps undecodable bytes."""
    try:
        return LIT(str(text, "utf-8"))
    except UnicodeDecodeError:
        return LIT(text)  # type: ignore[arg-type]


# ``_TOKEN``'s tokens of an operation, read one at a time from the same place, in one match: a
# name followed by white space, numbers each followed by white space, a string, then the keyword
# (each part ``_TOKEN``'s own pattern: ``num`` the same atomic group, ``lit`` and ``str`` the same
# classes, the white space the next token's ``\s*+``; a name's ``(?=[^#])`` met by the white space)
_OPERATION = re.compile(
    rb"\s*+(?:/([^#/%\[\]()<>{}\s]*+)\s++)?"
    rb"((?:(?>[-+0-9][0-9]*+(?:\.[0-9]*+)?+|\.[0-9]*+)\s++)*+)"
    rb"(?:\(((?:[^()\\]|\\[\s\S])*+)\)\s*+)?"
    rb"([A-Za-z][^#/%\[\]()<>{}\s]*+)(?=[\s\S])"
)
_CALL, _PUSH, _UNKNOWN, _NESTED = range(4)  # what a keyword does (FastInterpreter._word)

#: what ``_read`` returns for bytes pdfminer reads and drops (a lone ">", a NUL, a "-" alone)
_SKIP = object()


def _read(m: re.Match[bytes]) -> tuple[int, Any] | None:
    """The token a match of ``_TOKEN`` stands for, with its offset in the buffer; ``(end, _SKIP)``
    for bytes pdfminer drops; None where only pdfminer's state machine knows (it raises)."""
    kind = m.lastgroup
    if kind == "kw":
        text = m.group("kw")
        return m.start("kw"), True if text == _TRUE else False if text == _FALSE else KWD(text)
    if kind == "num":
        value = _number(m.group("num"))
        return (m.end(), _SKIP) if value is _SKIP else (m.start("num"), value)  # "-", ".": read on
    if kind == "str":
        text = _string(m.group("str"))
        if text is None:  # an octal escape above 255: pdfminer fails its assertion
            return None
        return m.start("str") - 1, text
    if kind == "lit":
        return m.start("lit") - 1, _name(m.group("lit"))
    if kind == "one":
        return m.start("one"), KWD(m.group("one"))
    if kind == "hex":
        text = m.group("hex")
        if len(text) % 2 == 0 and not SPC.search(text):
            return m.start("hex") - 1, bytes.fromhex(text.decode())
        return m.start("hex") - 1, HEX_PAIR.sub(lambda h: bytes((int(h.group(0), 16),)), SPC.sub(b"", text))
    if kind == "dbeg":
        return m.start("dbeg"), KEYWORD_DICT_BEGIN
    if kind == "dend":
        return m.start("dend"), KEYWORD_DICT_END
    return m.end(), _SKIP  # "skip"


class FastContentParser(PDFContentParser):
    """PDFContentParser whose plain tokens are read by one regular expression."""

    def plain(self) -> bool:
        """Whether the next token starts afresh: nothing pending, pdfminer's machine between tokens."""
        return not self._tokens and not self.eof and self._parse1.__func__ is _MAIN

    def nexttoken(self) -> tuple[int, Any]:
        if self.plain():
            buf, i = self.buf, self.charpos
            while (m := _TOKEN.match(buf, i)) is not None and (token := _read(m)) is not None:
                if token[1] is _SKIP:
                    i = token[0]
                    continue
                self.charpos = m.end()
                pos = self._curtokenpos = self.bufpos + token[0]
                return (pos, token[1])
            self.charpos = i
        return super().nexttoken()


class FastInterpreter(PDFPageInterpreter):
    """PDFPageInterpreter.execute (pdfminer.six 20260107) with FastContentParser, and at the top
    level of a stream (where pdfminer's ``nextobject`` hands each plain token on as it comes) the
    tokens read and dispatched in one loop."""

    def execute(self, streams: Any) -> None:
        # circular references refused as pdfminer does (CWE-835)
        valid_streams: list[PDFStream] = []
        self.stream_ids.clear()
        for obj in streams:
            stream = stream_value(obj)
            if stream.objid is None or stream.objid in self.parent_stream_ids:
                continue
            valid_streams.append(stream)
            self.stream_ids.add(stream.objid)
        try:
            parser = FastContentParser(valid_streams)
        except PSEOF:
            return  # empty page
        match, operation = _TOKEN.match, _OPERATION.match
        operators: dict[PSKeyword, tuple[Any, int] | None] = {}
        words: dict[bytes, tuple[int, Any]] = {}  # a keyword's text: what it does
        numbers: dict[bytes, Any] = {}  # a number's text: its value (``_number``: a function of it)
        names: dict[bytes, Any] = {}  # a name's text: its literal (``_name``)
        runs: dict[bytes, tuple] = {}  # an operation's numbers' text: their values, in order
        stack = self.argstack  # pushed to and popped in place: ``pop`` makes a new list, the same items
        buf, i, fast = parser.buf, parser.charpos, parser.plain()
        while True:
            obj: Any = _SKIP
            action = _NESTED  # until a keyword's text says otherwise: the object read decides
            if (
                fast
                and (m := operation(buf, i)) is not None
                and ((body := (groups := m.groups())[2]) is None or (string := _string(body)) is not None)
            ):  # an operation: its operands (a name, numbers, a string) and its keyword, most of a stream
                (name, operands, _, text) = groups  # else pdfminer's, token by token
                if name is not None:
                    try:
                        stack.append(names[name])
                    except KeyError:
                        stack.append(names.setdefault(name, _name(name)))
                if operands:
                    try:
                        stack.extend(runs[operands])
                    except KeyError:
                        run = []
                        for number in operands.split():  # the bytes ``\s`` matches, as the tokens' gaps
                            try:
                                value = numbers[number]
                            except KeyError:
                                value = numbers[number] = _number(number)
                            if value is not _SKIP:
                                run.append(value)
                        stack.extend(runs.setdefault(operands, tuple(run)))
                if body is not None:
                    stack.append(string)
                try:
                    (action, value) = words[text]
                except KeyError:
                    (action, value) = words[text] = self._word(text)
                i = m.end()
                if action == _NESTED:  # pdfminer's stack takes it
                    parser._tokens.append((parser.bufpos + m.start(4), value))
            elif fast and (m := match(buf, i)) is not None and (token := _read(m)) is not None:
                obj = token[1]
                if obj is _SKIP:
                    i = token[0]
                    continue
                if obj.__class__ is PSKeyword and obj in _NESTING:  # pdfminer's stack takes it
                    parser._tokens.append((parser.bufpos + token[0], obj))
                    obj = _SKIP
                i = m.end()
            if action == _NESTED:
                if obj is _SKIP:
                    parser.charpos = i
                    try:
                        (_, obj) = parser.nextobject()
                    except PSEOF:
                        break
                    buf, i = parser.buf, parser.charpos
                    fast = not parser.results and not parser.context and not parser.curstack and parser.plain()
                if obj.__class__ is not PSKeyword:
                    stack.append(obj)
                    continue
                try:
                    op = operators[obj]
                except KeyError:
                    op = operators[obj] = self._operator(obj)
                (action, value) = (_UNKNOWN, obj) if op is None else (_CALL, op)
            if action == _CALL:
                (func, nargs) = value
                if nargs:
                    args = stack[-nargs:]
                    del stack[-nargs:]
                    if len(args) == nargs:
                        func(*args)
                else:
                    func()
            elif action == _PUSH:
                stack.append(value)
            elif settings.STRICT:  # _UNKNOWN
                raise PDFInterpreterError(f"Unknown operator: {keyword_name(value)!r}")

    def _word(self, text: bytes) -> tuple[int, Any]:
        """What a keyword token does at a stream's top level: a boolean pushed, an operator called
        (its method and argument count), an unknown operator, or a nesting keyword for pdfminer's
        stack (``_read``'s keyword and the dispatch below, decided once per text)."""
        if text in (_TRUE, _FALSE):
            return _PUSH, text == _TRUE
        keyword = KWD(text)
        if keyword in _NESTING:
            return _NESTED, keyword
        op = self._operator(keyword)
        return (_UNKNOWN, keyword) if op is None else (_CALL, op)

    # pdfminer.six 20260107's commonest operators with their ``safe_float``/``safe_matrix`` checks
    # written out: ``safe_float(o)`` is ``float(o)``, None where that raises TypeError, ValueError or
    # OverflowError, and where any operand is None pdfminer's own method runs (its warning or error);
    # ``get_current_state``/``set_current_state`` in place. The same values, the same calls.

    def do_q(self) -> None:
        self.gstack.append((self.ctm, self.textstate.copy(), self.graphicstate.copy()))

    def do_Q(self) -> None:
        if self.gstack:
            (self.ctm, self.textstate, self.graphicstate) = self.gstack.pop()
            self.device.set_ctm(self.ctm)

    def do_cm(self, a1: Any, b1: Any, c1: Any, d1: Any, e1: Any, f1: Any) -> None:
        try:
            matrix = (float(a1), float(b1), float(c1), float(d1), float(e1), float(f1))
        except (TypeError, ValueError, OverflowError):
            return super().do_cm(a1, b1, c1, d1, e1, f1)
        self.ctm = mult_matrix(matrix, self.ctm)
        self.device.set_ctm(self.ctm)
        return None

    def do_Tm(self, a: Any, b: Any, c: Any, d: Any, e: Any, f: Any) -> None:
        try:
            matrix = (float(a), float(b), float(c), float(d), float(e), float(f))
        except (TypeError, ValueError, OverflowError):
            return super().do_Tm(a, b, c, d, e, f)
        self.textstate.matrix = matrix
        self.textstate.linematrix = (0, 0)
        return None

    def do_Td(self, tx: Any, ty: Any) -> None:
        try:
            tx_, ty_ = float(tx), float(ty)
        except (TypeError, ValueError, OverflowError):
            return super().do_Td(tx, ty)
        (a, b, c, d, e, f) = self.textstate.matrix
        e_new = tx_ * a + ty_ * c + e
        f_new = tx_ * b + ty_ * d + f
        self.textstate.matrix = (a, b, c, d, e_new, f_new)
        self.textstate.linematrix = (0, 0)
        return None

    def do_TL(self, leading: Any) -> None:
        try:
            self.textstate.leading = -float(leading)
        except (TypeError, ValueError, OverflowError):
            super().do_TL(leading)

    def do_rg(self, r: Any, g: Any, b: Any) -> None:
        try:
            rgb = (float(r), float(g), float(b))
        except (TypeError, ValueError, OverflowError):
            return super().do_rg(r, g, b)
        self.graphicstate.ncolor = rgb
        self.graphicstate.ncs = self.csmap["DeviceRGB"]
        return None

    def _operator(self, keyword: PSKeyword) -> tuple[Any, int] | None:
        """The method an operator calls and its argument count (pdfminer's lookup, done once)."""
        name = keyword_name(keyword)
        method = "do_{}".format(name.replace("*", "_a").replace('"', "_w").replace("'", "_q"))
        if not hasattr(self, method):
            return None
        func = getattr(self, method)
        return func, func.__code__.co_argcount - 1


class _FastGlyphs:
    """``PDFTextDevice.render_string_horizontal`` of pdfminer.six 20260107 with, for each glyph,
    ``PDFLayoutAnalyzer.render_char``, ``LTChar.__init__`` and pdfplumber's ``tag_cur_item``
    written out (the same arithmetic in the same order), and a font's text and width of a
    character id looked up once per document (``to_unichr`` and ``char_width`` are functions of the
    font's tables). A glyph without a text (pdfminer's ``handle_undefined_char``) is placed by
    pdfminer's own code."""

    cur_item: Any
    cur_mcid: Any
    cur_tag: Any
    #: the page (``_CharPage``) whose character dicts are made here, and the dicts made, by the
    #: character's ``id`` (with the character): None where only the characters are made
    char_page: _CharPage | None = None
    char_dicts: dict[int, tuple[LTChar, dict[str, Any]]] | None = None

    def render_string_horizontal(
        self,
        seq: Any,
        matrix: Any,
        pos: Any,
        font: Any,
        fontsize: float,
        scaling: float,
        charspace: float,
        wordspace: float,
        rise: float,
        dxscale: float,
        ncs: Any,
        graphicstate: Any,
    ) -> Any:
        found = _GLYPHS.get(font)
        if found is None:
            found = _GLYPHS[font] = ({}, {})
        (known, decoded) = found
        if _cmap_log.isEnabledFor(logging.DEBUG):  # CMap.decode logs each call
            decoded = None
        (x, y) = pos
        needcharspace = False
        (a, b, c, d, e, f) = matrix
        fontname = font.fontname
        # the same for every glyph of the string (LTChar.__init__ works them out per glyph)
        descent = font.get_descent() * fontsize
        bottom, top = descent + rise, descent + rise + fontsize  # the glyph box's y0, y1
        upright = a * d * scaling > 0 and b * c <= 0
        new = LTChar.__new__
        # apply_matrix_rect's products and sums that do not depend on the glyph's place or width,
        # once a string: its ``a * 0 + c * bottom + e`` is ``(a * 0 + c * bottom) + e``, the same sums
        left_b, bottom_l, left_t, top_l = a * 0 + c * bottom, b * 0 + d * bottom, a * 0 + c * top, b * 0 + d * top
        cb, db, ct, dt = c * bottom, d * bottom, c * top, d * top
        cur_item = self.cur_item  # a string's glyphs go to one container, tagged alike
        append = cur_item._objs.append if type(cur_item).add is _CONTAINER_ADD else None
        mcid, tag = self.cur_mcid, self.cur_tag
        dicts = self.char_dicts
        if dicts is not None:  # what pdfplumber's ``process_object`` takes from the graphic state, once
            page = self.char_page
            assert page is not None
            (number, height, mb_top, mb_x0, doctop, norm) = page
            dict_font = _dict_fontname(fontname)
            ncs_name = page.ncs_name(ncs)
            scolor, ncolor = graphicstate.scolor, graphicstate.ncolor
            scolor = scolor if isinstance(scolor, tuple) else (scolor,)
            ncolor = ncolor if isinstance(ncolor, tuple) else (ncolor,)
            if dict_font is _SKIP or ncs_name is _SKIP or not _SCALARS.issuperset(map(type, matrix)):
                dicts = None  # process_object's own work: resolve_all
        for obj in seq:
            if isinstance(obj, _NUMBERS):
                x -= obj * dxscale
                needcharspace = True
            elif isinstance(obj, bytes):
                if decoded is None:
                    cids = font.decode(obj)
                else:
                    cids = decoded.get(obj)
                    if cids is None:
                        cids = decoded[obj] = tuple(font.decode(obj))
                for cid in cids:
                    if needcharspace:
                        x += charspace
                    me, mf = x * a + y * c + e, x * b + y * d + f
                    m = (a, b, c, d, me, mf)  # utils.translate_matrix
                    glyph = known.get(cid)
                    if glyph is None:
                        try:
                            text = font.to_unichr(cid)
                        except PDFUnicodeNotDefined:
                            text = None
                        if text.__class__ is not str:  # pdfminer's own: its warning or its assertion
                            x += self.render_char(m, font, fontsize, scaling, rise, cid, ncs, graphicstate)  # type: ignore[attr-defined]
                            if cid == 32 and wordspace:
                                x += wordspace
                            needcharspace = True
                            continue
                        glyph = known[cid] = (text, font.char_width(cid))
                    (text, textwidth) = glyph
                    # LTChar.__init__, horizontal
                    item = new(LTChar)
                    item._text = text
                    item.matrix = m
                    item.fontname = fontname
                    item.ncs = ncs
                    item.graphicstate = graphicstate
                    adv = item.adv = textwidth * fontsize * scaling
                    item.upright = upright
                    # apply_matrix_rect(m, (0, bottom, adv, top)), written out
                    left1, bottom1 = left_b + me, bottom_l + mf
                    aa, ba = a * adv, b * adv
                    right1, bottom2 = aa + cb + me, ba + db + mf
                    right2, top1 = aa + ct + me, ba + dt + mf
                    left2, top2 = left_t + me, top_l + mf
                    x0 = min(left1, left2, right1, right2)
                    y0 = min(bottom1, bottom2, top1, top2)
                    x1 = max(left1, left2, right1, right2)
                    y1 = max(bottom1, bottom2, top1, top2)
                    if x1 < x0:
                        (x0, x1) = (x1, x0)
                    if y1 < y0:
                        (y0, y1) = (y1, y0)
                    item.x0 = x0
                    item.y0 = y0
                    item.x1 = x1
                    item.y1 = y1
                    box_w = item.width = x1 - x0
                    box_h = item.height = y1 - y0
                    item.bbox = (x0, y0, x1, y1)
                    item.size = box_h
                    if append is not None:  # LTContainer.add, then tag_cur_item: the item is the last
                        append(item)
                        item.mcid = mcid
                        item.tag = tag
                    else:
                        cur_item.add(item)
                        # pdfplumber's PDFPageAggregatorWithMarkedContent.tag_cur_item
                        if cur_item._objs:
                            cur_obj = cur_item._objs[-1]
                            cur_obj.mcid = self.cur_mcid
                            cur_obj.tag = self.cur_tag
                    if dicts is not None:
                        # pdfplumber's Page.process_object of the character: its attributes in
                        # ALL_ATTRS in ``__dict__`` order (mcid and tag read again by
                        # ``_parse_objects``: pdfplumber may tag the last object anew), then its own
                        page_top = (height - y1) + mb_top
                        dicts[id(item)] = (item, {
                            "matrix": m, "fontname": dict_font, "adv": adv, "upright": upright,
                            "x0": x0 + mb_x0 if mb_x0 != 0 else x0, "y0": y0,
                            "x1": x1 + mb_x0 if mb_x0 != 0 else x1, "y1": y1,
                            "width": box_w, "height": box_h, "size": box_h,
                            "mcid": None, "tag": None, "object_type": "char", "page_number": number,
                            "ncs": ncs_name, "text": normalize(norm, text) if norm is not None else text,
                            "stroking_color": scolor, "non_stroking_color": ncolor,
                            "top": page_top, "bottom": (height - y0) + mb_top, "doctop": doctop + page_top,
                        })
                    x += adv
                    if cid == 32 and wordspace:
                        x += wordspace
                    needcharspace = True
            else:
                _pdfdevice_log.warning(
                    "Cannot render horizontal string because %r is not a valid int, float or bytes.",
                    obj,
                )
        return (x, y)


class _CharPage(tuple):
    """What pdfplumber's ``Page.process_object`` reads of its page for a character: (page number,
    height, mediabox x0 and top, initial doctop, unicode normalisation), and the colour-space
    names decoded so far (``resolve_and_decode`` of a name: a pure function of it)."""

    def __new__(cls, page: Any) -> _CharPage:
        mb_x0, mb_top = page.mediabox[:2]
        made = super().__new__(cls, (page.page_number, page.height, mb_top, mb_x0, page.initial_doctop,
                                     page.pdf.unicode_norm))
        made.names = {}
        return made

    names: dict[Any, Any]

    def ncs_name(self, ncs: Any) -> Any:
        """``resolve_and_decode(ncs.name)``, or ``_SKIP`` for a name that is no str or bytes."""
        name = ncs.name
        if name.__class__ not in _NAMES:
            return _SKIP
        try:
            return self.names[name]
        except KeyError:
            from pdfplumber.utils import resolve_and_decode

            decoded = self.names[name] = resolve_and_decode(name)
            return decoded


def _dict_fontname(fontname: Any) -> Any:
    """The ``fontname`` pdfplumber's ``process_object`` gives a character of this font (bytes fixed);
    ``_SKIP`` for a name that is no str or bytes (``resolve_all`` decides)."""
    if fontname.__class__ is str:
        return fontname
    if fontname.__class__ is bytes:
        from pdfplumber.page import fix_fontname_bytes

        return fix_fontname_bytes(fontname)
    return _SKIP


class _FastDevice(_FastGlyphs, PDFPageAggregatorWithMarkedContent):
    """pdfplumber's page device with its horizontal glyphs placed in one loop."""


_pdfdevice_log = logging.getLogger("pdfminer.pdfdevice")
#: a font's (text, width) of each character id met, for as long as the font (its document) lives
#: and its ``decode`` of each string shown (a function of the font's encoding or CMap and the bytes)
_GLYPHS: weakref.WeakKeyDictionary[Any, tuple[dict[int, tuple[str, float]], dict[bytes, tuple[int, ...]]]] = (
    weakref.WeakKeyDictionary()
)
_cmap_log = logging.getLogger("pdfminer.cmapdb")
_CONTAINER_ADD = LTContainer.add
_NUMBERS = (int, float)  # a tuple: ``int | float`` is a new union object at every test


def layout(page) -> None:
    """Interpret a pdfplumber page with FastInterpreter (what ``Page.layout`` does with pdfminer's
    own), so that ``page.objects`` and everything after read its result."""
    if not ENABLED:
        _tell_unverified()
        return
    if hasattr(page, "_layout"):
        return
    from pdfplumber.utils.exceptions import PdfminerException

    device = _FastDevice(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    if page.pdf.laparams is None:  # no layout analysis between the characters and their dicts
        device.char_page, device.char_dicts = _CharPage(page), {}
    interpreter = FastInterpreter(page.pdf.rsrcmgr, device)
    try:
        interpreter.process_page(page.page_obj)
    except Exception as e:
        raise PdfminerException(e)  # noqa: B904 - as pdfplumber raises it
    page._layout = device.get_result()
    page._objects = _parse_objects(page, device.char_dicts or {})
    if device.char_dicts:  # freed now, not by the collector with the device's cycles
        device.char_dicts.clear()


#: attribute values ``resolve_all`` hands back as they are
_SCALARS = frozenset((float, int, str, bool, type(None)))
#: colour-space names whose decoding (``resolve_and_decode``: a pure function of the name) is kept
_NAMES = frozenset((str, bytes))


def _parse_objects(page, char_dicts: dict[int, tuple[LTChar, dict[str, Any]]] | None = None) -> dict[str, list[dict]]:
    """``Page.parse_objects`` of pdfplumber 0.11.10, value for value, without its per-attribute
    function calls: a number, string or None is what ``resolve_all`` would return, so only the
    other values go through it; an object class's kind is worked out once. A character whose dict
    the glyph loop made (``char_dicts``) takes it, with its ``mcid`` and ``tag`` as they are now."""
    from pdfminer.layout import LTContainer, LTCurve, LTTextContainer
    from pdfplumber.page import ALL_ATTRS, fix_fontname_bytes, lt_pat
    from pdfplumber.utils import resolve_all, resolve_and_decode

    kinds: dict[type, tuple[str, bool, bool, bool]] = {}  # a class: its kind, text? char? curve?
    names: dict[str | bytes, Any] = {}  # a colour space's name decoded (a str or bytes in, a str out)
    texts = (LTChar, LTTextContainer)  # not ``LTChar | LTTextContainer``: a typing.Union made at every call

    def resolved(v: Any) -> Any:
        """``resolve_all(v)``; a tuple of numbers (a matrix, a colour) is one already."""
        if v.__class__ is tuple and all(map(_SCALARS.__contains__, map(type, v))):
            return v  # resolve_all makes an equal tuple
        return resolve_all(v)
    number = page.page_number
    norm = page.pdf.unicode_norm
    laparams = page.pdf.laparams
    mb_x0, mb_top = page.mediabox[:2]
    height, doctop = page.height, page.initial_doctop
    point2coord = page.point2coord

    def process(obj) -> dict:
        cls = obj.__class__
        known = kinds.get(cls)
        if known is None:  # the isinstance tests below are the class's: made once per class
            known = kinds[cls] = (
                re.sub(lt_pat, "", cls.__name__).lower(),
                issubclass(cls, texts),
                issubclass(cls, LTChar),
                issubclass(cls, LTCurve),
            )
        (kind, is_text, is_char, is_curve) = known
        attr = {k: v if v.__class__ in _SCALARS else resolved(v) for k, v in obj.__dict__.items() if k in ALL_ATTRS}
        attr["object_type"] = kind
        attr["page_number"] = number
        for cs in ("ncs", "scs"):
            if hasattr(obj, cs):
                name = getattr(obj, cs).name
                try:
                    attr[cs] = names[name]
                except (KeyError, TypeError):  # TypeError: a name that is no dictionary key
                    attr[cs] = resolve_and_decode(name)
                    if name.__class__ in _NAMES:
                        names[name] = attr[cs]
        if is_text:
            text = obj.get_text()
            attr["text"] = normalize(norm, text) if norm is not None else text
        if is_char:
            gs = obj.graphicstate
            attr["stroking_color"] = gs.scolor if isinstance(gs.scolor, tuple) else (gs.scolor,)
            attr["non_stroking_color"] = gs.ncolor if isinstance(gs.ncolor, tuple) else (gs.ncolor,)
            if isinstance(attr["fontname"], bytes):
                attr["fontname"] = fix_fontname_bytes(attr["fontname"])
        elif is_curve:
            attr["pts"] = list(map(point2coord, attr["pts"]))
            attr["path"] = [(cmd, *map(point2coord, pts)) for cmd, *pts in obj.original_path]
            attr["dash"] = obj.dashing_style
        if "y0" in attr:
            attr["top"] = (height - attr["y1"]) + mb_top
            attr["bottom"] = (height - attr["y0"]) + mb_top
            attr["doctop"] = doctop + attr["top"]
        if "x0" in attr and mb_x0 != 0:
            attr["x0"] = attr["x0"] + mb_x0
            attr["x1"] = attr["x1"] + mb_x0
        return attr

    objects: dict[str, list[dict]] = {}

    def walk(items) -> None:
        for obj in items:
            if isinstance(obj, LTContainer):
                if laparams is not None:
                    add(process(obj))
                walk(obj._objs)
            else:
                made = char_dicts.get(id(obj)) if char_dicts else None
                if made is not None and made[0] is obj:
                    attr = made[1]
                    mcid, tag = obj.mcid, obj.tag
                    attr["mcid"] = mcid if mcid.__class__ in _SCALARS else resolve_all(mcid)
                    attr["tag"] = tag if tag.__class__ in _SCALARS else resolve_all(tag)
                    objects.setdefault("char", []).append(attr)  # add(attr), its kind known
                else:
                    add(process(obj))

    def add(attr: dict) -> None:
        kind = attr["object_type"]
        if kind != "anno":
            objects.setdefault(kind, []).append(attr)

    walk(page._layout._objs)
    return objects

