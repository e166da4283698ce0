"""One normal form for label text, so that matching is a dictionary lookup or a substring test.

Labels arrive with full-width punctuation, spaces and ``&nbsp;`` inside words, traditional
characters and Taiwan wording (規範性檔案) from mirror sites, and quote or bracket variants.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("tw2sp")  # traditional + Taiwan phrases (檔案→文件) to simplified
_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_PUNCT_MAP = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "〔": "(",
        "〕": ")",
        "【": "(",
        "】": ")",
        "[": "(",
        "]": ")",
        "、": ",",
        "，": ",",
        "．": ".",
        "。": ".",
        "﹑": ",",
    }
)
_STRIP = re.compile(r"[\"'“”‘’,.;:!?()（）<>《》\-—_|/\\*#]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """NFKC, simplified characters, no whitespace; punctuation unified but kept."""
    s = _SPACE.sub("", unicodedata.normalize("NFKC", text))
    if _CJK.search(s):
        s = _T2S.convert(s)
    return s.translate(_PUNCT_MAP)


@lru_cache(maxsize=8192)
def bare(text: str) -> str:
    """``fold`` without any punctuation: the form keywords are matched against."""
    return _STRIP.sub("", fold(text))


def compact_title(text: str) -> str:
    """A title as printed, with the spaces that flatteners put between CJK and digits removed."""
    s = _SPACE.sub(" ", text).strip()
    s = re.sub(r"(?<=[^\x00-\x7f]) (?=\S)|(?<=\S) (?=[^\x00-\x7f])", "", s)
    return s
