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


def clean(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII), unicode minus, no spaces."""
    s = unicodedata.normalize("NFKC", text)
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
    if not s or not any(ch.isdigit() for ch in s) or not _NUMBERISH.match(s):
        return Reading(Kind.TEXT, None, text)
    sign = ""
    if s[0] in "减增":
        sign = "-" if s[0] == "减" else ""
        s = s[1:]
    elif s.startswith("约"):
        s = s[1:]
    for unit in _UNITS:
        if s.endswith(unit):
            s = s[: -len(unit)]
            break
    m = _NUMBER.match(s)
    if not m or (sign and m.group(1)):
        return Reading(Kind.MALFORMED, None, text)
    try:
        value = Decimal(sign + m.group(1) + m.group(2).replace(",", "") + (m.group(3) or ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        return Reading(Kind.MALFORMED, None, text)
    return Reading(Kind.VALUE, value, text)


def is_digit_run(text: str) -> bool:
    """True for a bare run of ASCII/full-width digits (a candidate for run-together cells)."""
    s = clean(text)
    return len(s) > 1 and s.isascii() and s.isdigit()
