"""Map a stream of cell tokens onto the template's canonical keys.

The aligner walks the tokens once. Section headings and 第二十条 captions set the context;
a label (found by ``labels.match_row``) opens a row and the value tokens after it are that
row's cells, until the next label, a row end or prose. Header words decide each sub-table's
edition. Rows whose cells ran together are cut every possible way and the identities
choose; what stays ambiguous is left out and said in ``warnings``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache

from ..catalog import METRICS, S2_TABLES, S3_COLUMNS, S3_ROWS, S4_COLUMNS, S4_ROWS, is_key
from ..checks import identities
from .columns import ColumnMap, complete, from_grid, from_lines, from_sequence, words_in
from .labels import RowMatch, caption, heading, match_row, strip_enumerator
from .normalize import bare, fold
from .splits import TooMany, candidates
from .tokens import BLANK, END, GRID, HSPAN, LINE, MALFORMED, TEXT, UNREAD, VALUE, VSPAN, Token

#: a row's own sum rule over one reading of its cells (the total equals the parts)
_Rule = Callable[[tuple[Decimal | None, ...]], bool]
_SPANS = (HSPAN, VSPAN)

_TABLES = {t.code: t for t in S2_TABLES}
_S3_ROW_KEYS = [r.key for r in S3_ROWS]
_S3_COLS = [c.key for c in S3_COLUMNS]
_S4_KEYS = [f"s4.{r.key}.{c.key}" for r in S4_ROWS for c in S4_COLUMNS]
_NEW_ONLY_S3 = {"other.no_correction", "other.no_fee", "other.other"}
_EDITION_ROWS = _NEW_ONLY_S3 | {"other"}
_AMBIGUOUS_WORDS = frozenset({"总计", "合计", "其他", "總計", "合計"})
_COLUMN = {k: m.column for k, m in METRICS.items()}
_TABLE_OF = {k: m.table for k, m in METRICS.items()}
_S4_BODY_WORDS = frozenset({"@review", "@suit_direct", "@suit_after_review"})
_S4_HINTS = ("复议", "诉讼", "起诉", "维持", "纠正", "审结", "结果", "总计")
#: every column a table has in any edition (a header may print the other edition's)
_ALL_COLUMNS = {t.code: frozenset(c.key for c in t.columns) for t in (*S2_TABLES,)} | {"s3": frozenset(_S3_COLS)}


@dataclass(slots=True)
class RowRead:
    table: str
    row: str
    tokens: list[Token] = field(default_factory=list)
    header: str = ""
    #: the table's columns as its header labels prove them (None: not proven)
    cmap: ColumnMap | None = None
    #: grid position of ``tokens[0]`` (positions count only in a real grid)
    pos0: int = 0
    #: a tab or ``|`` text row: positions are the cells' places in the line
    line: bool = False
    #: the grid row it was read in (-1: not a grid row)
    rowno: int = -1
    #: the reader's table it was read in (reader grids mark where each table starts; 0 else)
    tableno: int = 0

    @property
    def cells(self) -> list[Token]:
        """The row's cells without the places merged cells cover."""
        return [t for t in self.tokens if t.kind not in _SPANS]


@dataclass
class Alignment:
    values: dict[str, Decimal] = field(default_factory=dict)
    blank: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    edition: str | None = None
    #: keys the tables found should have had but that were not read
    missing: list[str] = field(default_factory=list)
    tables_found: set[str] = field(default_factory=set)
    #: the report has tables whose rows name no template cell (labels without numbers)
    labels_only: bool = False

    @property
    def cells(self) -> int:
        return len(self.values) + len(self.blank)


@lru_cache(maxsize=16384)
def _classify(text: str) -> tuple[str | None, str | None, str, bool, bool]:
    """(heading, caption, bare form, a section-四 header word, a 行政复议 header) of one text cell."""
    h = heading(text)
    c = None if h else caption(text)
    b = bare(text) if len(text) < 300 else ""
    s4_word = len(b) < 30 and any(w in b for w in _S4_HINTS)
    review = "行政复议" in b and len(b) < 40 and match_row(text) is None
    return h, c, b, s4_word, review


class _Walker:
    def __init__(self, ocr: bool = False) -> None:
        #: the grids are OCR's: a label read with look-alikes may match no row, a number may read
        #: as a stray ideograph
        self.ocr = ocr
        self.section: str | None = None
        self.table_hint: str | None = None
        self.label_buf: list[str] = []
        self.header_buf: list[str] = []
        self.current: RowRead | None = None
        self.rows: list[RowRead] = []
        self.s3_started = False
        self.last_s3_row: str | None = None
        self.s4_state = "off"  # off | header | values | done
        self.s4_tokens: list[Token] = []
        self.s4_row: list[Token] = []  # this grid row's section-四 cells, empty ones too
        self.s4_grid_rows: list[list[Token]] = []
        self.s4_texts: list[str] = []  # section 四's header and row labels, in reading order
        self.s4_row_body = False  # this tab/| or grid row names a body (行政复议, …)
        self.s4_row_skipped = False  # … and an empty cell after it was passed over
        #: an empty cell right of a body's label, before any value, was passed over: in a row
        #: of delimited cells it is a place (a blank result, or the label's merged filler)
        self.s4_doubt = False
        #: in tab/| rows, the place of section 四's first result header (结果维持 …): an empty cell
        #: left of it is a label's filler, one at or right of it in a body's row a blank result
        self.s4_first: int | None = None
        #: section 四 in a real grid: its text cells [row, position, width, bare text] and its
        #: value cells (row, position, token), merged places included
        self.s4_cells: list[list] = []
        self.s4_places: list[tuple[int, int, Token]] = []
        self.orphans = 0
        self.labels_seen = 0
        #: which of a reader's tables the current grid row is in (counted at each table's start)
        self.tableno = 0
        #: this grid row's label was seen but not read (OCR's unread mark where the rows above
        #: have their labels): its values are left out, and prove nothing against the table
        self.label_unread = False
        self.unread_labels: list[str] = []
        # where the current token sits: a real grid row (GRID), a tab/| text row (LINE)
        self.pos = 0
        self.rowno = 0
        self.grid = False
        self.line = False
        #: header cells of the current header block: [row, position, width, bare text]
        self.hcells: list[list] = []
        self.headers: dict[str, ColumnMap] = {}
        self.label_k = 0
        self.last_table: str | None = None
        self.suspect: set[str] = set()

    # ------------------------------------------------------------ stream
    def feed(self, tok: Token) -> None:
        if tok.kind == TEXT:
            self._text(tok.text)
        elif tok.kind == END:
            self._end()
        else:
            self._value(tok)

    def _text(self, text: str) -> None:
        h, c, b, s4_word, review = _classify(text)
        if h:
            self._finalize()
            self.label_buf.clear()
            self.header_buf.clear()
            self.hcells.clear()
            self.last_table = None
            if self.s4_state == "values":
                self.s4_state = "done"
            self.section = h
            if h == "s4" and self.s4_state == "off":
                self.s4_state = "header"
            return
        if c is not None:
            self._finalize()
            self.label_buf.clear()
            self.header_buf.clear()
            self.hcells.clear()
            self.last_table = None
            self.section, self.table_hint = "s2", (c or None)
            return
        s4_state = self.s4_state
        if s4_state == "values":
            if s4_word:
                self._s4_text(b)
                return
            self.s4_state = s4_state = "done"
        elif s4_state == "header" and self.section == "s4":
            self._s4_text(b)
            return
        if review and s4_state == "off":
            self._finalize()
            self.section, self.s4_state = "s4", "header"
            self._s4_text(b)
            return
        if self.current is not None and self.current.tokens:
            if self.ocr and self._stray_text():
                return
            self._finalize()
        label_buf = self.label_buf
        label_buf.append(text)
        if len(label_buf) > 6:
            del label_buf[:-6]
        header_buf = self.header_buf
        header_buf.append(b)
        if len(header_buf) > 40:
            del header_buf[:-40]
        if self.grid or self.line:
            hcells = self.hcells
            hcells.append([self.rowno, self.pos, 1, b])
            if len(hcells) > 120:  # a header block is a few rows: this is page text
                del hcells[:-60]

    def _stray_text(self) -> bool:
        """OCR: a text among the columns the open row's header names (under a header, right of the
        first named column), in the row's own grid row: a number read as a stray ideograph (生);
        that cell unread, the row kept."""
        cur = self.current
        if cur is None or not self.grid or cur.rowno != self.rowno or cur.cmap is None:
            return False
        at = cur.cmap.at
        named = [p for p, k in at.items() if k] if at else []
        if not at or not named or self.pos not in at or self.pos < min(named) or self.pos != cur.pos0 + len(cur.tokens):
            return False  # not among the columns the header names (its own may be unread)
        cur.tokens.append(Token(MALFORMED, UNREAD))
        return True

    def _s4_text(self, b: str) -> None:
        self.s4_texts.append(b)
        words = words_in("s4", b) if self.grid or self.line else ()
        if any(w in _S4_BODY_WORDS for w in words):  # a row label, not a body's header over results
            self.s4_row_body = self.s4_row_body or self.s4_first is None or self.pos < self.s4_first
        elif self.line and self.s4_state == "header" and any(not w.startswith("@") for w in words):
            self.s4_first = self.pos if self.s4_first is None else min(self.s4_first, self.pos)
        if self.grid:
            self.s4_cells.append([self.rowno, self.pos, 1, b])

    def span(self, tok: Token) -> None:
        """A merged cell's further place: widens a header cell, keeps an open row's positions."""
        if tok.kind == HSPAN:
            for cells in (self.hcells, self.s4_cells):
                last = cells[-1] if cells else None
                if last is not None and last[0] == self.rowno and last[1] + last[2] == self.pos:
                    last[2] += 1
        if self.grid and self.current is None and self.s4_state in ("header", "values"):
            self.s4_places.append((self.rowno, self.pos, tok))
        if self.current is not None and not self.label_buf:
            self.current.tokens.append(tok)
        elif self.label_buf:
            self._value(tok)

    def _value(self, tok: Token) -> None:
        if tok.kind == MALFORMED and self._unread_label(tok):
            return
        if self.label_buf:
            match = self._resolve()
            self.label_buf.clear()
            self._finalize()
            if match is not None:
                self._open(match)
            else:
                self.current = None
                if self.ocr and self._label_place(p for r, p, _w, _b in self.hcells if r == self.rowno):
                    self._mark_unread()  # a label OCR read with look-alikes (2重中, 3急及三安全一糖定)
        if tok.kind in _SPANS and self.current is None:
            return
        if self.current is None and self.s4_state in ("header", "values"):
            if self.grid:
                self.s4_places.append((self.rowno, self.pos, tok))
            self.s4_row.append(tok)
            first = self.s4_first if self.line else None
            if tok.empty and first is not None and self.pos < first:
                return  # left of every result header: a label's filler, no value
            if self.s4_state == "header" and tok.empty and not (first is not None and self.s4_row_body):
                self.s4_row_skipped = self.s4_row_skipped or self.s4_row_body
                return
            if self.s4_row_skipped and not tok.empty:
                self.s4_doubt = True  # a value in the row: the empty cell passed over had a place
            self.s4_state = "values"
            self.s4_tokens.append(tok)
            return
        if self.current is None:
            if not tok.empty:
                self.orphans += 1
                if (
                    self.grid
                    and self.last_table
                    and self.rows
                    and self.rows[-1].table == self.last_table
                    and self.rows[-1].tableno == self.tableno
                    and not self.label_unread
                ):
                    self.suspect.add(self.last_table)  # a row of numbers with no label inside a table
            return
        self.current.tokens.append(tok)

    def _unread_label(self, tok: Token) -> bool:
        """OCR's unread mark where this table's rows have their labels (left of every column
        its header names, below a body row of the same reader table): the row's label, not
        read. Its values are then keyed by no row (left out) and are no sign that the table's
        labels and cells are out of step; a label text after it in the row (a sub-label beside
        an unread group label) still opens the row, as beside a merged group label."""
        if not self.ocr or tok.text != UNREAD or self.current is not None or not self._label_place([self.pos]):
            return False
        self._mark_unread()
        self.label_buf.clear()  # a group label before it names no row by itself
        return True

    def _label_place(self, places: Iterable[int]) -> bool:
        """Grid places where this table's rows have their labels: left of every column the
        header of the body row above (same reader table) names."""
        if not self.grid or not self.rows or self.s4_state in ("header", "values"):
            return False  # section 四 is placed by its own rules
        prev = self.rows[-1]
        if prev.tableno != self.tableno or not 0 <= prev.rowno < self.rowno or prev.cmap is None:
            return False
        at = prev.cmap.at
        named = [p for p, k in at.items() if k] if at else []
        places = list(places)
        return bool(named) and bool(places) and max(places) < min(named)

    def _mark_unread(self) -> None:
        if not self.label_unread:
            self.unread_labels.append(self.rows[-1].table)
        self.label_unread = True

    def _resolve(self) -> RowMatch | None:
        """The row the last label texts name. A label broken over lines is joined; a keyword
        beats a similarity guess (``政府信息公开/申请数量`` of ``二、上年结转…`` resembles the
        ``本年新收…`` row, the whole label names 上年结转)."""
        buf = self.label_buf
        guess: tuple[int, RowMatch] | None = None
        for k in range(1, min(5, len(buf)) + 1):
            text = "".join(buf[-k:])
            m = self._special(text) if k == 1 else None
            m = m or match_row(text)
            if m is not None and m.how not in ("fuzzy", "prefix"):
                self.label_k = k
                return m
            if m is not None and guess is None:
                guess = (k, m)
        if guess is not None:
            self.label_k = guess[0]
            return guess[1]
        return None

    def _special(self, text: str) -> RowMatch | None:
        """总计 and 其他 are both row and column labels: the context decides."""
        if "".join(text.split())[-2:] not in _AMBIGUOUS_WORDS:  # stray spaces: 总 计
            return None
        enum, rest = strip_enumerator(fold(text))
        b = bare(rest)
        if b in ("总计", "合计") and ("七" in enum or (self.section == "s3" and self.s3_started)):
            return RowMatch("s3", "total", "context")
        follows = enum.startswith("3") or self.last_s3_row in ("other.no_correction", "other.no_fee")
        # 3.其他 printed right under its group label (六)其他处理 (rows in any order): that group's
        grouped = (
            enum.startswith("3")
            and len(self.label_buf) > 1
            and bare(strip_enumerator(fold(self.label_buf[-2]))[1]) == "其他处理"
        )
        if b == "其他" and self.section == "s3" and (self.s3_started and follows or grouped):
            return RowMatch("s3", "other.other", "context")
        return None

    def _open(self, m: RowMatch) -> None:
        self.labels_seen += 1
        self.last_table = None if m.extra else m.table
        if m.table == "s3":
            self.section = "s3"
            self.s3_started = True
            self.last_s3_row = m.row
        elif m.table.startswith("s2"):
            self.section = "s2"
            if not m.extra:
                self.table_hint = m.table
        cmap = None
        if not m.extra:
            cmap = self._columns(m.table)
            # a header that proves nothing does not undo one that did (a group label 其他处理)
            if cmap is not None and (cmap.names or m.table not in self.headers):
                self.headers[m.table] = cmap
            cmap = self.headers.get(m.table)
        self.current = RowRead(
            m.table,
            m.row,
            header="".join(self.header_buf),
            cmap=cmap,
            pos0=self.pos,
            line=self.line,
            rowno=self.rowno if self.grid else -1,
            tableno=self.tableno,
        )

    def _columns(self, code: str) -> ColumnMap | None:
        """The column map the header block above this row proves, if it names any column."""
        rowno = self.rowno
        cells = [c for c in self.hcells if c[0] != rowno] if self.hcells else self.hcells
        texts = self.header_buf[: len(self.header_buf) - self.label_k] if self.label_k else self.header_buf
        if not cells and not texts:
            return None  # nothing above the row (a data row under its header): from_sequence(code, []) is None
        if self.grid and cells:
            found = from_grid(code, [(r, p, w, b) for r, p, w, b in cells], ocr=self.ocr)
            if found is not None:
                return found
        if not self.grid and cells:
            found = from_lines(code, [(r, p, b) for r, p, _w, b in cells])
            if complete(code, found):
                return found
            seq = from_sequence(code, texts)
            return seq if seq is not None and seq.order else found if found is not None and found.order else seq
        return from_sequence(code, texts)

    def _end(self) -> None:
        """A grid row ended: its cells are exactly the row's, empty ones included."""
        self.rowno += 1
        self.grid = self.line = False
        cur = self.current
        if cur is not None and cur.tokens:
            self.rows.append(cur)
            self.header_buf.clear()
            self.hcells.clear()
        self.current = None
        self.label_buf.clear()
        if self.s4_row:
            if any(not t.empty for t in self.s4_row):
                self.s4_grid_rows.append(self.s4_row)
            self.s4_row = []
        self.s4_row_body = self.s4_row_skipped = False
        if self.label_unread:  # a body row: its label texts are no header of the rows below
            self.header_buf.clear()
            self.hcells.clear()
        self.label_unread = False

    def _finalize(self) -> None:
        cur = self.current
        if cur is not None and any(not t.empty and t.kind not in _SPANS for t in cur.tokens):
            self.rows.append(cur)
            self.header_buf.clear()
            self.hcells.clear()
        self.current = None


def align(
    tokens: Iterable[Token], *, year_hint: int | None = None, repeats: bool = False, ocr: bool = False
) -> Alignment:
    """Read every template cell the token stream holds. ``repeats``: the grids are a reader's
    (PDF, DOCX), which repeats a merged cell's text in every place it covers; ``ocr``: read by
    OCR (a row label that matches no row, or a stray text among a row's numbers, costs that row
    or cell, not the table)."""
    w = _Walker(ocr)
    text, value, end, span = w._text, w._value, w._end, w.span
    pos = 0
    for tok in tokens:  # feed(), inlined: this loop runs once per cell of every page
        kind = tok.kind
        if kind == TEXT:
            w.pos = pos
            text(tok.text)
        elif kind == END:
            end()
            pos = 0
            continue
        elif kind == GRID:
            w.grid = True
            if tok.text:  # a reader's table starts
                w.tableno += 1
            pos = 0
            continue
        elif kind == LINE:
            w.line = True
            pos = 0
            continue
        elif w.current is not None and not w.label_buf:  # _value's common case: a cell of an open row
            w.current.tokens.append(tok)
        elif kind in _SPANS:
            w.pos = pos
            span(tok)
        else:
            w.pos = pos
            value(tok)
        pos += 1
    w._finalize()
    return _Resolver(w, year_hint, repeats).run()


# ---------------------------------------------------------------- resolution
_S3_ROW_EDITIONS = {r.key: r.editions for r in S3_ROWS}


def _row_in(row: str, edition: str) -> bool:
    return edition in _S3_ROW_EDITIONS.get(row, ())


@cache
def _table_keys(code: str, edition: str | None) -> tuple[str, ...]:
    return tuple(k for k, m in METRICS.items() if m.table == code and edition in m.editions)


def _table_edition(code: str, header: str, rows: Sequence[RowRead]) -> str | None:
    h = header
    counts = [sum(1 for t in r.cells if not t.empty) for r in rows]
    widest = max(counts, default=0)
    if code == "s2.art20_1":
        new = any(k in h for k in ("制发", "废止", "现行有效"))
        old = any(k in h for k in ("新制作", "新公开", "对外公开", "本年新"))
        return "2021" if new and not old else "2019" if old and not new else None
    if code == "s2.art20_9":
        return "2019"
    old = any(k in h for k in ("上一年", "项目数量", "增减", "增/减"))
    if code == "s2.art20_8":
        if old:
            return "2019"
        if "金额" in h:
            return "2021"
        return "2019" if widest >= 2 else "2021" if widest == 1 else None
    if old:
        return "2019"
    if "本年处理决定" in h:
        return "2021"  # a 2021 table may keep the 2019 row 其他对外管理服务事项: the header decides
    if any(r.row == "other_services" for r in rows):
        return "2019"
    return "2019" if widest >= 2 else "2021" if widest == 1 else None


@cache
def _columns(code: str, edition: str | None) -> list[str]:
    """A section-二 table's column keys in ``edition`` (shared list: do not mutate)."""
    return [c.key for c in _TABLES[code].columns if edition and edition in c.editions]


@lru_cache(maxsize=4096)
def _row_keys(code: str, row: str, cols: tuple[str | None, ...]) -> list[str]:
    """Cell keys of one row (shared list: do not mutate); "" for a column no label names."""
    return [f"{code}.{row}.{c}" if c else "" for c in cols]


def _fit(tokens: list[Token], n: int) -> tuple[list[Token] | None, str | None]:
    """Exactly n cells from a row's tokens, or None; plus a note when something was dropped."""
    toks = list(tokens)
    lead = next((i for i, t in enumerate(toks) if not t.empty), len(toks))
    trail = next((i for i, t in enumerate(reversed(toks)) if not t.empty), len(toks))
    if len(toks) > n and lead and trail and len(toks) - n < lead + trail and len(toks) - lead - trail < n:
        # empty cells at both ends and more than the row needs: which are padding? (a blank
        # column at either end would shift every value)
        return None, f"{len(toks)} cells for {n} columns, empty at both ends; row left out"
    while len(toks) > n and toks[-1].empty:
        toks.pop()
    while len(toks) > n and toks[0].empty:
        toks.pop(0)
    if len(toks) == n:
        return toks, None
    if len(toks) > n:
        solid = [t for t in toks if not t.empty]
        if len(solid) == n:
            return solid, None
        return None, f"{len(toks)} cells for {n} columns; row left out"
    return None, None


class _Resolver:
    def __init__(self, walker: _Walker, year_hint: int | None, repeats: bool = False) -> None:
        self.w = walker
        self.repeats = repeats
        self.year_hint = year_hint
        self.out = Alignment()
        self.blanked: set[str] = set()  # out.blank as a set: a membership test per cell
        self.ambiguous: dict[str, tuple[list[str], list[tuple[Decimal | None, ...]], _Rule | None]] = {}
        #: tables with cells whose column no header label proves (left out)
        self.unproven: set[str] = set()
        #: tables whose labels do not fit their cells (a header lost, a row label twice): left out whole
        self.suspect: set[str] = set()
        self.table_rows: list[RowRead] = []

    def warn(self, msg: str) -> None:
        if msg not in self.out.warnings:
            self.out.warnings.append(msg)

    def run(self) -> Alignment:
        w, out = self.w, self.out
        by_table: dict[str, list[RowRead]] = {}
        for r in w.rows:
            by_table.setdefault(r.table, []).append(r)
        editions: dict[str, str | None] = {}
        for code, rows in by_table.items():
            if code in _TABLES:
                header = bare("".join(r.header for r in rows))
                editions[code] = _table_edition(code, header, rows)
        s3_rows = {r.row for r in by_table.get("s3", [])}
        s3_edition = "2021" if s3_rows & _NEW_ONLY_S3 else "2019" if "other" in s3_rows else None
        # each table's edition is its own; the report's is the one most of its tables use
        # (a tie: section 三's, else the year's)
        known = [e for e in editions.values() if e] + ([s3_edition] if s3_edition else [])
        by_year = ("2021" if self.year_hint >= 2021 else "2019") if self.year_hint else None
        most = [e for e in sorted(set(known)) if known.count(e) == max(map(known.count, known))]
        report: str | None
        if len(most) == 1:
            report = most[0]
        elif most:
            report = s3_edition if s3_edition in most else by_year if by_year in most else most[0]
        else:
            report = by_year
        out.edition = report
        for code in editions:
            if editions[code] is None:
                editions[code] = report
        if s3_edition:
            editions["s3"] = s3_edition
        mix = {e for e in editions.values() if e}
        if len(mix) > 1:
            detail = ", ".join(f"{c} {e}" for c, e in sorted(editions.items()) if e)
            self.warn(f"mixed editions: {detail}")

        for code, rows in list(by_table.items()):
            if all(t.empty for r in rows for t in r.tokens):
                del by_table[code]  # labels only: the numbers are not in the text
                continue
            if code == "s2.extra":
                for r in rows:
                    shown = " ".join(t.text or "(empty)" for t in r.tokens if not t.empty)
                    self.warn(f"row {r.row} is not in the template; its cells ({shown}) are not keyed")
                continue
            ed = editions.get(code) or report
            self.table_rows = rows
            for r in self._pick(code, rows, ed):
                if code == "s3":
                    self._row(code, r, _S3_COLS, ed)
                else:
                    cols = _columns(code, ed)
                    if not cols:
                        self.warn(f"{code}: edition unknown; {r.row} not read")
                        continue
                    self._row(code, r, cols, ed)
        placed = self._s4_grid() if any(not t.empty for _r, _p, t in w.s4_places) else None
        if placed is not None:
            self._store(*placed)
        else:
            full = [[t for t in r if t.kind not in _SPANS] for r in w.s4_grid_rows]
            full = [r for r in full if len(r) == 15]
            s4_keys = self._s4_keys() if (full or w.s4_tokens) else None
            if s4_keys is None:
                if full or any(not t.empty for t in w.s4_tokens):
                    self.warn("s4: column order not proven by its header labels; cells left out")
            elif full:
                self._store(s4_keys, full[-1])
            elif w.s4_tokens and w.s4_doubt and any(not t.empty for t in w.s4_tokens):
                # read as one stream, the cells' places are lost: an empty cell passed over beside
                # 行政复议 may be its 结果维持 (blank) or the label's filler — every value shifts
                self.unproven.add("s4")
                self.warn("s4: an empty cell beside a row label has no proven place; cells left out")
            elif w.s4_tokens:
                self._s4([t for t in w.s4_tokens if t.kind not in _SPANS], s4_keys)
        if self.ambiguous:
            self._settle()
        for row_id, (_keys, cands, _rule) in self.ambiguous.items():
            self.warn(
                f"{row_id}: digits run together can be cut {len(cands)} ways; cells left out"
                if cands
                else f"{row_id}: digits run together fit no consistent cut; cells left out"
            )
        for code in sorted(set(w.unread_labels)):
            n = w.unread_labels.count(code)
            self.warn(f"{code}: {n} rows whose label OCR did not read (or read as no row's); their cells left out")
        if w.orphans and not out.values:
            self.warn(f"{w.orphans} numbers found with no template label")
        for code in sorted(self.suspect | w.suspect):  # a set of strings iterates in hash order: sorted
            self._drop(code)
        self._coverage(editions, by_table, report)
        return out

    # -------------------------------------------------------------- rows
    def _pick(self, code: str, rows: list[RowRead], ed: str | None) -> list[RowRead]:
        """One read per template row: the first that fits its columns (menus may repeat a label)."""
        n = 7 if code == "s3" else len(_columns(code, ed))
        chosen: dict[str, RowRead] = {}
        twice: set[str] = set()
        for r in rows:
            prev = chosen.get(r.row)
            if (
                prev is not None
                and prev.cmap is not None
                and prev.cmap is r.cmap
                and prev.rowno >= 0
                and 0 < r.rowno - prev.rowno < 40
            ):
                twice.add(r.row)  # one label on two rows of one table: which row is it?
            elif prev is None or _fit(prev.cells, n)[0] is None and _fit(r.cells, n)[0] is not None:
                chosen[r.row] = r
            else:
                self.warn(f"{code}.{r.row}: printed twice; kept the first")
        for row in sorted(twice):  # sorted, as the tables left out in run(): warnings in one order
            del chosen[row]
            self.suspect.add(code)
            self.warn(f"{code}.{row}: one row label on two rows of a table; the table's rows are not proven")
        return list(chosen.values())

    def _row(self, code: str, r: RowRead, cols: Sequence[str | None], edition: str | None) -> None:
        if code == "s3" and edition:
            if r.row in _EDITION_ROWS:
                expected = edition == "2021"
                if (r.row in _NEW_ONLY_S3) != expected:
                    self.warn(f"s3.{r.row}: row of the other edition in a {edition} table")
            if not _row_in(r.row, edition) and all(t.empty for t in r.cells):
                return  # a group label of the other edition's layout (2021 (六)) with empty cells
        cmap = r.cmap
        if cmap is not None and (at := cmap.at) is not None:
            if r.line:  # a tab or | row under a header of places
                if self._row_places(code, r, at):
                    return
            elif not cmap.order:  # a grid's header (a line header's order serves other rows)
                self._row_at(code, r, at)
                return
        row_id = f"{code}.{r.row}"
        tokens = r.cells
        if cmap is not None and cmap.order and set(cmap.order) - {None} <= _ALL_COLUMNS[code]:
            cols = cmap.order
        elif len(cols) != 1 or code == "s3":
            if any(not t.empty for t in tokens):
                self.unproven.add(code)
                self.warn(f"{code}: column order not proven by its header labels; cells left out")
            return
        keys = _row_keys(code, r.row, tuple(cols))
        if None in cols and any(not t.empty for t in tokens):
            self.unproven.add(code)
            self.warn(f"{code}: a column header names no column; its cells left out")
        cells, note = _fit(tokens, len(keys))
        if cells is None and note:
            cells = self._aligned_tail(r, len(keys))
            if cells is not None:
                note = f"{len(tokens)} cells for {len(keys)} columns; read the {len(keys)} under the other rows' values"
        if note:
            self.warn(f"{row_id}: {note}")
        if cells is not None:
            self._store(keys, cells)
            return
        solid = [t for t in tokens if not t.empty]
        if solid and all(t.kind in (VALUE, BLANK) for t in solid) and any(t.splittable for t in solid):
            self._split(row_id, keys, solid, self._row_rule(code, keys))
            return
        self.warn(f"{row_id}: {len(solid)} cells for {len(keys)} columns; row left out")

    def _row_places(self, code: str, r: RowRead, at: dict[int, str | None]) -> bool:
        """A tab or ``|`` row whose every value sits at a place its header names: keyed by
        place (leading and trailing empty cells are blanks, not padding to strip)."""
        keys: list[str] = []
        cells: list[Token] = []
        for i, t in enumerate(r.tokens):
            col = at.get(r.pos0 + i)
            if col is None:
                if not t.empty:
                    return False  # a value at a place no header names: read by order, or left out
                continue
            keys.append(f"{code}.{r.row}.{col}")
            cells.append(t)
        if len(set(keys)) != len(keys) or not any(not t.empty for t in cells):
            return False
        self._store(keys, cells)
        return True

    def _aligned_tail(self, r: RowRead, n: int) -> list[Token] | None:
        """A text row with extra cells: its last n, if they sit exactly where every other row
        of the table has its n values (a label column printed as a number in one row)."""
        if not r.line:
            return None
        end = r.pos0 + len(r.tokens)
        others = [o for o in self.table_rows if o is not r and o.line and len(o.cells) == n]
        if not others or any(o.pos0 + len(o.tokens) != end or o.pos0 < end - n for o in others):
            return None
        return r.tokens[-n:]

    def _row_at(self, code: str, r: RowRead, at: dict[int, str | None]) -> None:
        """A grid row: each cell takes the column its position's header names, or is left out."""
        keys: list[str] = []
        cells: list[Token] = []
        unproven = 0
        toks = r.tokens
        n = len(toks)
        pos0 = r.pos0
        prefix = f"{code}.{r.row}."
        for i, t in enumerate(toks):
            if t.kind in _SPANS:
                continue
            col = at.get(pos0 + i)
            if not t.empty and i + 1 < n and toks[i + 1].kind == HSPAN:  # one cell across columns: whose?
                j = i + 1
                while j < n and toks[j].kind == HSPAN:
                    j += 1
                if len({at.get(pos0 + k) for k in range(i, j)}) > 1:
                    col = None
            if col is None:
                if not t.empty:
                    unproven += 1
                    if pos0 + i not in at:
                        self.suspect.add(code)  # a value with no header above: the headers moved
                continue
            keys.append(prefix + col)
            cells.append(t)
        if len(set(keys)) != len(keys):
            # one header over several cells of a row: a merged cell a reader repeated in each
            # place (all equal) is one cell; else whose is which?
            # (only in a reader's grid — in HTML a merged value is one cell — and only where the
            # one header is the table's only column: a header copied over a neighbour's column
            # may sit over two equal numbers too)
            if not self.repeats or len(set(keys)) > 1 or any(t != cells[0] for t in cells):
                self.suspect.add(code)
                return
            keys, cells = keys[:1], cells[:1]
        if unproven:
            self.unproven.add(code)
            if self._shifted_left(toks, pos0, at):
                self.warn(f"{code}.{r.row}: {unproven} cells in the label columns, the last column empty; "
                          "its cells sit one place off their headers: row left out")
                return
            self.warn(f"{code}.{r.row}: {unproven} cells under no provable column header; left out")
        self._store(keys, cells)

    @staticmethod
    def _shifted_left(toks: Sequence[Token], pos0: int, at: dict[int, str | None]) -> bool:
        """A row whose values start in the label columns (left of every named column) and end
        before the last named column: a rowspan too short or a merged label cell lost moved
        every cell left, so a cell under a header is its right-hand neighbour's, not that
        header's (``8.属于行政查询事项`` under the template's 7 columns: 0 0 0 1 0 0 1 read as
        research 1, nonprofit 0, other 1)."""
        named = [c for c, k in at.items() if k is not None]
        if not named:
            return False
        first, last = min(named), max(named)
        end = pos0 + len(toks) - 1
        while end >= pos0 and toks[end - pos0].empty:
            end -= 1
        starts_in_labels = any(not t.empty and t.kind not in _SPANS and t.kind != TEXT and pos0 + i < first
                               for i, t in enumerate(toks))
        return starts_in_labels and end < last

    def _drop(self, code: str) -> None:
        """Leave a whole table out: its labels do not match its cells, so no cell is proven."""
        out = self.out
        gone = [k for k in out.values if _TABLE_OF.get(k) == code]
        for k in gone:
            del out.values[k]
        out.blank[:] = [k for k in out.blank if _TABLE_OF.get(k) != code]
        self.blanked = set(out.blank)
        self.warn(f"{code}: its header or row labels do not match its cells; table left out")

    def _row_rule(self, code: str, keys: Sequence[str]) -> _Rule | None:
        if code == "s3" and len(keys) == 7:
            t = next(i for i, k in enumerate(keys) if k.endswith(".total"))
            return lambda c: sum(v or 0 for i, v in enumerate(c) if i != t) == (c[t] or 0)
        return None

    def _split(self, row_id: str, keys: list[str], toks: list[Token], rule: _Rule | None) -> None:
        """Cut run-together digits; a unique cut is taken, a choice is left to ``_settle``.

        A cut is unique only for the column count: where the row's numbers are printed apart
        (one a line) and are too few, a cell may be an invisible blank rather than digits run
        together, so a unique cut of several numbers is taken only if the row's own total
        holds (``968``/``6``/``974`` is not 9,6,8,6,9,7,4)."""
        try:
            cands = candidates(toks, len(keys))
        except TooMany:
            self.ambiguous[row_id] = (keys, [], None)
            return
        if len(cands) == 1 and (len(toks) == 1 or (rule is not None and rule(cands[0]))):
            self._put_cut(keys, cands[0])
        else:
            self.ambiguous[row_id] = (keys, cands, rule)

    def _put_cut(self, keys: list[str], cut: tuple[Decimal | None, ...]) -> None:
        for k, v in zip(keys, cut, strict=True):
            if not k:
                continue
            if v is None:
                if k not in self.blanked:
                    self.blanked.add(k)
                    self.out.blank.append(k)
            else:
                self._put(k, v)

    def _store(self, keys: list[str], cells: list[Token]) -> None:
        values, blanked = self.out.values, self.blanked
        for key, tok in zip(keys, cells, strict=True):
            if not key:
                continue
            kind = tok.kind
            if kind == VALUE:
                if key in _COLUMN and tok.text.isdigit():  # plain count: nothing to check
                    values[key] = tok.value  # type: ignore[assignment]
                else:
                    self._put(key, tok.value)  # type: ignore[arg-type]
            elif kind == BLANK:
                if key not in blanked and is_key(key):
                    blanked.add(key)
                    self.out.blank.append(key)
            elif kind == MALFORMED:
                self.warn(f"{key}: malformed number {tok.text!r} left out")

    def _put(self, key: str, value: Decimal) -> None:
        if not is_key(key):
            self.warn(f"{key}: not a template cell; value {value} not keyed")
            return
        col = METRICS[key].column
        if value != value.to_integral_value() and col != "amount":
            # a count is whole: 1.460 is more likely 1,460 with a dot than a count of 1.46
            self.warn(f"{key}: decimal {value} in a count column; left out")
            return
        if value < 0 and col != "change":
            self.warn(f"{key}: negative count {value}")
        self.out.values[key] = value

    def _s4_keys(self) -> list[str] | None:
        """Section 四's 15 keys in printed order, as its header (and row) labels prove them."""
        found = from_sequence("s4", self.w.s4_texts)
        if found is None or not found.order:
            return None
        return [f"s4.{k}" for k in found.order]

    def _s4_grid(self) -> tuple[list[str], list[Token]] | None:
        """Section 四 in a real grid: each value takes the column its header path names (a
        3 × 5 grid: the result above, the body from its row's label). None when the header
        names no column of section 四 (the reading order is tried then); a value under no
        header, a row of values without its body, or one key twice leaves the table out."""
        w = self.w
        value_rows = sorted({r for r, _p, t in w.s4_places if t.kind not in _SPANS and not t.empty})
        texts: dict[int, list[list]] = {}
        for cell in w.s4_cells:
            texts.setdefault(cell[0], []).append(cell)
        keys: list[str] = []
        cells: list[Token] = []
        unproven = 0
        block: list[tuple[int, int, int, str]] = []
        empties: list[tuple[str, Token]] = []
        prev = -1
        for vr in value_rows:
            above = [tuple(c) for r in range(prev + 1, vr) for c in texts.get(r, ())]
            if above:
                block = above
            prev = vr
            cmap = from_grid("s4", block) if block else None
            at = cmap.at if cmap is not None else None
            if not at:
                return None
            row_words = words_in("s4", "".join(c[3] for c in texts.get(vr, ())))
            bodies = {b for b in row_words if b in _S4_BODY_WORDS}
            places = sorted((p, t) for r, p, t in w.s4_places if r == vr)
            for i, (p, t) in enumerate(places):
                if t.kind in _SPANS:
                    continue
                j = i + 1
                while j < len(places) and places[j][1].kind == HSPAN:
                    j += 1
                col = at.get(p)
                if j > i + 1 and len({at.get(q) for q, _t in places[i:j]}) > 1:
                    col = None  # one cell across columns of different keys
                key = self._s4_key(col, bodies)
                if t.empty:
                    # an empty cell of a row of values is a blank where its header and row
                    # label name one key: the template prints blanks as empty cells too
                    if key is not None:
                        empties.append((key, t))
                    continue
                if p not in at:
                    self.suspect.add("s4")  # a value with no header above: the headers moved
                    return [], []
                if col is not None and key is None:
                    # a row of values whose body no label names, or whose label names another
                    # body than the header
                    self.suspect.add("s4")
                    return [], []
                if key is None:
                    unproven += 1
                    continue
                keys.append(key)
                cells.append(t)
        if len(set(keys)) != len(keys):
            self.suspect.add("s4")
            return [], []
        if unproven:
            self.unproven.add("s4")
            self.warn(f"s4: {unproven} cells under no provable column header; left out")
        taken = set(keys)
        for key, tok in empties:
            if key not in taken:
                taken.add(key)
                keys.append(key)
                cells.append(tok)
        return keys, cells

    @staticmethod
    def _s4_key(col: str | None, bodies: set[str]) -> str | None:
        """The key of a cell under section 四's header column ``col`` in a row whose label
        names ``bodies``, or None when header and label do not name exactly one together."""
        if col is None:
            return None
        if col.startswith("."):
            return f"s4.{next(iter(bodies))[1:]}{col}" if len(bodies) == 1 else None
        if bodies and {f"@{col.split('.')[0]}"} != bodies:
            return None
        return f"s4.{col}"

    def _s4(self, tokens: list[Token], keys: list[str]) -> None:
        cells, note = _fit(tokens, 15)
        if note:
            self.warn(f"s4: {note}")
        if cells is not None:
            self._store(keys, cells)
            return
        solid = [t for t in tokens if not t.empty]
        if solid and all(t.kind in (VALUE, BLANK) for t in solid) and any(t.splittable for t in solid):

            def rule(c: tuple[Decimal | None, ...]) -> bool:
                got = dict(zip(keys, c, strict=True))
                return all(
                    sum(got[f"s4.{b}.{x}"] or 0 for x in ("upheld", "corrected", "other", "pending"))
                    == (got[f"s4.{b}.total"] or 0)
                    for b in ("review", "suit_direct", "suit_after_review")
                )

            self._split("s4 (s4.review, s4.suit_direct, s4.suit_after_review)", keys, solid, rule)
            return
        self.warn(f"s4: {len(solid)} cells for 15 columns; table left out")

    def _settle(self) -> None:
        """Choose among the cuts of a row: keep the one cut that satisfies the row's own total
        and contradicts no identity that can be evaluated; otherwise the row stays unread."""
        ed = self.out.edition
        by_key: dict[str, list] = {}
        for ident in identities(ed) if ed in ("2019", "2021") else ():
            if not ident.rule.startswith("s3.row_total"):
                for k in ident.left + ident.right:
                    by_key.setdefault(k, []).append(ident)
        for _ in range(3):
            progress = False
            for row_id, (keys, cands, rule) in list(self.ambiguous.items()):
                if not cands:
                    continue
                idents = list({id(i): i for k in keys for i in by_key.get(k, ())}.values())
                kept = []
                for c in cands:
                    if rule is not None and not rule(c):
                        continue
                    if self._contradicted(dict(zip(keys, c, strict=True)), idents):
                        continue
                    kept.append(c)
                if len(kept) == 1 and (rule is not None or idents):
                    self._put_cut(keys, kept[0])
                    del self.ambiguous[row_id]
                    self.warn(f"{row_id}: digits run together; cut chosen by the identities")
                    progress = True
            if not progress:
                break

    def _contradicted(self, trial: dict[str, Decimal | None], idents) -> bool:
        vals = self.out.values
        blanks = set(self.out.blank)
        zero = Decimal(0)
        for ident in idents:
            cells = ident.left + ident.right
            if not all(k in trial or k in vals or k in blanks for k in cells):
                continue

            def get(k: str) -> Decimal:
                v = trial[k] if k in trial else vals.get(k)
                return zero if v is None else v

            if sum(map(get, ident.left), zero) != sum(map(get, ident.right), zero):
                return True
        return False

    # ---------------------------------------------------------- coverage
    def _coverage(self, editions: dict[str, str | None], by_table: dict[str, list[RowRead]], report) -> None:
        out = self.out
        got = set(out.values) | set(out.blank)
        out.tables_found = set(map(_TABLE_OF.__getitem__, got))
        if not got:
            out.labels_only = self.w.labels_seen > 0
            return
        expected: list[str] = []
        s2_codes = [t.code for t in S2_TABLES if report is None or report in t.editions]
        s2_codes += [c for c in by_table if c in _TABLES and c not in s2_codes]
        for code in s2_codes:
            expected += _table_keys(code, editions.get(code) or report)
        expected += _table_keys("s3", editions.get("s3") or report)
        expected += _S4_KEYS
        out.missing = [k for k in expected if k not in got]
        ambiguous_keys = {k for keys, _, _ in self.ambiguous.values() for k in keys}
        lost_tables = sorted({METRICS[k].table for k in out.missing if k not in ambiguous_keys})
        if lost_tables:
            self.warn("not read: " + ", ".join(lost_tables))
