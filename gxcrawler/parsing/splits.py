"""Cells run together with no separator (``2000002`` for seven cells of one row).

Every way of cutting the digit runs into the expected number of cells is listed
(no leading zeros except a lone 0, at most ``MAX_DIGITS`` digits a cell); the caller keeps
the cuts the identities allow. The cuts are counted first (dynamic programming), so a run
with too many readings is given up at once and enumeration never walks a dead end.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from functools import cache

from .numbers import clean
from .tokens import Token

MAX_CANDIDATES = 4000
MAX_DIGITS = 12


class TooMany(Exception):
    """More ways to cut than are worth checking: the row stays unread."""


class _Run:
    """The valid cuts of one digit string, counted per number of pieces."""

    def __init__(self, digits: str) -> None:
        self.d = digits

    def _ends(self, i: int) -> range:
        """Ends of the valid pieces starting at i."""
        if self.d[i] == "0":
            return range(i + 1, i + 2)
        return range(i + 1, min(len(self.d), i + MAX_DIGITS) + 1)

    @cache  # noqa: B019 - one short-lived object per run
    def count(self, i: int, pieces: int) -> int:
        if i == len(self.d):
            return 1 if pieces == 0 else 0
        if pieces == 0 or len(self.d) - i < pieces:
            return 0
        return min(sum(self.count(j, pieces - 1) for j in self._ends(i)), MAX_CANDIDATES + 1)

    def cuts(self, i: int, pieces: int) -> Iterator[tuple[str, ...]]:
        if i == len(self.d):
            yield ()
            return
        for j in self._ends(i):
            if self.count(j, pieces - 1):
                for rest in self.cuts(j, pieces - 1):
                    yield (self.d[i:j], *rest)


def candidates(tokens: Sequence[Token], n: int) -> list[tuple[Decimal | None, ...]]:
    """All readings of ``tokens`` as exactly ``n`` cells; raises TooMany past the cap."""
    runs = [_Run(clean(t.text)) if t.splittable else None for t in tokens]
    if sum(len(r.d) for r in runs if r) > 4 * n + 24:
        raise TooMany

    @cache
    def ways(i: int, left: int) -> int:
        if i == len(tokens):
            return 1 if left == 0 else 0
        run = runs[i]
        if run is None:
            return ways(i + 1, left - 1) if left >= 1 else 0
        total = sum(run.count(0, p) * ways(i + 1, left - p) for p in range(1, left + 1))
        return min(total, MAX_CANDIDATES + 1)

    if ways(0, n) > MAX_CANDIDATES:
        raise TooMany
    out: list[tuple[Decimal | None, ...]] = []

    def walk(i: int, left: int, acc: tuple[Decimal | None, ...]) -> None:
        if i == len(tokens):
            out.append(acc)
            return
        run = runs[i]
        if run is None:
            walk(i + 1, left - 1, (*acc, tokens[i].value))
            return
        for p in range(1, left + 1):
            if run.count(0, p) and ways(i + 1, left - p):
                for cut in run.cuts(0, p):
                    walk(i + 1, left - p, acc + tuple(Decimal(c) for c in cut))

    walk(0, n, ())
    return out
