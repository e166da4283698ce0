"""Which column a value is in, proven by the header labels printed above it (issue 11).

A table's value columns are never assumed to be in the template's order. They are read
from the header: in a real grid (HTML, a reader's table) each value's column position has
a path of header cells above it, and the one column word on that path names it; in a text
flattening the column words come in reading order and their order is the column order
only where that order cannot mean anything else. What cannot be proven returns ``None``
and the caller leaves the cells out with a warning.

Keys: a section-二 or 三 column key (``issued``, ``natural``); for section 四 ``row.col``
(``review.upheld``), or ``.col`` when the header names the result but not the body (the
row label then does, as in a 3 × 5 grid).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache

from ..catalog import S2_TABLES

_ITEMS = (("上一年项目数量", "prev_items"), ("上一年", "prev_items"), ("上年项目", "prev_items"),
          ("增减", "change"), ("处理决定", "decisions"))  # fmt: skip
#: table -> (keyword in ``bare`` form, column word); longest keywords win at a position
WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "s2.art20_1": (
        ("新制作", "new_made"), ("新公开", "new_published"), ("公开总数", "total_published"),
        ("制发", "issued"), ("废止", "repealed"), ("现行有效", "in_force"),
    ),
    "s2.art20_5": _ITEMS,
    "s2.art20_6": _ITEMS,
    "s2.art20_8": (*_ITEMS[:4], ("收费金额", "amount"), ("金额", "amount")),
    "s2.art20_9": (("采购项目", "projects"), ("项目数量", "projects"), ("总金额", "amount"), ("金额", "amount")),
    "s3": (
        ("自然人", "natural"), ("商业企业", "commercial"), ("科研机构", "research"),
        ("社会公益组织", "nonprofit"), ("公益组织", "nonprofit"), ("法律服务机构", "legal"),
        ("其他", "other"), ("总计", "total"), ("合计", "total"),
        ("法人或其他组织", "@orgs"), ("申请人情况", "@applicants"),
    ),
    "s4": (
        ("结果维持", "upheld"), ("维持", "upheld"), ("结果纠正", "corrected"), ("纠正", "corrected"),
        ("其他结果", "other"), ("尚未审结", "pending"), ("未审结", "pending"), ("尚未审", "pending"), ("总计", "total"),
        ("合计", "total"), ("行政复议", "@review"), ("未经复议直接起诉", "@suit_direct"), ("未经复议", "@suit_direct"),
        ("直接起诉", "@suit_direct"), ("复议后起诉", "@suit_after_review"), ("行政诉讼", "@suit"),
    ),
}  # fmt: skip
#: per section-二 table, the column sets its editions print
_EDITION_COLUMNS = {
    t.code: [{c.key for c in t.columns if e in c.editions} for e in t.editions] for t in S2_TABLES
}
_S3_PARTS = ("commercial", "research", "nonprofit", "legal", "other")
_S4_LEAVES = ("upheld", "corrected", "other", "pending", "total")
_S4_BODIES = ("@review", "@suit_direct", "@suit_after_review")


#: group labels read with a look-alike or two (OCR: 法人成其他扭织): the group, not its 其他. Only
#: the characters the template's label shares with no other column word may differ.
_LOOKALIKES: dict[str, tuple[tuple[str, str], ...]] = {"s3": (("法人.其他..", "@orgs"),)}


@cache
def _pattern(code: str) -> re.Pattern[str]:
    words = sorted(WORDS[code], key=lambda kv: -len(kv[0]))
    alternatives = [re.escape(k) for k, _ in words]
    alternatives[1:1] = [f"(?:{rx})" for rx, _ in _LOOKALIKES.get(code, ())]  # after the longest literal
    return re.compile("|".join(alternatives))


@cache
def _meaning(code: str) -> dict[str, str]:
    return dict(WORDS[code])


def _word(code: str, found: str) -> str:
    word = _meaning(code).get(found)
    if word is None:
        word = next(w for rx, w in _LOOKALIKES[code] if re.fullmatch(rx, found))
    return word


#: a unit other than 万元 (元, 千元, 亿元) in an amount's header, and the word it makes of the amount
_OTHER_UNIT = "@amount_in_other_unit"
_NOT_WAN_YUAN = re.compile(r"(?<!万)元|亿元")


@lru_cache(maxsize=8192)
def words_in(code: str, text: str) -> tuple[str, ...]:
    """The column words of table ``code`` in one header text (``bare`` form), in order.

    An amount's key is in 万元: an amount header in another unit (``本年收费金额（单位：元）``)
    names no column (``@amount_in_other_unit``), so its cells are left out, never stored
    10,000 times too large."""
    words = tuple(_word(code, m.group(0)) for m in _pattern(code).finditer(text))
    if "amount" in words and _NOT_WAN_YUAN.search(text):
        return tuple(_OTHER_UNIT if w == "amount" else w for w in words)
    return words


def family(code: str) -> str:
    return code if code in WORDS else ""


class ColumnMap:
    """How a table's value cells map to columns: by position in a grid, or by order."""

    __slots__ = ("_at", "_cells", "code", "order", "ocr")

    def __init__(
        self,
        order: tuple[str | None, ...] | None = None,
        *,
        code: str = "",
        cells: Sequence[tuple[int, int, int, str]] = (),
        ocr: bool = False,
    ) -> None:
            #: the keys of a row's value cells, in order (text flattenings); None: a column no label names
        self.order = order
        self.code = code
        self._cells = cells
        self._at: dict[int, str | None] | None = None
        #: an OCR grid (cells found by their ruling lines: an unread header keeps its place)
        self.ocr = ocr

    @property
    def at(self) -> dict[int, str | None] | None:
        """Grid column -> key (None: the header there names no single column); computed on use."""
        if not self._cells:
            return None
        if self._at is None:
            self._at = _positions(self.code, self._cells, self.ocr)
        return self._at

    @property
    def names(self) -> bool:
        """The header named columns (an order, or header cells in a grid)."""
        return bool(self.order) or bool(self._cells)

    def __repr__(self) -> str:
        return f"ColumnMap(order={self.order}, at={self.at})"


# ----------------------------------------------------------------- grids
def from_grid(code: str, cells: Sequence[tuple[int, int, int, str]], *, ocr: bool = False) -> ColumnMap | None:
    """``cells``: header cells (row, first column, width, bare text) of a real grid; None when
    no header cell names a column of this table. ``ocr``: the grid's cells were found by their
    ruling lines, so a header OCR did not read still holds its place (:func:`_last_part`)."""
    if not any(words_in(code, text) for _r, _s, _w, text in cells):
        return None
    return ColumnMap(code=code, cells=tuple(cells), ocr=ocr)


def _positions(code: str, cells: Sequence[tuple[int, int, int, str]], ocr: bool = False) -> dict[int, str | None]:
    """Grid column -> key (shared between pages: do not mutate).

    Report pages repeat their header blocks, only at other row numbers: rows are counted
    from the block's first, which keeps their order (all the answer depends on), so a
    header seen on an earlier page costs one lookup."""
    top = min(cell[0] for cell in cells)
    return _positions_from_top(code, tuple((r - top, s, w, t) for r, s, w, t in cells), ocr)


@lru_cache(maxsize=4096)
def _positions_from_top(
    code: str, cells: tuple[tuple[int, int, int, str], ...], ocr: bool = False
) -> dict[int, str | None]:
    paths: dict[int, list[tuple[int, int, int, str]]] = {}
    for cell in sorted(cells):
        if cell[3]:
            for c in range(cell[1], cell[1] + cell[2]):
                paths.setdefault(c, []).append(cell)
    at: dict[int, str | None] = {}
    named: dict[str, set[tuple]] = {}  # key -> the header paths naming it (one merged cell = one path)
    if any(_stacked(code, path) for path in paths.values()):
        # two header cells, one above the other, each naming a column (总计 over 结果维持): a
        # rowspan lost moved a header row against the one above, so no place is proven
        return dict.fromkeys(paths)
    for c, path in paths.items():
        words = words_in(code, "".join(cell[3] for cell in path))
        at[c] = None  # a header is there, naming no column (cut): unproven, not a moved header
        if words:
            k = at[c] = _key(code, words)
            if k is not None:
                named.setdefault(k, set()).add(tuple(path))
    found = {c: (k if k is not None and len(named[k]) == 1 else None) for c, k in at.items()}
    if code == "s3" and ocr:
        _last_part(found, cells, paths)
    return found


def _stacked(code: str, path: list[tuple[int, int, int, str]]) -> bool:
    """Cells of one column's header path, in different rows, naming two different columns."""
    leaves: dict[str, int] = {}
    for row, _s, _w, text in path:
        for w in words_in(code, text):
            if not w.startswith("@"):
                leaves.setdefault(w, row)
    return len(leaves) > 1 and len(set(leaves.values())) > 1


def _last_part(found: dict[int, str | None], cells, paths) -> None:
    """Section 三's 法人或其他组织 over exactly its five parts, four of them named below it and
    the fifth place's own header unread (OCR: nothing, or characters that name no column): that
    place is the one part not named — by the labels of the other four, not by the template's
    order. Only the group's label and its width decide; a word naming another column anywhere
    on that place's path, or the missing part named elsewhere, leaves it unproven. OCR grids
    only: in HTML a header cell left out shifts the ones after it, and the place left open
    is then not the unnamed part's."""
    groups = [cell for cell in cells if words_in("s3", cell[3]) == ("@orgs",)]
    if len(groups) != 1 or groups[0][2] != len(_S3_PARTS):
        return
    span = range(groups[0][1], groups[0][1] + groups[0][2])
    open_places = [c for c in span if found.get(c) is None]
    parts = {found[c] for c in span if found.get(c) is not None}
    missing = set(_S3_PARTS) - parts
    if len(open_places) != 1 or len(missing) != 1 or len(parts) != len(_S3_PARTS) - 1 or parts - set(_S3_PARTS):
        return
    place, part = open_places[0], missing.pop()
    words = words_in("s3", "".join(cell[3] for cell in paths.get(place, ())))
    if part in found.values() or any(not w.startswith("@") for w in words):
        return
    found[place] = part


def _key(code: str, words: tuple[str, ...]) -> str | None:
    """The one column a header path names (its groups and its leaf), else None."""
    leaves = [w for w in words if not w.startswith("@")]
    if len(set(leaves)) != 1:
        return None
    leaf = leaves[0]
    if code != "s4":
        return leaf
    bodies = {w for w in words if w in _S4_BODIES}
    if len(bodies) > 1:
        return None
    if bodies:
        return f"{bodies.pop()[1:]}.{leaf}"
    return None if "@suit" in words else f".{leaf}"


# ----------------------------------------------------------------- text
def from_lines(code: str, cells: Sequence[tuple[int, int, str]]) -> ColumnMap | None:
    """Header cells (line, index in the line, bare text) of tab or ``|`` rows, where empty
    cells keep their places: the column order is the order of the column words' places."""
    if any(_OTHER_UNIT in words_in(code, text) for _l, _i, text in cells):
        return _UNNAMED
    by_place: dict[int, list[str]] = {}
    for _line, index, text in sorted(cells):
        if text:
            by_place.setdefault(index, []).append(text)
    placed: list[tuple[int, str]] = []
    for index, texts in sorted(by_place.items()):
        leaves = [w for w in words_in(code, "".join(texts)) if not w.startswith("@")]
        if len(leaves) > 1:
            return _NONE  # two column words at one place
        if leaves:
            placed.append((index, leaves[0]))
    if not placed:
        return None
    if code == "s4":
        return None  # bodies and results both span: the order alone proves nothing
    words = [w for _, w in placed]
    if len(set(words)) != len(words):
        return _NONE
    # the places too: a row's empty cells keep their places, so a value's place names its column
    found = ColumnMap(order=tuple(words), code=code, cells=tuple((ln, i, 1, t) for ln, i, t in cells if t))
    return found if complete(code, found) else _NONE  # an unnamed place would shift the rest


_NONE = ColumnMap()
#: a header naming an amount in another unit than 万元: one column no label names, so the
#: table's cells are left out (a one-column table is otherwise read without its header)
_UNNAMED = ColumnMap(order=(None,))


def complete(code: str, cmap: ColumnMap | None) -> bool:
    """The map names every column of the table in some edition."""
    if cmap is None or not cmap.order:
        return False
    if code in _EDITION_COLUMNS:
        return set(cmap.order) in _EDITION_COLUMNS[code]
    if code == "s3":
        return set(cmap.order) == {"natural", *_S3_PARTS, "total"} and len(cmap.order) == 7
    return None not in cmap.order


def from_sequence(code: str, texts: Sequence[str]) -> ColumnMap | None:
    """Header texts in reading order, no positions (one cell per line, run-together rows)."""
    words = list(words_in(code, "".join(texts)))
    if not words:
        return None
    if _OTHER_UNIT in words:
        return _UNNAMED
    order: tuple[str | None, ...] | None
    if code == "s3":
        order = _s3_order(words)
        if order is None:
            order = _s3_order(_rejoined(texts)) or _s3_one_line(texts)
    elif code == "s4":
        order = _s4_order(words) or _s4_rejoined(texts)
    else:
        joined = "".join(texts)
        if (at := joined.find("信息内容")) > 0 and words_in(code, joined[:at]):
            # a column word before the label column's header: the header is wrapped over
            # lines (OCR, tall cells) and its reading order is not its column order
            return _NONE
        # the words alone must name a whole edition's columns: a column whose header is
        # not a word (cut, blank) would be invisible and shift the others
        whole: tuple[str | None, ...] | None = tuple(words) if len(set(words)) == len(words) else None
        if whole is None or set(whole) not in _EDITION_COLUMNS[code]:
            whole = _s2_cells(code, texts)
        order = whole
    return ColumnMap(order=order) if order else _NONE


def _s2_cells(code: str, texts: Sequence[str]) -> tuple[str | None, ...] | None:
    """Header cells after 信息内容, one column each: a cell naming no column (``本年新``, cut)
    leaves its column unproven (None) while the others are read."""
    starts = [i for i, t in enumerate(texts) if t == "信息内容"]
    if not starts:
        return None
    cells = [t for t in texts[starts[-1] + 1 :] if t]
    found = [words_in(code, t) for t in cells]
    if not cells or any(len(f) > 1 for f in found) or not any(found):
        return None
    order = [f[0] if f else None for f in found]
    named = [k for k in order if k]
    if len(named) != len(set(named)):
        return None
    return tuple(order)


def _s3_order(words: list[str]) -> tuple[str, ...] | None:
    """申请人情况 over 自然人 / 法人或其他组织 / 总计 over the five parts, read row by row.

    ``申请人情况 总计 自然人 法人…`` is the template (总计 beside 申请人情况, spanning its rows)
    or a 申请人情况 spanning 总计 too with 总计 first: not provable without positions.
    """
    if "@applicants" in words:
        i = words.index("@applicants")
        if i + 1 < len(words) and words[i + 1] == "total":
            return None
        words = [w for w in words if w != "@applicants"]
    parts = [w for w in words if w in _S3_PARTS]
    if len(parts) != len(set(parts)) or words.count("natural") != 1 or words.count("total") != 1:
        return None
    orgs = words.count("@orgs")
    if orgs == 0:
        tops = [i for i, w in enumerate(words) if w in ("natural", "total")]
        subs = [i for i, w in enumerate(words) if w in _S3_PARTS]
        if not subs or min(subs) > max(tops) or max(subs) < min(tops):
            return None  # one level above the other: a lost group label, order unknown
        return tuple(words) if len(parts) == 5 else None
    if orgs > 1 or len(parts) != 5:
        return None
    first = next(i for i, w in enumerate(words) if w in _S3_PARTS)
    top, below = words[:first], words[first:]
    if any(w not in _S3_PARTS for w in below) or "@orgs" not in top:
        return None
    out: list[str] = []
    for w in top:
        out.extend(below if w == "@orgs" else [w])
    return tuple(out)


_S3_LABELS = {"商业企业": "commercial", "科研机构": "research", "社会公益组织": "nonprofit",
              "法律服务机构": "legal", "其他": "other"}  # fmt: skip


def _rejoined(texts: Sequence[str]) -> list[str]:
    """Section 三's words with the part labels broken over two header rows put back together
    (``商业 科研 社会 法律 其他`` / ``企业 机构 公益组织 服务机构``): the first row's pieces, in
    order, each completed by the next pieces of the second; only a unique way counts."""
    first = len(texts)
    while first > 0 and (not texts[first - 1] or any(texts[first - 1] in lab for lab in _S3_LABELS)):
        first -= 1
    words = list(words_in("s3", "".join(texts[:first])))
    pieces = [t for t in texts[first:] if t]
    if not 5 < len(pieces) <= 15:
        return []
    found_ways = []
    for k in range(1, len(pieces)):
        parts = _pair(pieces[:k], pieces[k:])
        if parts is not None:
            found_ways.append(parts)
    return words + found_ways[0] if len(found_ways) == 1 else []


_S3_LEAF_PIECE = re.compile("自然人|商业企业|科研机构|社会公益组织|法律服务机构|其他|总计|合计|商业|科研|社会|法律")
_S3_LEAF = {"自然人": "natural", "总计": "total", "合计": "total", **_S3_LABELS}


def _s3_one_line(texts: Sequence[str]) -> tuple[str, ...] | None:
    """Section 三's seven column labels on one printed line (one text): their order there is
    the column order, wherever 法人或其他组织 is printed. Part labels cut short on that line
    (``商业``) are completed, in order, by the whole next text (``企业机构公益组织服务机构``)."""
    for i, t in enumerate(texts):
        pieces = _S3_LEAF_PIECE.findall(t)
        if len(pieces) != 7 or "".join(pieces) not in t:
            continue
        cut = [p for p in pieces if p not in _S3_LEAF]
        if cut:
            rest = texts[i + 1] if i + 1 < len(texts) else ""
            ends = []
            for p in cut:
                full = [lab for lab in _S3_LABELS if lab.startswith(p)]
                if len(full) != 1:
                    return None
                ends.append(full[0])
            if "".join(e[len(p) :] for p, e in zip(cut, ends, strict=True)) != rest:
                continue
            done = iter(ends)
            pieces = [p if p in _S3_LEAF else next(done) for p in pieces]
        order = tuple(_S3_LEAF[p] for p in pieces)
        if len(set(order)) == 7:
            return order
    return None


def _pair(tops: list[str], rest: list[str]) -> list[str] | None:
    out: list[str] = []
    j = 0
    for top in tops:
        acc = top
        while acc not in _S3_LABELS and j < len(rest) and any(lab.startswith(acc) for lab in _S3_LABELS):
            acc += rest[j]
            j += 1
        if acc not in _S3_LABELS:
            return None
        out.append(_S3_LABELS[acc])
    return out if j == len(rest) and len(set(out)) == len(out) == 5 else None


def _s4_order(words: list[str]) -> tuple[str, ...] | None:
    """Bodies over results, read row by row (breadth first), one table or one per body; or one
    results row over rows labelled by body (a 3 × 5 grid)."""
    if len(words) >= 5 and all(w in _S4_LEAVES for w in words[:5]) and len(set(words[:5])) == 5:
        bodies = [w for w in words[5:] if w != "@suit"]
        if sorted(bodies) == sorted(_S4_BODIES) and len(words) - 5 <= 6:
            return tuple(f"{b[1:]}.{leaf}" for b in bodies for leaf in words[:5])
        return None
    if any(words.count(b) > 1 for b in ("@review", "@suit", *_S4_BODIES)):
        return None  # a body's header cut into pieces: how many results under each is not read
    out: list[str] = []
    i = 0
    while i < len(words):
        queue: list[str] = []
        while i < len(words) and words[i] in ("@review", "@suit"):
            queue.append(words[i])
            i += 1
        if not queue:
            return None
        while queue:
            group = queue.pop(0)
            taken: list[str] = []
            if group == "@suit":
                while i < len(words) and words[i] in ("@suit_direct", "@suit_after_review") and words[i] not in taken:
                    taken.append(words[i])
                    i += 1
                if not taken:
                    return None
                queue.extend(taken)
                continue
            while i < len(words) and words[i] in _S4_LEAVES and words[i] not in taken:
                taken.append(words[i])
                i += 1
            if sorted(taken) != sorted(_S4_LEAVES):
                return None
            out.extend(f"{group[1:]}.{leaf}" for leaf in taken)
    if len(out) != 15 or len(set(out)) != 15:
        return None
    return tuple(out)


#: section 四's result labels printed over two header rows (``结果`` / ``维持``): the first
#: row's halves and the second's
_S4_TOPS = {"结果": ("维持", "纠正"), "其他": ("结果",), "尚未": ("审结",)}
_S4_HALVES = frozenset({*_S4_TOPS, "维持", "纠正", "审结"})
_S4_ENDS = frozenset({"维持", "纠正", "结果", "审结"})
#: whole labels a hard line break may cut into pieces (``行政`` / ``复议``)
_S4_LABELS = frozenset({"行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉", "结果维持", "结果纠正",
                        "其他结果", "尚未审结", "总计"})  # fmt: skip
_S4_PIECE = re.compile("未经复议直接起诉|复议后起诉|行政复议|行政诉讼|直接起诉|结果维持|结果纠正|其他结果|尚未审结"
                       "|结果|其他|尚未|维持|纠正|审结|总计|合计")


def _s4_rejoined(texts: Sequence[str]) -> tuple[str, ...] | None:
    """Section 四's order where its labels are broken: a label cut by a line break into
    adjacent pieces (``行政``/``复议``), or result labels printed over two header rows — each
    second-row half completes the oldest open first-row half (columns keep their order left
    to right) or is a whole label itself (``维持``). Only a unique valid reading counts."""
    items: list[str] = []
    for t in texts:
        pieces = _S4_PIECE.findall(t)
        if len(pieces) > 1 and "".join(pieces) == t:  # labels run together, halves too
            items.extend(pieces)
        elif t and (t in _S4_HALVES or words_in("s4", t) or len(t) <= 4):
            items.append(t)
    orders: set[tuple[str, ...]] = set()
    budget = [40000]
    ends_after = [0] * (len(items) + 1)
    for i in range(len(items) - 1, -1, -1):
        ends_after[i] = ends_after[i + 1] + (items[i] in _S4_ENDS)

    def walk(i: int, queue: tuple[tuple[str, int], ...], words: tuple[str, ...], last: int = -1) -> None:
        """``last``: the slot a second-row half just completed (a whole label printed on
        the second row — a tall cell's text on its middle line — stands right of it)."""
        budget[0] -= 1
        if budget[0] < 0 or len(orders) > 1 or len(queue) > ends_after[i]:
            return
        if i == len(items):
            if not queue and (order := _s4_order(list(words))):
                orders.add(order)
            return
        item = items[i]
        for k in (2, 3):  # a label cut into adjacent pieces
            if i + k <= len(items) and (joined := "".join(items[i : i + k])) in _S4_LABELS:
                walk(i + k, queue, (*words, *words_in("s4", joined)))
        if item not in _S4_HALVES:
            found = words_in("s4", item)
            walk(i + 1, queue, (*words, *found))
            if last >= 0 and len(found) == 1 and not found[0].startswith("@"):
                shifted = tuple((top, at + (at > last)) for top, at in queue)
                walk(i + 1, shifted, (*words[: last + 1], *found, *words[last + 1 :]))
            return
        if queue and item in _S4_TOPS[queue[0][0]]:  # completes the oldest open half, in its place
            top, at = queue[0]
            walk(i + 1, queue[1:], (*words[:at], *words_in("s4", top + item), *words[at + 1 :]), at)
        if item in _S4_TOPS:  # opens a label
            walk(i + 1, (*queue, (item, len(words))), (*words, "?"))
        if item in ("维持", "纠正") and all(top != "结果" for top, _ in queue):  # a whole label
            walk(i + 1, queue, (*words, *words_in("s4", item)))

    walk(0, (), ())
    return orders.pop() if len(orders) == 1 and budget[0] >= 0 else None


def cut_bodies(texts: Sequence[str]) -> bool:
    """Section 四's header names a body more than once (its columns moved apart)."""
    words = words_in("s4", "".join(texts))
    return any(words.count(b) > 1 for b in ("@review", *_S4_BODIES)) or words.count("@suit") > 2
