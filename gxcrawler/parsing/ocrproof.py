"""Numbers read by OCR, proven by the identities or left out.

The OCR reader writes a number into the grid only when every character is sure; a doubtful
cell stands as the unread mark with its readings (``ExtractedDocument.ocr``). Here:

1. Which key each number cell became: one parse of the grid with every number cell
   replaced by a unique tag (the aligner places cells by labels and position, not value).
2. The doubtful cells of an identity (all its other cells read) are settled only when
   exactly one combination of their readings (``0``/``6``/``8`` …) satisfies it and every
   other identity they take part in that can be evaluated. Otherwise they stay out, named
   in ``warnings``. Why this proves: the printed number is among a doubtful cell's readings
   (measured: docs/notes/ocr.md), so the printed combination always passes; when it is the
   only one that does, it is the one chosen. A cell whose readings may miss the printed
   number (nothing read, a point that may be a comma) has none or says so.
3. An identity that fails on OCR'd numbers although one close reading of one of its cells
   would pass it (the printed report probably passes): the cells with close readings are
   left out, named in ``warnings``. An identity no single close reading repairs is kept as
   failing: the printed report fails it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from ..checks import evaluate, identities
from ..model import ExtractedDocument, OcrCell, ParseResult
from .tokens import UNREAD

_TAG_BASE = 7_100_000
#: readings tried together for the doubtful cells of one identity, at most
MAX_COMBINATIONS = 256
_LEFT_OUT = f"malformed number {UNREAD!r} left out"


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


def _with(doc: ExtractedDocument, cells: dict[tuple[int, int, int], str]) -> ExtractedDocument:
    tables = [[list(row) for row in t] for t in doc.tables]
    for (t, r, c), text in cells.items():
        tables[t][r][c] = text
    return replace(doc, tables=tables)


def key_cells(doc: ExtractedDocument, parse: Callable[[ExtractedDocument], ParseResult]) -> dict[str, tuple]:
    """key -> (table, row, column) of the number cell the aligner put there."""
    assert doc.ocr is not None
    tags = {pos: str(_TAG_BASE + i) for i, pos in enumerate(sorted(doc.ocr))}
    tagged = parse(_with(doc, tags))
    by_tag = {Decimal(v): pos for pos, v in tags.items()}
    return {k: by_tag[v] for k, v in tagged.values.items() if v in by_tag}


def _rules_of(edition: str, keys) -> set[str]:
    return {i.rule for i in identities(edition) if any(k in i.left or k in i.right for k in keys)}


def _all_pass(values: dict, blank: list[str], edition: str, trial: dict[str, str]) -> bool:
    """Every identity that the trial readings take part in and that can be evaluated passes."""
    rules = _rules_of(edition, trial)
    merged = {**values, **{k: _number(v) for k, v in trial.items()}}
    checks = [c for c in evaluate(merged, blank, edition) if c.rule in rules]
    return bool(checks) and all(c.ok for c in checks)


def settle(doc: ExtractedDocument, parse: Callable[[ExtractedDocument], ParseResult]) -> ParseResult:
    """Parse an OCR'd document, settling or leaving out its doubtful numbers (see the module doc)."""
    result = parse(doc)
    if not doc.ocr or not result.values:
        result.ocr = {k: "read" for k in result.values}
        return _tidy(result)
    edition = result.edition or "2019"
    where = key_cells(doc, parse)
    info: dict[str, OcrCell] = {k: doc.ocr[pos] for k, pos in where.items()}
    values = dict(result.values)
    blank = list(result.blank)
    chosen: dict[tuple, str] = {}
    notes: list[str] = []
    doubtful = {
        k for k, pos in where.items() if doc.tables[pos[0]][pos[1]][pos[2]] == UNREAD and k not in values
    }
    readings = {
        k: [r for r in dict.fromkeys((info[k].text, *info[k].alternatives)) if _number(r) is not None]
        for k in doubtful
    }
    changed = True
    while changed and doubtful:
        changed = False
        for ident in identities(edition):
            keys = [k for k in (*ident.left, *ident.right) if k in doubtful]
            if not keys or any(k not in values and k not in blank and k not in doubtful for k in (*ident.left, *ident.right)):
                continue  # nothing doubtful here, or a cell not read at all: the identity proves nothing
            combos = list(itertools.product(*(readings[k] for k in keys)))
            if not combos or len(combos) > MAX_COMBINATIONS:
                continue
            passing = [c for c in combos if _all_pass(values, blank, edition, dict(zip(keys, c, strict=True)))]
            # a cell that takes one of its readings in every passing combination is proven, the
            # others not (0+0=0 and 6+0=6 leave both open); a cell with one reading only when
            # the combination is unique (its one reading may lack a digit the ink held)
            agreed = [
                (k, col[0])
                for k, *col in zip(keys, *passing, strict=True)
                if len(set(col)) == 1 and (len(passing) == 1 or len(readings[k]) > 1)
            ]
            if not agreed:
                continue  # none, or several readings satisfy the identities: nothing is proven
            for key, reading in agreed:
                values[key] = _number(reading)  # type: ignore[assignment]
                chosen[where[key]] = reading
                doubtful.discard(key)
                notes.append(
                    f"{key}: OCR reading {reading} chosen by the identities (readings: {', '.join(readings[key])})"
                )
            changed = True
    # identities failing where one close reading would pass them: leave their doubtful cells out
    dropped: dict[tuple, str] = {}
    for check in evaluate(values, blank, edition):
        if check.ok:
            continue
        ident = next(i for i in identities(edition) if i.rule == check.rule)
        keys = [k for k in (*ident.left, *ident.right) if k in values and k in info]
        suspects = [k for k in keys if info[k].alternatives]
        repairable = any(
            evaluate_one({**values, k: _number(alt)}, blank, edition, check.rule)
            for k in suspects
            for alt in info[k].alternatives
            if _number(alt) is not None
        )
        if repairable:
            for k in suspects:
                if where[k] not in dropped:
                    dropped[where[k]] = UNREAD
                    notes.append(f"{k}: OCR reading {values[k]} left out ({check.rule} fails; a close reading passes it)")
    for key in sorted(doubtful):
        notes.append(f"{key}: OCR reading doubtful ({info[key].text or '?'}), left out")
    final = parse(_with(doc, {**chosen, **dropped})) if chosen or dropped else result
    final = _tidy(final)
    final.warnings += notes
    settled = {k for k, pos in where.items() if pos in chosen}
    final.ocr = {k: "settled" if k in settled else "read" for k in final.values}
    return final


def evaluate_one(values: dict, blank: list[str], edition: str, rule: str) -> bool:
    return any(c.ok for c in evaluate(values, blank, edition) if c.rule == rule)


def _tidy(result: ParseResult) -> ParseResult:
    """The aligner's note on an unread mark says nothing to a reader; the OCR notes say it."""
    result.warnings = [w for w in result.warnings if not w.endswith(_LEFT_OUT)]
    return result
