"""One normal form for label text, so that matching is a dictionary lookup or a substring test.

Labels arrive with full-width punctuation, spaces and ``&nbsp;`` inside words, traditional
characters and Taiwan wording (規範性檔案) from mirror sites, and quote or bracket variants.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

# characters only: the Taiwan-phrase config (tw2sp) also rewrites mainland words (文件→文档)
_T2S = opencc.OpenCC("t2s")
#: Taiwan wording of mirror sites, after character conversion (規範性檔案 → 规范性档案 → 规范性文件)
_PHRASES = (("档案", "文件"), ("资讯", "信息"))
_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
#: punctuation variants unified, char -> char. No output is itself an input, so replacing them one
#: by one is translating (``str.translate`` with a dict looks every character up in Python: ~10×
#: slower on a paragraph, and ``fold`` meets every new line of a page)
_PUNCT = tuple(
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
    }.items()
)
_STRIP = re.compile(r"[\"'“”‘’,.;:!?()（）<>《》\-—_|/\\*#]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
#: a space beside a non-ASCII character (between CJK and digits). It starts with the space so that
#: the regex engine jumps from space to space: with the lookbehind first it tried every
#: position, and the narrative's 160 joined lines made that most of the metadata's time.
#: Applied only to ``" ".join(text.split())``, where both neighbours of a space exist and are
#: not whitespace: the ``\S`` tests of the full form (``" (?:(?<=[^\x00-\x7f] )(?=\S)|(?<=\S )
#: (?=[^\x00-\x7f]))"``) always hold there, and without them it runs ~1.8x faster.
_SPACE_BY_CJK = re.compile(r" (?:(?<=[^\x00-\x7f] )|(?=[^\x00-\x7f]))")
#: what ``_SPACE`` matches besides ``str.isspace`` characters (``str.split`` splits on those)
_INVISIBLE = ("\u200b", "\ufeff")


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """NFKC, simplified characters, no whitespace; punctuation unified but kept."""
    s = _SPACE.sub("", unicodedata.normalize("NFKC", text))
    if _CJK.search(s) and not s.isascii():
        converted = _T2S.convert(s)
        if converted != s:
            for taiwan, mainland in _PHRASES:
                converted = converted.replace(taiwan, mainland)
            s = converted
    for printed, unified in _PUNCT:
        if printed in s:
            s = s.replace(printed, unified)
    return s


#: OCR look-alikes in labels (自然入, 尚末审结, 公幵, 子以公开, 序以公开): matched as the characters
#: they stand for. Only the matching form changes; no label keyword contains 入, 末, 幵, 子 or 序.
_OCR = str.maketrans({"入": "人", "末": "未", "幵": "开", "子": "予", "序": "予"})


@lru_cache(maxsize=8192)
def bare(text: str) -> str:
    """``fold`` without any punctuation, OCR look-alikes read as meant: the form keywords are
    matched against."""
    return _STRIP.sub("", fold(text)).translate(_OCR)


def compact_title(text: str) -> str:
    """A title as printed, with the spaces that flatteners put between CJK and digits removed."""
    if _INVISIBLE[0] in text or _INVISIBLE[1] in text:
        text = text.replace(_INVISIBLE[0], " ").replace(_INVISIBLE[1], " ")
    spaced = " ".join(text.split())  # = _SPACE.sub(" ", text).strip(), in C
    return _SPACE_BY_CJK.sub("", spaced) if " " in spaced else spaced
