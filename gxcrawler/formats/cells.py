"""Cell-text clean-up shared by the readers."""

from __future__ import annotations

import re

_BREAK = re.compile(r"\s*\n\s*")
_ASCII_WORD = re.compile(r"[A-Za-z]")


def join_lines(text: str | None) -> str:
    """One cell's wrapped lines as one string.

    A cell's lines are wrapped text, not separate items: ``结果维\\n持`` is 结果维持,
    a header split one character per line reads whole again, and a number broken by
    the column width (``209,512.\\n943``) is rejoined. Only Latin words keep a space.
    """
    if not text:
        return ""
    parts = _BREAK.split(text.strip())
    out = parts[0]
    for part in parts[1:]:
        if out and part and _ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(part[0]):
            out += " "
        out += part
    return out
