"""The identities (勾稽关系) of the spec, evaluated on a report's cells.

Rule names (stable; stored in the database and printed by ``gxcrawler parse``):

* ``s3.balance.{column}``   — new + carried_in = total + carried_out   (identity 1)
* ``s3.row_total.{row}``    — row total = sum of the six applicant columns (identity 2)
* ``s3.outcomes.{column}``  — total = sum of the outcome rows of the edition (identity 3)
* ``s4.total.{row}``        — total = upheld + corrected + other + pending (identity 4)

A blank cell (printed empty, ``-``, ``/`` or ``无``) counts as 0 here, but an identity
with a side whose cells are all blank is not evaluated: a blank is not a zero, and a
report that fills only 总计 says nothing about its applicant columns. A cell that was not read at all makes its identities
unknown, and they are left out rather than guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from operator import itemgetter

from .catalog import S3_COLUMNS, S3_OUTCOME_ROWS, S3_PARTS, S3_ROWS, S4_ROWS
from .model import Check

ZERO = Decimal(0)


@dataclass(frozen=True)
class Identity:
    rule: str
    left: tuple[str, ...]
    right: tuple[str, ...]


@cache  # built once per edition: evaluate() runs for every parsed report
def identities(edition: str) -> list[Identity]:
    """Every identity that applies to a report of ``edition`` (shared list: do not mutate)."""
    out: list[Identity] = []
    cols = [c.key for c in S3_COLUMNS]
    for c in cols:
        out.append(
            Identity(
                f"s3.balance.{c}",
                (f"s3.new.{c}", f"s3.carried_in.{c}"),
                (f"s3.total.{c}", f"s3.carried_out.{c}"),
            )
        )
    for row in S3_ROWS:
        if edition in row.editions:
            out.append(
                Identity(
                    f"s3.row_total.{row.key}",
                    (f"s3.{row.key}.total",),
                    tuple(f"s3.{row.key}.{p}" for p in S3_PARTS),
                )
            )
    for c in cols:
        out.append(
            Identity(
                f"s3.outcomes.{c}",
                (f"s3.total.{c}",),
                tuple(f"s3.{r}.{c}" for r in S3_OUTCOME_ROWS[edition]),
            )
        )
    for row in S4_ROWS:
        out.append(
            Identity(
                f"s4.total.{row.key}",
                (f"s4.{row.key}.total",),
                tuple(f"s4.{row.key}.{c}" for c in ("upheld", "corrected", "other", "pending")),
            )
        )
    return out


def _getter(keys: tuple[str, ...]) -> Callable[[Mapping[str, Decimal]], tuple[Decimal, ...]]:
    get = itemgetter(*keys)
    return get if len(keys) > 1 else lambda m: (get(m),)


@cache
def _compiled(
    edition: str,
) -> tuple[tuple[str, Callable, Callable, frozenset[str], frozenset[str], frozenset[str]], ...]:
    """(rule, left getter, right getter, all cells) per identity: evaluate() tests whole sets
    at once and fetches each side's cells in one C call."""
    return tuple(
        (
            i.rule,
            _getter(i.left),
            _getter(i.right),
            frozenset(i.left + i.right),
            frozenset(i.left),
            frozenset(i.right),
        )
        for i in identities(edition)
    )


def evaluate(
    values: Mapping[str, Decimal], blank: Iterable[str], edition: str | None
) -> list[Check]:
    """Evaluate every identity whose cells were all read (value or blank)."""
    if edition not in ("2019", "2021"):
        return []
    present = set(values)
    known = present.union(blank)
    cells_of = dict.fromkeys(known, ZERO)  # a blank cell counts as 0
    cells_of.update(values)
    checks: list[Check] = []
    for rule, left_of, right_of, cells, left_cells, right_cells in _compiled(edition):
        if not cells <= known:
            continue
        if left_cells.isdisjoint(present) or right_cells.isdisjoint(present):
            continue  # a side that is all blank says nothing (a table filled only in 总计)
        left = sum(left_of(cells_of), ZERO)
        right = sum(right_of(cells_of), ZERO)
        checks.append(Check(rule, left == right, left, right))
    return checks


# ---------------------------------------------------------------- across years
#: rule prefix of the checks that compare a report with the same agency's previous year
YEARS_PREFIX = "years."


@dataclass(frozen=True)
class YearIdentity:
    """``left`` = ``right``, each a signed sum of cells of the previous (``-1``) or this (``0``) year."""

    rule: str
    left: tuple[tuple[int, str, int], ...]  # (year offset, key, sign)
    right: tuple[tuple[int, str, int], ...]


def _year_identities() -> tuple[YearIdentity, ...]:
    out = [
        # what a report carried over into the next year is what the next year received
        YearIdentity(f"years.carried.{c.key}", ((-1, f"s3.carried_out.{c.key}", 1),), ((0, f"s3.carried_in.{c.key}", 1),))
        for c in S3_COLUMNS
    ]
    # 现行有效件数 rolls forward (2021 edition: 本年制发, 本年废止, 现行有效). The 2019
    # edition's columns (本年新制作, 本年新公开, 对外公开总数量) have no 废止 and count what was
    # published, not what is in force: a year of that edition has none of these keys, so
    # the roll-forward is not evaluated across it.
    for row in ("rules", "normative"):
        key = f"s2.art20_1.{row}"
        out.append(
            YearIdentity(
                f"years.in_force.{row}",
                ((0, f"{key}.in_force", 1),),
                ((-1, f"{key}.in_force", 1), (0, f"{key}.issued", 1), (0, f"{key}.repealed", -1)),
            )
        )
    return tuple(out)


YEAR_IDENTITIES: tuple[YearIdentity, ...] = _year_identities()
#: every cell a check across years reads
YEAR_KEYS: frozenset[str] = frozenset(k for i in YEAR_IDENTITIES for _, k, _ in i.left + i.right)


def across_years(
    previous: tuple[Mapping[str, Decimal], Iterable[str]],
    current: tuple[Mapping[str, Decimal], Iterable[str]],
) -> list[Check]:
    """The checks between an agency's report of year N−1 and its report of year N.

    Each side is (values, blank keys). As for :func:`evaluate`: a blank cell counts as 0,
    a cell not read (neither) leaves its check out, and so do cells that are all blank.
    """
    values = {-1: previous[0], 0: current[0]}
    known = {offset: set(cells).union(blank) for offset, (cells, blank) in ((-1, previous), (0, current))}
    checks: list[Check] = []
    for rule, terms, left_terms, right_terms in _YEAR_TERMS:
        for offset, key in terms:
            if key not in known[offset]:
                break
        else:
            for offset, key in terms:
                if key in values[offset]:
                    break
            else:
                continue
            left = right = ZERO
            for offset, key, sign in left_terms:
                left = left + sign * values[offset].get(key, ZERO)
            for offset, key, sign in right_terms:
                right = right + sign * values[offset].get(key, ZERO)
            checks.append(Check(rule, left == right, left, right))
    return checks


#: each identity's (rule, (offset, key) of every term, left terms, right terms), in order
_YEAR_TERMS = tuple(
    (i.rule, tuple((o, k) for o, k, _ in i.left + i.right), i.left, i.right) for i in YEAR_IDENTITIES
)
