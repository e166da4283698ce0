"""Text that reads a table column by column, rebuilt as rows where its labels prove the grid.

Flipbook text layers and pdftotext on narrow columns give a table one column after the
other: the row-label column(s) first (one label a line, long labels broken by hard line
breaks), then each value column as its header text followed by its values top to bottom,
with page furniture (``- 2 -``, ``第 2 页``) wherever a page ended. This module turns such a
table back into tab-separated rows (label, then one cell per column, under a header line
naming the columns), so the aligner's proof by labels reads it like any tab table.

The grid is rebuilt only where the labels prove it:

* the rows are the row labels, segmented into labels that each name a template row of the
  table (section 二), or, for section 三, nested by their enumerators (一、 / （一） / 1.) the
  way a column-by-column reading prints merged label cells: every level in order, a group
  taking the next level's entries (三、本年度办理结果 takes every （…） entry; each group of those
  one run of ``1.``-numbered items, whose labels must name rows of that group);
* a column is the header text read before a run of values, named by its **last** column word
  (a column whose only cell was empty left its header and nothing else);
* a column is read only when its run has **exactly** one value per row: an empty cell
  leaves no trace in such text, so a short run cannot be placed and is left out (its cells
  become unreadable marks, never blanks); the other columns are unaffected, since their
  runs are delimited by their own headers.

Text layers come page by page, so a table over a page end is read page by page: each page
is a column-by-column reading of its own rows (page furniture marks where one ends); a page
that repeats the header is read like the first, one that does not names no column for its
rows and is left out — also when its one run of values would fit the header of the page
before read as a row (a one-row page: label, value, value), since an empty cell leaves no trace.

Anything else — labels that do not segment one way, a group without its items, a header
naming no column or two columns named alike — is left out when it has the shape of a column
reading (every value run after a column word), else left as it was for the aligner.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ..catalog import S2_TABLES
from .columns import WORDS, words_in
from .labels import caption, heading, match_row, rows_named, strip_enumerator
from .normalize import bare, fold
from .numbers import Kind, read_number
from .tokens import UNREAD, is_furniture

_LEVEL0 = re.compile(r"^[一二三四五六七八九十]+[、,，.．]")
_LEVEL1 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
_LEVEL2 = re.compile(r"^[0-9０-９]{1,2}\s*[.．、]")
_PROSE = 60  # a longer line is a sentence, not a cell
_SPACE = re.compile(r"\s")
_TOTAL = ("总计", "合计")
#: section 三's label groups: a group label (bare) -> the row-key prefix its items must have
_S3_GROUPS = {"不予公开": "denied", "无法提供": "unavailable", "不予处理": "rejected", "其他处理": "other"}
_S4_BODIES = ("review", "suit_direct", "suit_after_review")
_HEADED = ("s3", *(t.code for t in S2_TABLES))
_S2_ANY = "s2?"  # a 第二十条 caption whose item number is cut off
_S2_CODES = tuple(t.code for t in S2_TABLES)
_S3_COLUMNS = ("natural", "commercial", "research", "nonprofit", "legal", "other", "total")


def rebuild(lines: Sequence[str], notes: list[str] | None = None) -> list[str]:
    """``lines`` with every table read column by column that its labels prove rewritten as
    tab rows; all other lines unchanged. What was left out is said in ``notes``."""
    if not _column_headed(lines):
        return list(lines)
    first = _rebuild(lines, None, headless=False)
    if first == list(lines):
        return first
    # some table's labels prove a column reading: only now is a page that names no column left out
    # (the same lines in a row-by-row reading are a row under the header of the page before)
    return _rebuild(lines, notes, headless=True)


def _rebuild(lines: Sequence[str], notes: list[str] | None, *, headless: bool) -> list[str]:
    marks = [_mark(ln) for ln in lines]
    for k in range(len(lines) - 1):  # a caption broken over two lines: 第二十条第（ / 一）项
        if marks[k] == _S2_ANY and not marks[k + 1]:
            joined = _mark(lines[k].strip() + lines[k + 1].strip())
            if joined.startswith("s2."):
                marks[k + 1] = joined  # the first half stays a mark: the table above ends there
    out: list[str] = []
    i, n = 0, len(lines)
    changed = False
    while i < n:
        code = marks[i]
        out.append(lines[i])
        i += 1
        if not code or code == "-":
            continue
        j = i
        while j < n and not marks[j] and len(lines[j].strip()) <= _PROSE:
            j += 1
        cells = [ln.strip() for ln in lines[i:j] if ln.strip()]
        if code == _S2_ANY:  # a caption without its item number: the table whose rows the labels name
            found = [c for c in _S2_CODES if any("\t" in x for x in _paged(c, cells, None, False) or ())]
            rows = _paged(found[0], cells, notes, headless) if len(found) == 1 else None
        else:
            rows = _paged(code, cells, notes, headless)
        if rows is not None:
            out.extend(rows)
            changed = True
            i = j
    return out if changed else list(lines)


def _column_headed(lines: Sequence[str]) -> bool:
    """Some value line follows a column header (not a row label): the sign of a column reading,
    checked first so that other text costs one cached test a line."""
    prev, prev_number = "", True
    for line in lines:
        if not line or line.isspace():
            continue
        s = line.strip()
        number = _number(s)
        if number and not prev_number and len(prev) < 20 and not _enumerated(prev):
            words = [w for code in _HEADED for w in words_in(code, bare(prev))]
            if any(w not in ("other", "total") and not w.startswith("@") for w in words) and match_row(prev) is None:
                return True  # 其他 / 总计 are row labels too
        prev, prev_number = s, number
    return False


def _paged(code: str, cells: list[str], notes: list[str] | None, headless: bool) -> list[str] | None:
    """A table's lines cut at its page ends: text layers come page by page, so each page's
    rows are a column-by-column reading of their own. A page that repeats the header is read
    like the first; a page read column by column whose header does not name its columns (the
    header on the page before) is left out, and with ``headless`` (the document proven a column
    reading) so is a page of label(s) and one run of values after a page end inside the table.
    None: no page of it is a column-by-column reading."""
    parts: list[list[str]] = [[]]
    for c in cells:
        if is_furniture(c):
            parts.append([])
        else:
            parts[-1].append(c)
    out: list[str] = []
    claimed = lost = 0
    seen = cut = False
    for part in parts:
        if not any(_number(c) for c in part):
            cut = cut or bool(part)
            continue  # text only: header rows before a page end (a rebuilt page carries its own)
        rows = _table(code, part, continued=seen)
        if rows is not None:
            claimed += 1
            out += ["", *rows, ""]
        elif _shaped(code, part) or (headless and (seen or cut) and _headless(code, part)):
            claimed += 1
            lost += 1
        else:
            out += part
        seen = cut = True
    if not claimed:
        return None  # not a column reading: every line left as it was
    if lost and notes is not None:
        notes.append(f"{code}: {lost} page(s) of a table read column by column do not name their columns; left out")
    return out


def _headless(code: str, cells: list[str]) -> bool:
    """A page continuing a table read column by column whose labels did not prove its grid: its
    row labels (and maybe column headers), then one run of values. Read as rows it may fit (a
    one-row page prints label, value, value either way; 总计 closes the header and opens a row),
    but an empty cell leaves no trace, so nothing here proves which column a value is in."""
    if code == "s4" or any("\t" in c or "|" in c or "  " in c for c in cells):
        return False  # section 四 has no label column (its reader leaves out what is unnamed); rows
    found = _runs(cells)
    return found is not None and len(found[1]) == 1


def _shaped(code: str, cells: list[str]) -> bool:
    """Cells in the shape of a column-by-column reading: every run of values after a header
    that names a column (a row-by-row reading has row labels there)."""
    if any("\t" in c or "|" in c or "  " in c for c in cells):
        return False  # cells side by side: rows, not a column reading
    found = _runs(cells)
    family = "s3" if code == "s3" else code
    return (
        found is not None
        and len(found[1]) >= (3 if code == "s3" else 2)
        and all(_column(family, h) and not any(map(_enumerated, h)) for h, _v in found[1][1:])
    )


def _mark(line: str) -> str:
    """The table a caption or heading line opens (``s2.art20_1``, ``s3``, ``s4``; ``s2?`` for a
    caption whose number is cut off), ``-`` for any other heading (a table ends there), else ``""``."""
    s = line.strip()
    if not s or len(s) > 80:
        return ""
    h = heading(s)
    if h:
        return h if h in ("s3", "s4") else "-"
    c = caption(s)
    return c or (_S2_ANY if c == "" else "")


@lru_cache(maxsize=8192)
def _number(text: str) -> bool:
    """A value cell: a number, a blank mark, or a malformed number (``--317``: a cell all the same)."""
    if len(text) > 24 or _SPACE.search(text):
        return False  # several cells on a line (or a sentence): a row, not a column reading
    return read_number(text).kind in (Kind.VALUE, Kind.BLANK, Kind.MALFORMED)


def _runs(cells: list[str]) -> tuple[list[str], list[tuple[list[str], list[str]]]] | None:
    """(text before the first value, [(header texts, values)]) of one table's cells."""
    first = next((k for k, c in enumerate(cells) if _number(c)), None)
    if first is None:
        return None
    runs: list[tuple[list[str], list[str]]] = []
    head: list[str] = []
    k = first
    while k < len(cells):
        if _number(cells[k]):
            values = []
            while k < len(cells) and _number(cells[k]):
                values.append(cells[k])
                k += 1
            runs.append((head, values))
            head = []
        else:
            head.append(cells[k])
            k += 1
    if head:
        return None  # text after the last values: not one table
    return cells[:first], runs


def _header_split(code: str, before: list[str]) -> tuple[list[str], list[str]]:
    """The text before the first values: the label column(s), then the first column's header —
    the shortest tail naming a column (a broken header joined: 社会公益组 / 织), with the group
    labels printed above it (申请人情况, 法人或其他组织)."""
    k = len(before) - 1
    while k >= 0 and not _leaves(code, before[k:]):
        if _enumerated(before[k]):
            return before, []  # a row label (（六）其他处理) before any column word: no header here
        k -= 1
    if k < 0 or _enumerated(before[k]):
        return before, []
    while k > 0 and _group_only(code, before[k - 1]):
        k -= 1
    return before[:k], before[k:]


def _enumerated(text: str) -> bool:
    f = fold(text)
    return bool(_LEVEL0.match(f) or _LEVEL1.match(f) or _LEVEL2.match(f))


def _group_only(code: str, text: str) -> bool:
    words = words_in(code, bare(text))
    return bool(words) and all(w.startswith("@") for w in words)


def _leaves(code: str, texts: Sequence[str]) -> int:
    return sum(1 for w in words_in(code, bare("".join(texts))) if not w.startswith("@"))


def _column(code: str, texts: Sequence[str]) -> str | None:
    """The column a run's header names: its last column word (earlier ones lost their cells)."""
    leaves = [w for w in words_in(code, bare("".join(texts))) if not w.startswith("@")]
    return leaves[-1] if leaves else None


def _table(code: str, cells: list[str], *, continued: bool = False) -> list[str] | None:
    if len(cells) < 3 or code == "-":
        return None
    if code == "s4":
        return _s4(cells)
    family = "s3" if code == "s3" else code
    found = _runs(cells)
    if found is None:
        return None
    before, runs = found
    labels_part, first_head = _header_split(family, before)
    runs[0] = (first_head + runs[0][0], runs[0][1])
    rows = _s3_rows(labels_part, continued) if code == "s3" else _s2_rows(code, labels_part)
    if not rows:
        return None
    columns: list[tuple[str, str, list[str] | None]] = []  # (key, header text, values or None)
    for n, (head, values) in enumerate(runs):
        key = _column(family, head)
        if key is None and n == 0 and code == "s3":
            continue  # the first column's header on the page before (cut inside the header): left out
        if key is None:
            return None  # values under a header that names no column
        columns.append((key, "".join(head), values if len(values) == len(rows) else None))
    keys = [c[0] for c in columns]
    if not columns or len(set(keys)) != len(keys) or all(v is None for _k, _h, v in columns):
        return None
    if code == "s3":  # columns named on no page here: their places unknown, their cells unread
        columns += [(k, "", None) for k in _S3_COLUMNS if k not in keys]
    lead = "信息内容" if code != "s3" else ""
    out = ["\t".join([lead, *(_header_text(family, k, h) for k, h, _v in columns)])]
    for r, label in enumerate(rows):
        out.append("\t".join([label, *((v[r] if v is not None else UNREAD) for _k, _h, v in columns)]))
    return out


def _header_text(code: str, key: str, printed: str) -> str:
    """A column's header as one cell: the printed text when it names only that column."""
    words = [w for w in words_in(code, bare(printed)) if not w.startswith("@")]
    if words == [key]:
        return printed
    return next((word for word, k in WORDS[code] if k == key), printed)


# ---------------------------------------------------------------- row labels
def _s2_rows(code: str, texts: list[str]) -> list[str] | None:
    """Section 二's label column: 信息内容, then labels (maybe broken over lines) that each name a
    row of this table (or a known extra row); only one way to cut the lines may fit."""
    heads = [k for k, t in enumerate(texts) if bare(t) == "信息内容"]
    if heads:  # the label column starts under its header (a caption's tail, 项, may precede it)
        texts = texts[heads[-1] + 1 :]
    if not texts or len(texts) > 24:
        return None
    ways: list[list[str]] = []

    def walk(k: int, acc: list[str]) -> None:
        if len(ways) > 1:
            return
        if k == len(texts):
            ways.append(list(acc))
            return
        for e in range(k + 1, min(len(texts), k + 4) + 1):
            label = "".join(texts[k:e])
            m = match_row(label)
            if m is None or not (m.table == code or m.extra) or m.how != "keyword" or not _one_row(label):
                continue
            if e - k > 1 and sum(match_row(t) is not None for t in texts[k:e]) > 1:
                continue  # two pieces that are labels of their own: two labels, not one broken
            walk(e, [*acc, label])

    walk(0, [])
    if len(ways) != 1:
        return None
    named = [match_row(x).row for x in ways[0]]  # type: ignore[union-attr]
    return ways[0] if len(set(named)) == len(named) else None


def _one_row(label: str) -> bool:
    """The label names one row only (``规章`` and ``规范性文件`` joined name two: two labels)."""
    return len(rows_named(bare(label))) == 1


def _entries(texts: list[str]) -> list[tuple[int, str]] | None:
    """Label lines joined into entries, each starting at its enumerator: (level, text)."""
    out: list[tuple[int, str]] = []
    for t in texts:
        f = fold(t)
        level = 0 if _LEVEL0.match(f) else 1 if _LEVEL1.match(f) else 2 if _LEVEL2.match(f) else -1
        if level >= 0:
            out.append((level, t))
        elif out:
            out[-1] = (out[-1][0], out[-1][1] + t)
        # lines before the first enumerator: the corner note (勾稽关系), read past
    return out or None


def _rest(text: str) -> str:
    return bare(strip_enumerator(fold(text))[1])


def _s3_rows(texts: list[str], continued: bool = False) -> list[str] | None:
    """Section 三's outcome rows in printed order, from its label columns read one after the other.

    On a page continuing the table (``continued``), the first items may belong to a group
    whose label was printed on the page before (numbered from 6., say): they come first, and
    the （…） entries belong to 三、本年度办理结果 of that page when this page prints none.
    """
    entries = _entries(texts)
    if entries is None or [lv for lv, _ in entries] != sorted(lv for lv, _ in entries):
        return None  # not level by level: not a column-by-column reading
    levels = [[t for lv, t in entries if lv == k] for k in range(3)]
    top_groups = [t for t in levels[0] if match_row(t) is None]
    orphans: list[str] = []
    items: list[list[str]] = []  # level 2 in runs, each numbered from 1
    for t in levels[2]:
        num = re.match(r"[0-9]+", fold(t))
        if num and num.group(0) == "1":
            items.append([])
        (items[-1] if items else orphans).append(t)
    if len(top_groups) > 1 or (top_groups or not continued) and orphans:
        return None
    if levels[1] and not top_groups and not continued:
        return None  # （…） entries with no 三、 to belong to
    firm = [t for t in levels[1] if _rest(t) in _S3_GROUPS and _rest(t) != "其他处理"]
    other = [t for t in levels[1] if _rest(t) == "其他处理"]
    if len(items) == len(firm):
        groups = firm
    elif len(items) == len(firm) + 1 and len(other) == 1:
        groups = [t for t in levels[1] if t in firm or t in other]
    else:
        return None
    runs = dict(zip(groups, items, strict=True))
    middle: list[str] = []  # the rows of 三、本年度办理结果 on this page
    for e in levels[1]:
        if e not in runs:
            middle.append(e)
            continue
        if not _belong(_S3_GROUPS[_rest(e)], runs[e]):
            return None
        middle += runs[e]
    if orphans:
        prefixes = {(_s3_key(t) or "").split(".")[0] for t in orphans}
        if len(prefixes) != 1 or not _belong(prefixes.pop(), orphans):
            return None
    rows = list(orphans)
    if not top_groups:
        rows += middle
    for t in levels[0]:
        rows += middle if t in top_groups else [t]
    named = [_s3_key(r) for r in rows]
    if not rows or None in named or len(set(named)) != len(named):
        return None
    return rows


def _belong(prefix: str, items: list[str]) -> bool:
    """Every item names a row of its group (不予公开's items are denied.*, and so on)."""
    for item in items:
        m = match_row(item)
        if m is not None and m.table == "s3" and m.row.startswith(prefix + "."):
            continue
        if prefix == "other" and _rest(item) == "其他":
            continue
        return False
    return True


def _s3_key(label: str) -> str | None:
    if _rest(label) in _TOTAL:
        return "total"
    if _rest(label) == "其他":
        return "other.other"
    m = match_row(label)
    return m.row if m is not None and m.table == "s3" else None


# ---------------------------------------------------------------- section 四
def _s4(cells: list[str]) -> list[str] | None:
    """Section 四 read column by column: each column its header path and its one value; the
    body a column belongs to is the last body named (a merged body header prints once, at its
    first column). A body gets each result at most once (twice: a body header lost, the
    table left out); results before any body header (on the page before) are left out, and
    so are results a body did not get."""
    body: str | None = None
    got: dict[str, dict[str, str]] = {}
    head: list[str] = []
    for c in cells:
        if not _number(c):
            head.append(c)
            continue
        words = words_in("s4", bare("".join(head)))
        bodies = [w[1:] for w in words if w[1:] in _S4_BODIES]
        if bodies:
            body = bodies[-1]
        leaves = [w for w in words if not w.startswith("@")]
        if len(leaves) != 1:
            return None  # no result named, or several before one value: a row reading
        head = []
        if body is None:
            continue  # a result whose body header is on the page before: left out
        leaf = leaves[-1]
        if leaf in got.setdefault(body, {}):
            return None
        got[body][leaf] = c
    if head or sum(map(len, got.values())) < 5:
        return None
    names = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结", "total": "总计"}
    labels = {"review": "行政复议", "suit_direct": "行政诉讼(未经复议直接起诉)", "suit_after_review": "行政诉讼(复议后起诉)"}
    leaves = list(names)
    out = ["\t".join(["", *(names[k] for k in leaves)])]
    for b in _S4_BODIES:
        out.append("\t".join([labels[b], *(got.get(b, {}).get(k, UNREAD) for k in leaves)]))
    return out
