"""HTML pages: bytes to text in the right encoding, then one pass over the lxml tree.

The pass yields the page's text lines (for headings and metadata) and, in document order,
the cells of every innermost table as a grid (rowspan/colspan expanded, span copies
skipped), so that a report laid out in nested layout tables, one table per sub-table or
one table for everything reads the same.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

from .tokens import ROW_END, Token, cell_token, text_tokens

MAX_SPAN = 60
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
    if bom_enc:
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


@dataclass
class HtmlDocument:
    lines: list[str] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    title_candidates: list[str] = field(default_factory=list)
    tables: int = 0


_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
_WS = re.compile(r"[ \t\r\n\f\v]+")


def parse_html(text: str) -> HtmlDocument:
    doc = HtmlDocument()
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=_PARSER)
    except etree.ParserError as exc:  # nothing but markup debris
        raise EmptyDocument("empty HTML document") from exc
    for h in root.iter("h1", "h2"):
        doc.title_candidates.append(h.text_content())
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        if name in ("articletitle", "og:title", "title"):
            doc.title_candidates.append(meta.get("content") or "")
    t = root.find(".//title")
    if t is not None and t.text:
        doc.title_candidates.append(re.split(r"[_|]| - ", t.text)[0])
    body = root.find("body")
    _Walk(doc).run(body if body is not None else root)
    return doc


class _Walk:
    """Iterative walk (deep fuzzed markup must not hit the recursion limit)."""

    def __init__(self, doc: HtmlDocument) -> None:
        self.doc = doc
        self.buf: list[str] = []

    def flush(self) -> None:
        if not self.buf:
            return
        text = "".join(self.buf)
        self.buf.clear()
        for line in text.split("\n"):
            line = _WS.sub(" ", line).strip()
            if line:
                self.doc.lines.append(line)
                self.doc.tokens.extend(text_tokens([line]))

    def run(self, start: etree._Element) -> None:
        stack: list[tuple[etree._Element, bool]] = [(start, False)]
        while stack:
            el, closing = stack.pop()
            tag = el.tag if isinstance(el.tag, str) else ""
            if closing:
                if tag in _BLOCK:
                    self.buf.append("\n")
                if el.tail:
                    self.buf.append(el.tail)
                continue
            if tag in _SKIP or not tag:
                if el.tail:
                    self.buf.append(el.tail)
                continue
            if tag == "img":
                src = el.get("src") or el.get("data-src") or ""
                if src and not _CHROME_IMG.search(src):
                    self.doc.images.append(src)
            if tag == "table" and not _has_inner_table(el):
                self.flush()
                self.table(el)
                if el.tail:
                    self.buf.append(el.tail)
                continue
            if tag in _BLOCK:
                self.buf.append("\n")
            if el.text:
                self.buf.append(el.text)
            stack.append((el, True))
            stack.extend((child, False) for child in reversed(el))
        self.flush()

    def table(self, table: etree._Element) -> None:
        self.doc.tables += 1
        rows = [tr for tr in table.iter("tr")]
        taken: dict[tuple[int, int], bool] = {}
        out = self.doc.tokens
        for r, tr in enumerate(rows):
            c = 0
            cells: list[tuple[int, Token]] = []
            for td in tr:
                if td.tag not in ("td", "th"):
                    continue
                while taken.get((r, c)):
                    c += 1
                rs = _span(td.get("rowspan"))
                cs = _span(td.get("colspan"))
                for dr in range(rs):
                    for dc in range(cs):
                        taken[(r + dr, c + dc)] = True
                cells.append((c, cell_token(_cell_text(td))))
                c += cs
            for _, tok in cells:
                out.append(tok)
            out.append(ROW_END)
            line = " | ".join(tok.text for _, tok in cells if tok.text)
            if line:
                self.doc.lines.append(line)


def _has_inner_table(table: etree._Element) -> bool:
    return next(table.iterdescendants("table"), None) is not None


def _span(v: str | None) -> int:
    if not v:
        return 1
    m = re.match(r"\s*(\d+)", v)
    return min(max(int(m.group(1)), 1), MAX_SPAN) if m else 1


def _cell_text(td: etree._Element) -> str:
    parts = []
    for piece in td.itertext():
        parts.append(piece)
    return _WS.sub(" ", "".join(parts)).strip()
