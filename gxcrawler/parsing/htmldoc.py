"""HTML pages: bytes to text in the right encoding, then one pass over the lxml tree.

The pass yields the page's text lines (for headings and metadata) and, in document order,
the cells of every innermost table as a grid (rowspan/colspan expanded, span copies
skipped), so that a report laid out in nested layout tables, one table per sub-table or
one table for everything reads the same.
"""

from __future__ import annotations

import codecs
import copy
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

from .numbers import FOOTNOTE
from .tokens import GRID_ROW, ROW_END, SPAN_ACROSS, SPAN_DOWN, VALUE, Token, _cell_token, text_tokens

_SKIP = frozenset({"script", "style", "noscript", "template", "head", "select", "option", "iframe", "svg"})
_BLOCK = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
        "article", "header", "footer", "nav", "aside", "dd", "dt", "dl", "blockquote", "pre", "hr",
        "form", "center", "main", "figure", "figcaption", "caption", "tbody", "thead", "tfoot", "address",
    }
)  # fmt: skip
_CHROME_IMG = re.compile(
    r"logo|icon|banner|share|qr|ewm|gh\.png|jiucuo|search|btn|button|dzjg|arrow|bg[_.]", re.I
)


def _gb(enc: str | None) -> str | None:
    if not enc:
        return None
    enc = resolve_encoding(enc) or enc
    return "gb18030" if enc.lower() in ("gb2312", "gbk", "gb_2312-80", "hz-gb-2312", "cp936") else enc


def decode(content: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, encoding): BOM, then valid UTF-8, then the declared charset, then detection.

    UTF-8 is tried before a declared charset because a page that decodes as UTF-8 is UTF-8
    far more often than its ``<meta>`` is right; GB2312/GBK are read as their superset GB18030.
    """
    bom_enc, bom = read_bom(content)
    if bom_enc and bom:  # both or neither
        return content[len(bom) :].decode(bom_enc, "replace"), bom_enc
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _gb(http_content_type_encoding(content_type or "")) or _gb(
        html_body_declared_encoding(content)
    )
    for enc in (declared, "gb18030"):
        if enc and enc != "utf-8":
            try:
                codecs.lookup(enc)
                return content.decode(enc), enc
            except (UnicodeDecodeError, LookupError):
                continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(content[:200_000]).best()
        if best is not None and best.encoding:
            enc = _gb(best.encoding) or best.encoding
            return content.decode(enc, "replace"), enc
    except Exception:  # noqa: BLE001 - detection is best effort
        pass
    return content.decode("gb18030", "replace"), "gb18030"


class EmptyDocument(ValueError):
    """The page holds no document at all."""


class TooDeep(ValueError):
    """The page nests its elements deeper than the HTML parser can follow, even flattened."""


@dataclass
class HtmlDocument:
    lines: list[str] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    title_candidates: list[str] = field(default_factory=list)
    tables: int = 0
    warnings: list[str] = field(default_factory=list)
    #: the government CMS article metadata (``<meta name="PubDate">``, ``ContentSource``), lower-cased names
    page_meta: dict[str, str] = field(default_factory=dict)


# plain etree elements: lxml.html's per-element class lookup costs more than the parse.
# One parser per thread: lxml parsers must not be shared (the crawl parses in a thread pool).
_LOCAL = threading.local()


def _parser() -> etree.HTMLParser:
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        # collect_ids=False: no hash table of the page's id attributes (nothing looks elements up by id)
        parser = _LOCAL.parser = etree.HTMLParser(
            encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True, collect_ids=False
        )
    return parser


_WS = re.compile(r"[ \t\r\n\f\v]+")
_CELL = frozenset({"td", "th"})
_CELL_MARK = "\x1f"
_WS_NO_TAB = re.compile(r"[ \r\f\v]+")
_TABLE_LINES = 120


def parse_html(text: str, raw_utf8: bytes | None = None) -> HtmlDocument:
    """``raw_utf8``: the page's own bytes when they are UTF-8 (saves re-encoding ``text``)."""
    doc = HtmlDocument()
    data = raw_utf8 if raw_utf8 is not None else text.encode("utf-8", "replace")
    root = _tree(data)
    if root is _TOO_DEEP:  # libxml2 stops at depth 2048 (256 without huge_tree) and drops the rest
        root = _tree(_flatten(data))
        if root is _TOO_DEEP:
            raise TooDeep(f"HTML nested more than {_MAX_DEPTH} elements deep even without its wrapper elements")
        doc.warnings.append(
            f"HTML nested more than {_MAX_DEPTH} elements deep: read without its wrapper elements (div, span, font …)"
        )
    for h in root.iter("h1", "h2"):
        doc.title_candidates.append("".join(h.itertext()))
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        if name in ("articletitle", "og:title", "title"):
            doc.title_candidates.append(meta.get("content") or "")
        elif name in ("pubdate", "contentsource"):
            doc.page_meta[name] = meta.get("content") or ""
    t = next(root.iterdescendants("title"), None)  # = root.find(".//title"), without ElementPath's Python
    if t is not None and t.text:
        doc.title_candidates.append(re.split(r"[_|]| - ", t.text)[0])
    body = root.find("body")
    _Walk(doc, styled=any(b in data for b in _MARK_STYLE_BYTES)).run(body if body is not None else root)
    return doc


_MAX_DEPTH = 2048  # libxml2's limit with XML_PARSE_HUGE
_TOO_DEEP = object()


def _tree(data: bytes):
    """The page's root element, or ``_TOO_DEEP`` when libxml2 gave up on its nesting."""
    parser = _parser()
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.ParserError as exc:  # nothing but markup debris
        raise EmptyDocument("empty HTML document") from exc
    if any(e.type == _RESOURCE_LIMIT for e in parser.error_log):
        return _TOO_DEEP
    if root is None:
        raise EmptyDocument("empty HTML document")
    return root


_RESOURCE_LIMIT = etree.ErrorTypes.ERR_RESOURCE_LIMIT
_TAG = re.compile(rb"<(/?)([A-Za-z][\w:.-]*)(?:\s[^>]*)?/?>")
#: elements a flattened page keeps: what the walk reads structure and metadata from, and
#: the subtrees it skips (they need both their tags)
_KEEP = frozenset({"html", "body", "title", "meta", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
                   "caption", "img", "br", "h1", "h2"}) | _SKIP  # fmt: skip


def _flatten(data: bytes) -> bytes:
    """The page without its wrapper elements: a block element becomes a line break, an inline one
    nothing (the walk reads them so anyway), so only tables and skipped subtrees still nest."""

    def tag(m: re.Match[bytes]) -> bytes:
        name = m.group(2).lower().decode("ascii", "replace")
        if name in _KEEP:
            return m.group(0)
        return b"<br>" if name in _BLOCK else b""

    return _TAG.sub(tag, data)


class _Walk:
    """Iterative walk (deep fuzzed markup must not hit the recursion limit)."""

    def __init__(self, doc: HtmlDocument, *, styled: bool = False) -> None:
        self.doc = doc
        self.buf: list[str] = []
        self.styled = styled  # the page has styles or classes that may hide or raise text

    def flush(self) -> None:
        if not self.buf:
            return
        text = "".join(self.buf)
        self.buf.clear()
        if _CELL_MARK in text or "\t" in text:  # source tabs are layout, cell marks are cells
            text = text.replace("\t", " ").replace(_CELL_MARK, "\t")
        lines, tokens = self.doc.lines, self.doc.tokens
        for raw in text.split("\n"):
            if not raw.strip(_LINE_SPACE):
                continue
            line, toks = _text_line(raw) if len(raw) < 200 else _read_line(raw)
            lines.append(line)
            tokens.extend(toks)

    def run(self, start: etree._Element) -> None:
        """One C-driven walk (``iterwalk``); deep markup cannot hit Python's recursion limit."""
        buf = self.buf
        images = self.doc.images
        walker = etree.iterwalk(start, events=("start", "end"))
        for event, el in walker:
            tag = el.tag
            if not isinstance(tag, str):
                continue
            if event == "end":
                if tag in _BLOCK:
                    buf.append("\n")
                tail = el.tail
                if tail:
                    buf.append(tail)
                continue
            if tag in _SKIP:
                walker.skip_subtree()
            elif tag == "table" and not _has_inner_table(el):
                self.flush()
                self.table(el)
                walker.skip_subtree()
            else:
                if tag in _BLOCK:
                    buf.append("\n")
                elif tag in _CELL:  # a cell of a layout table: keep its row tab-separated
                    buf.append(_CELL_MARK)
                elif tag == "img":
                    src = el.get("src") or el.get("data-src") or ""
                    if src and not _CHROME_IMG.search(src):
                        images.append(src)
                text = el.text
                if text:
                    buf.append(text)
        self.flush()

    def table(self, table: etree._Element) -> None:
        """Cells in reading order. A merged cell appears once, where it starts: the aligner
        reads labels and values in order, so span copies would only repeat labels."""
        self.doc.tables += 1
        for img in table.iter("img"):  # a layout table without inner tables may hold the images
            src = img.get("src") or img.get("data-src") or ""
            if src and not _CHROME_IMG.search(src):
                self.doc.images.append(src)
        out = self.doc.tokens
        add = out.append
        lines = self.doc.lines
        cells = _CELLS
        down: dict[int, int] = {}  # column -> rows a rowspan above still covers
        maybe = _maybe_marks(table, self.styled)
        budget = _SPAN_BUDGET  # merged places a table may add (junk spans must not blow up a page)
        for tr in table.iter("tr"):
            if budget <= 0 and down:
                down.clear()
            texts = []  # the row's non-empty cell texts (its line)
            add(GRID_ROW)
            col = 0
            for td in tr.iterchildren("td", "th"):  # the tag test in C: no tag string per cell
                if down:
                    while down.get(col):
                        down[col] -= 1
                        add(SPAN_DOWN)
                        col += 1
                raw = _text_content(td) if len(td) else td.text or ""
                text, token = cells.get(raw) or _cell(raw)
                if maybe and token.kind == VALUE and td in maybe and (marks := _marks(maybe[td], raw)):
                    text, token = _cell(_marked(td, marks))  # 41<sup>2</sup> is 41 and a footnote, not 412
                if text:
                    texts.append(text)
                add(token)
                cs = td.get("colspan")
                if cs and budget > 0 and (across := _span(cs)) > 1:
                    out.extend([SPAN_ACROSS] * (across - 1))
                    budget -= across
                else:
                    across = 1
                rs = td.get("rowspan")
                if rs and budget > 0 and (below := _span(rs)) > 1:
                    budget -= across * below
                    for k in range(across):
                        down[col + k] = below - 1
                col += across
            if down:
                while down.get(col):  # merged cells from above at the row's end
                    down[col] -= 1
                    add(SPAN_DOWN)
                    col += 1
            add(ROW_END)
            if texts and len(lines) < _TABLE_LINES:  # metadata tables sit at the top of a page
                lines.append(" | ".join(texts))


_SPAN_BUDGET = 3000


def _span(attr: str) -> int:
    """A colspan/rowspan attribute as a count (junk or huge values: 1 / capped)."""
    try:
        return max(1, min(int(attr.strip()), 60))
    except ValueError:
        return 1


_LINE_SPACE = " \r\f\v\u00a0\u3000"  # what _read_line removes from a line's ends


def _read_line(raw: str) -> tuple[str, tuple[Token, ...]]:
    line = _WS_NO_TAB.sub(" ", raw).strip(" \u00a0\u3000")
    return line, tuple(text_tokens([line]))


_text_line = lru_cache(maxsize=8192)(_read_line)  # short lines: page chrome, headings, labels repeat


def _has_inner_table(table: etree._Element) -> bool:
    return next(table.iterdescendants("table"), None) is not None


def _text_content(el: etree._Element) -> str:
    """All text under ``el``, as ``"".join(el.itertext())`` (no comments: the parser drops
    them) but in one C call: Word-exported cells nest p/span/o:p, and itertext made a Python
    proxy per element."""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


_MARK_TAGS = frozenset({"sup", "sub", "s", "del", "strike"})
#: text a browser hides, raises as a footnote reference, or strikes through
_MARK_STYLE = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all|visibility\s*:\s*hidden"
                         r"|vertical-align\s*:\s*(?:super|sub)|line-through", re.IGNORECASE)
_MARK_CLASS = re.compile(r"\bsup\b|footnote", re.IGNORECASE)
#: what a page that may hide, raise or strike text in a style or class holds (substring tests
#: in C: a regex over every byte of a page cost as much as the parse)
_MARK_STYLE_BYTES = (b"display:none", b"display: none", b"mso-hide", b"visibility:hidden", b"visibility: hidden",
                     b"super", b"vertical-align:sub", b"vertical-align: sub", b"line-through", b"ootnote", b"sup")
#: the elements of a table that a style or class may mark (only on a page that has such
#: styles: an XPath over a Word table's every styled span costs as much as the whole parse)
_MAYBE_STYLED = etree.XPath(
    "descendant::*[not(self::td or self::th or self::tr) and (contains(@style, 'display')"
    " or contains(@style, 'mso-hide') or contains(@style, 'visibility') or contains(@style, 'super')"
    " or contains(@style, 'sub') or contains(@style, 'line-through') or contains(@class, 'sup')"
    " or contains(@class, 'ootnote') or contains(@class, 'Sup'))]"
)


def _maybe_marks(table: etree._Element, styled: bool) -> dict[etree._Element, list[etree._Element]]:
    """Cell -> the elements in it that may be marks (:func:`_marks`); nothing for most tables."""
    out: dict[etree._Element, list[etree._Element]] = {}
    found = list(table.iter(*_MARK_TAGS, "a"))  # the tag test in C
    if styled:
        found += _MAYBE_STYLED(table)
    for el in found:
        cell = next(el.iterancestors("td", "th"), None)
        if cell is not None:
            out.setdefault(cell, []).append(el)
    return out


def _marks(candidates: list[etree._Element], raw: str) -> list[etree._Element]:
    """The parts of a number cell that are not its number as displayed: a superscript or
    subscript (a footnote reference), struck-through text (a corrected number), hidden text,
    a link beside the number (``41<a href="#fn1">1</a>``)."""
    whole = raw.strip()
    found = []
    for el in candidates:
        tag = el.tag.rpartition("}")[2].lower()
        if (
            tag in _MARK_TAGS
            or _MARK_STYLE.search(el.get("style") or "")
            or _MARK_CLASS.search(el.get("class") or "")
            or (tag == "a" and _text_content(el).strip() != whole)
        ):
            found.append(el)
    return found


def _marked(td: etree._Element, marks: list[etree._Element]) -> str:
    """A cell's text with each of ``marks`` set off by :data:`FOOTNOTE`: a footnote
    reference (``41<sup>2</sup>``), hidden or struck-through digits are then a marker beside
    the number, which is malformed (left out), never read into it (412, 419, 3941)."""
    path = {el: i for i, el in enumerate(td.iterdescendants())}
    wanted = {path[el] for el in marks}
    td = copy.deepcopy(td)
    for i, el in enumerate(td.iterdescendants()):
        if i in wanted:
            el.text = FOOTNOTE + (el.text or "")
    return _text_content(td)


_CELLS: dict[str, tuple[str, Token]] = {}


def _cell(raw: str) -> tuple[str, Token]:
    """(text, token) of a cell's raw text, cached: report pages repeat the same few cell texts."""
    text = raw if raw.isalnum() else " ".join(raw.split())
    found = (text, _cell_token(text, False))
    if len(_CELLS) < 16384:
        _CELLS[raw] = found
    return found
