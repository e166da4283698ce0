"""pdfminer's reading of a page's drawing instructions, with its tokenizer's common case made cheap.

Why: pdfminer tokenizes content streams one character state at a time, ~7 µs a token, and
a report's PDF has ~14,000 tokens: a third of the ~300 ms of CPU its reading costs. Here one
regular expression reads a whole token when it lies inside the current buffer in its plain
form (number, name without ``#``, keyword, string without escapes or nested parentheses, hex
string, ``<<``, ``>>``, one-character operator); anything else — a comment, an escape, a
token cut by the buffer's end, an array, a dictionary, an inline image — goes to pdfminer's
own state machine from the same state, so every token, position and object is pdfminer's.
The interpreter looks each operator's method up once per keyword instead of per call.

Used only with the pdfminer.six and pdfplumber this was proven on (``VERIFIED``: every page object of every
PDF of the project identical, tests/formats/test_pdfstream.py); with any other, pdfminer's
own interpreter runs.
"""

from __future__ import annotations

import re
from typing import Any

import pdfminer
import pdfplumber
from pdfminer import settings
from pdfminer.pdfinterp import PDFContentParser, PDFInterpreterError, PDFPageInterpreter
from pdfminer.pdftypes import PDFStream, stream_value
from pdfminer.psexceptions import PSEOF
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
    SPC,
    PSBaseParser,
    PSKeyword,
    keyword_name,
)

#: (pdfminer.six, pdfplumber) versions whose tokenizer, ``PDFPageInterpreter.execute`` and
#: ``Table.extract`` (formats/pdf.py) these reproduce
VERIFIED = (("20260107", "0.11.10"),)
ENABLED = (getattr(pdfminer, "__version__", None), getattr(pdfplumber, "__version__", None)) in VERIFIED

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


class FastContentParser(PDFContentParser):
    """PDFContentParser whose plain tokens are read by one regular expression."""

    def _fast_token(self) -> tuple[int, Any] | None:
        """The next token if it is plain and inside the buffer, else None (the parser's state
        unchanged, but for bytes pdfminer would skip too)."""
        buf = self.buf
        i = self.charpos
        while True:
            m = _TOKEN.match(buf, i)
            if m is None:
                self.charpos = i
                return None
            kind = m.lastgroup
            token: Any
            if kind == "kw":
                text = m.group("kw")
                token = True if text == _TRUE else False if text == _FALSE else KWD(text)
                start = m.start("kw")
            elif kind == "num":
                text = m.group("num")
                try:
                    token = float(text) if b"." in text else int(text)
                except ValueError:  # "-", ".": pdfminer adds no token and reads on
                    i = m.end()
                    continue
                start = m.start("num")
            elif kind == "lit":
                text = m.group("lit")
                try:
                    token = LIT(str(text, "utf-8"))
                except UnicodeDecodeError:
                    token = LIT(text)  # type: ignore[arg-type]  # pdfminer keeps the bytes
                start = m.start("lit") - 1
            elif kind == "str":
                token = m.group("str")
                if b"\\" in token:
                    token = _unescape(token)
                    if token is None:  # an octal escape above 255: pdfminer's assertion decides
                        self.charpos = i
                        return None
                start = m.start("str") - 1
            elif kind == "one":
                token = KWD(m.group("one"))
                start = m.start("one")
            elif kind == "dbeg":
                token = KEYWORD_DICT_BEGIN
                start = m.start("dbeg")
            elif kind == "dend":
                token = KEYWORD_DICT_END
                start = m.start("dend")
            elif kind == "hex":
                text = m.group("hex")
                token = None
                if len(text) % 2 == 0 and not SPC.search(text):
                    token = bytes.fromhex(text.decode())
                else:
                    token = HEX_PAIR.sub(lambda h: bytes((int(h.group(0), 16),)), SPC.sub(b"", text))
                start = m.start("hex") - 1
            else:  # "skip": a lone ">" or a NUL, read and dropped
                i = m.end()
                continue
            self.charpos = m.end()
            pos = self.bufpos + start
            self._curtokenpos = pos
            return (pos, token)

    def _at_plain_token(self) -> bool:
        return not self._tokens and not self.eof and self.charpos < len(self.buf) and self._parse1.__func__ is _MAIN

    def nexttoken(self) -> tuple[int, Any]:
        if self._at_plain_token():
            token = self._fast_token()
            if token is not None:
                return token
        return super().nexttoken()

    def nextobject(self) -> tuple[int, Any]:
        # at the top level (nothing open, nothing pending) pdfminer returns a plain token or an
        # operator as it comes: skip its stack for those
        if not self.results and not self.context and not self.curstack and self._at_plain_token():
            token = self._fast_token()
            if token is not None:
                if token[1].__class__ is not PSKeyword or token[1] not in _NESTING:
                    return token
                self._tokens.append(token)
        return super().nextobject()


#: per interpreter class: operator keyword -> (method name, argument count), or None if it has none
_OPERATORS: dict[tuple[type, PSKeyword], tuple[str, int] | None] = {}


def _operator(interp: PDFPageInterpreter, keyword: PSKeyword) -> tuple[str, int] | None:
    key = (type(interp), keyword)
    try:
        return _OPERATORS[key]
    except KeyError:
        pass
    name = keyword_name(keyword)
    method = "do_{}".format(name.replace("*", "_a").replace('"', "_w").replace("'", "_q"))
    op = None
    if hasattr(interp, method):
        op = (method, getattr(interp, method).__code__.co_argcount - 1)
    _OPERATORS[key] = op
    return op


class FastInterpreter(PDFPageInterpreter):
    """PDFPageInterpreter.execute (pdfminer.six 20260107) with FastContentParser."""

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
        nextobject = parser.nextobject
        while True:
            try:
                (_, obj) = nextobject()
            except PSEOF:
                break
            if isinstance(obj, PSKeyword):
                op = _operator(self, obj)
                if op is not None:
                    method, nargs = op
                    func = getattr(self, method)
                    if nargs:
                        args = self.pop(nargs)
                        if len(args) == nargs:
                            func(*args)
                    else:
                        func()
                elif settings.STRICT:
                    raise PDFInterpreterError(f"Unknown operator: {keyword_name(obj)!r}")
            else:
                self.push(obj)


def layout(page) -> None:
    """Interpret a pdfplumber page with FastInterpreter (what ``Page.layout`` does with pdfminer's
    own), so that ``page.objects`` and everything after read its result."""
    if not ENABLED or hasattr(page, "_layout"):
        return
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent
    from pdfplumber.utils.exceptions import PdfminerException

    device = PDFPageAggregatorWithMarkedContent(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    interpreter = FastInterpreter(page.pdf.rsrcmgr, device)
    try:
        interpreter.process_page(page.page_obj)
    except Exception as e:
        raise PdfminerException(e)  # noqa: B904 - as pdfplumber raises it
    page._layout = device.get_result()

