"""Reading one printed cell as a number, a blank, or something malformed.

Reports print counts as ``33,764``, ``２０``, ``160.5964万元``, ``-27``, ``+43``, ``减4``;
"no value" as an empty cell, ``-``, ``/``, ``—`` or ``无``. A malformed number such as
``--253`` is neither a value nor a blank: the caller keeps it out and warns.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum


class Kind(Enum):
    VALUE = "value"
    BLANK = "blank"
    MALFORMED = "malformed"
    TEXT = "text"


@dataclass(frozen=True)
class Reading:
    kind: Kind
    value: Decimal | None = None
    raw: str = ""


BLANK_MARKS = frozenset({"", "-", "--", "—", "——", "–", "/", "\\", "无", "空", "×", "x", "X", "－", "／"})

#: characters that may appear in a printed number besides digits (after NFKC)
_NUMBERISH = re.compile(r"^[0-9.,+\-减增约万元件个项条次人份笔家起]+$")
_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")
_UNITS = ("万元", "元", "件", "个", "项", "条", "次", "份", "笔", "家", "起", "人")
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
#: an ideograph no number or blank mark is printed with: its text is prose or a label, and
#: it survives NFKC, so the (slow, for long lines) normalisation need not run
_WORDY = re.compile(r"(?![减增约万元件个项条次人份笔家起无空])[\u4e00-\u9fff]")


#: what a footnote marker is read as (HTML's <sup>/<sub> too): a number beside it is malformed
FOOTNOTE = "\u2020"


def _marks() -> dict[int, str]:
    """Characters NFKC folds into ASCII digits though they are no digit as printed: footnote
    and list markers (①, ², ⑴, ⒈, ⓪, ㉑), fractions (½), squared units (㎡, ㏠). ``41①`` is 41
    with a footnote, never 411; each is read as :data:`FOOTNOTE`, so a number with one is
    malformed (left out, its place kept), never a number. Full-width ０–９ are digits as
    printed and stay."""
    blocks = ((0x80, 0x100), (0x2070, 0x20A0), (0x2150, 0x2190), (0x2460, 0x2500), (0x2776, 0x2794),
              (0x3200, 0x3400), (0xFF00, 0xFFF0), (0x1D7CE, 0x1D800), (0x1F100, 0x1F10D))
    out = {}
    for lo, hi in blocks:
        for c in range(lo, hi):
            if not 0xFF10 <= c <= 0xFF19 and any(ch in "0123456789" for ch in unicodedata.normalize("NFKC", chr(c))):
                out[c] = FOOTNOTE
    return out


_MARKS = _marks()


def clean(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII), unicode minus, no spaces; a footnote
    marker NFKC would make a digit (``41①``) is :data:`FOOTNOTE`, never read into the number."""
    s = unicodedata.normalize("NFKC", text if text.isascii() else text.translate(_MARKS))
    if not s.isascii():  # NFKC already made U+FE63 and U+FF0D "-"; str.replace runs in C
        s = s.replace("\u2212", "-").replace("\u2012", "-").replace("\u2010", "-")
    return _SPACES.sub("", s)


def read_number(text: str) -> Reading:
    """Classify one cell's text; never raises."""
    if text.isascii() and text.isdigit():  # the common case, fast
        return Reading(Kind.VALUE, Decimal(text), text)
    if _WORDY.search(text):
        return Reading(Kind.TEXT, None, text)
    s = clean(text)
    if s in BLANK_MARKS or (s and set(s) <= {"-", "—", "/", "－"}):
        return Reading(Kind.BLANK, None, text)
    if FOOTNOTE in s and any(ch.isdigit() for ch in s):
        return Reading(Kind.MALFORMED, None, text)  # 41① or 41<sup>2</sup>: 41 and a marker
    if not s or not any(ch.isdigit() for ch in s) or not _NUMBERISH.match(s):
        return Reading(Kind.TEXT, None, text)
    sign = ""
    if s[0] in "减增":
        sign = "-" if s[0] == "减" else ""
        s = s[1:]
    elif s.startswith("约"):
        s = s[1:]
    unit = next((u for u in _UNITS if s.endswith(u)), "")
    s = s[: len(s) - len(unit)]
    m = _NUMBER.match(s)
    if not m or (sign and m.group(1)):
        return Reading(Kind.MALFORMED, None, text)
    try:
        value = Decimal(sign + m.group(1) + m.group(2).replace(",", "") + (m.group(3) or ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        return Reading(Kind.MALFORMED, None, text)
    if unit == "元" and value:
        # every amount's key is in 万元 (and a count has no 元): 12873500元 is 1287.35, never
        # 12873500; converting would guess the cell's meaning, so it is left out (0元 is 0)
        return Reading(Kind.MALFORMED, None, text)
    return Reading(Kind.VALUE, value, text)


def is_digit_run(text: str) -> bool:
    """True for a bare run of ASCII/full-width digits (a candidate for run-together cells)."""
    s = clean(text)
    return len(s) > 1 and s.isascii() and s.isdigit()
