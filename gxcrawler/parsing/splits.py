"""Cells run together with no separator (``2000002`` for seven cells of one row).

Every way of cutting the digit runs into the expected number of cells is listed
(no leading zeros except a lone 0); the caller keeps the cuts the identities allow.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from .numbers import clean
from .tokens import Token

MAX_CANDIDATES = 20000


class TooMany(Exception):
    """More ways to cut than are worth checking: the row stays unread."""


def _cuts(digits: str, pieces: int) -> Iterator[tuple[str, ...]]:
    if pieces == 1:
        if digits and (digits == "0" or digits[0] != "0"):
            yield (digits,)
        return
    if digits[0] == "0":  # a piece starting with 0 is the lone 0
        for rest in _cuts(digits[1:], pieces - 1) if len(digits) > 1 else ():
            yield ("0", *rest)
        return
    for i in range(1, len(digits) - pieces + 2):
        for rest in _cuts(digits[i:], pieces - 1):
            yield (digits[:i], *rest)


def candidates(tokens: Sequence[Token], n: int) -> list[tuple[Decimal, ...]]:
    """All readings of ``tokens`` as exactly ``n`` cells; raises TooMany past the cap."""
    runs = [clean(t.text) if t.splittable else None for t in tokens]
    if sum(len(r) for r in runs if r) > 4 * n + 24:
        raise TooMany
    out: list[tuple[Decimal, ...]] = []

    def walk(i: int, left: int, acc: tuple[Decimal, ...]) -> None:
        if i == len(tokens):
            if left == 0:
                out.append(acc)
                if len(out) > MAX_CANDIDATES:
                    raise TooMany
            return
        rest_min = len(tokens) - i - 1
        run = runs[i]
        if run is None:
            tok = tokens[i]
            walk(i + 1, left - 1, (*acc, tok.value))  # type: ignore[arg-type]
            return
        max_pieces = min(len(run), left - rest_min)
        for p in range(1, max_pieces + 1):
            if p > 1 and len(run) == 1:
                break
            for cut in _cuts(run, p):
                walk(i + 1, left - p, acc + tuple(Decimal(c) for c in cut))

    walk(0, n, ())
    return out
