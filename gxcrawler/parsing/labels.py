"""Template knowledge for finding things by their printed words.

Real labels are truncated (``…政府信息公开申``), mangled (``(二部分公开区分处理的…``), run into
their group label (``三、本年度办理结果(一)予以公开``) or written in traditional characters.
So a row is found by short keywords that survive those accidents, with a bigram-similarity
fallback for the rest. Everything here is precomputed at import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..catalog import S2_TABLES, S3_ROWS
from .normalize import bare, fold

# (table code, row key) -> keywords (in ``bare`` form)
_S2_KEYWORDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("s2.art20_1", "rules"): ("规章",),
    ("s2.art20_1", "normative"): ("规范性文件",),
    ("s2.art20_5", "licensing"): ("行政许可",),
    ("s2.art20_5", "other_services"): ("对外管理服务",),
    ("s2.art20_6", "penalty"): ("行政处罚",),
    ("s2.art20_6", "enforcement"): ("行政强制",),
    ("s2.art20_8", "fees"): ("事业性收费",),
    ("s2.art20_9", "procurement"): ("集中采购",),
}
#: rows some agencies add to section 二; read past, never given a key
EXTRA_S2_ROWS: tuple[str, ...] = (
    "行政检查",
    "行政确认",
    "行政征收",
    "行政给付",
    "行政奖励",
    "行政裁决",
    "主动公开文件",
)
_S3_KEYWORDS: dict[str, tuple[str, ...]] = {
    "new": ("本年新收", "新收政府信息公开申请"),
    "carried_in": ("上年结转",),
    "granted": ("予以公开",),
    "partial": ("部分公开",),
    "denied.state_secret": ("国家秘密",),
    "denied.prohibited": ("禁止公开",),
    "denied.security": ("三安全一稳定", "危及"),
    "denied.third_party": ("第三方合法权益", "保护第三方"),
    "denied.internal": ("内部事务",),
    "denied.process": ("过程性信息",),
    "denied.enforcement_file": ("执法案卷",),
    "denied.query": ("查询事项",),
    "unavailable.not_held": ("不掌握",),
    "unavailable.needs_creation": ("另行制作", "没有现成信息"),
    "unavailable.unclear": ("仍不明确", "补正后申请"),
    "rejected.complaint": ("信访举报", "举报投诉"),
    "rejected.duplicate": ("重复申请",),
    "rejected.publication": ("公开出版物",),
    "rejected.excessive": ("大量反复",),
    "rejected.confirmation": ("重新出具", "确认或重新"),
    "other": ("其他处理",),
    "other.no_correction": ("逾期不补正",),
    "other.no_fee": ("收费通知", "缴纳费用"),
    "carried_out": ("结转下年", "下年度继续办理"),
}
assert set(_S3_KEYWORDS) | {"total", "other.other"} == {r.key for r in S3_ROWS}
assert {t for t, _ in _S2_KEYWORDS} == {t.code for t in S2_TABLES}

#: words of headers and group labels: known, carry no row
HEADER_WORDS: tuple[str, ...] = (
    "信息内容",
    "申请人情况",
    "自然人",
    "法人或其他组织",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "本年度办理结果",
    "不予公开",
    "无法提供",
    "不予处理",
    "勾稽关系",
)

MAX_LABEL_LEN = 90


@dataclass(frozen=True)
class RowMatch:
    table: str  # "s2.art20_1" ... "s3"; "s2.extra" for rows outside the template
    row: str  # row key, or the printed label of an extra row
    how: str  # "keyword" | "fuzzy" | "prefix" | "context"

    @property
    def extra(self) -> bool:
        return self.table == "s2.extra"


# keyword -> RowMatch, longest keywords first so that a longer phrase wins a tie
_KEYWORDS: list[tuple[str, RowMatch]] = sorted(
    [(k, RowMatch(t, r, "keyword")) for (t, r), ks in _S2_KEYWORDS.items() for k in ks]
    + [(k, RowMatch("s3", r, "keyword")) for r, ks in _S3_KEYWORDS.items() for k in ks]
    + [(k, RowMatch("s2.extra", k, "keyword")) for k in EXTRA_S2_ROWS],
    key=lambda kv: -len(kv[0]),
)



def rows_named(bare_label: str) -> set[tuple[str, str]]:
    """Every (table, row) whose keyword the bare label holds: one entry means the label
    names a single row (``规章`` and ``规范性文件`` joined name two)."""
    return {(m.table, m.row) for kw, m in _KEYWORDS if kw in bare_label}

def _bigrams(s: str) -> frozenset[str]:
    return frozenset(s[i : i + 2] for i in range(len(s) - 1))


def _full_labels() -> list[tuple[str, frozenset[str], RowMatch]]:
    out = []
    for row in S3_ROWS:
        if row.key in ("total", "other.other"):
            continue
        b = bare(row.short or row.label)
        out.append((b, _bigrams(b), RowMatch("s3", row.key, "fuzzy")))
    for table in S2_TABLES:
        for row in table.rows:
            b = bare(row.label)
            out.append((b, _bigrams(b), RowMatch(table.code, row.key, "fuzzy")))
    return out


_FULL = _full_labels()

#: an enumerator: 三. (七) 3. — or one whose point or bracket OCR lost, right before an
#: ideograph (3其他, (七总计)
_ENUM = re.compile(
    r"^(?:[一二三四五六七八九十]+[,.]|\(?[一二三四五六七八九十0-9]{1,2}\)|[0-9]{1,2}[.,]"
    r"|[0-9]{1,2}(?=[\u4e00-\u9fff])|\([一二三四五六七八九十]{1,2}(?=[\u4e00-\u9fff]))+"
)
_CAPTION = re.compile(r"第二十条(?:第)?(?:\(?([一二三四五六七八九十]{1,2}|[0-9]{1,2})\)?)?项?")
_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def strip_enumerator(folded: str) -> tuple[str, str]:
    """('(七)', '总计') from '(七)总计'; the enumerator tells apart 3.其他 from a column 其他."""
    m = _ENUM.match(folded)
    if not m:
        return "", folded
    return m.group(0), folded[m.end() :]


_NOTE = re.compile(r"\([^()]{4,}\)")


@lru_cache(maxsize=8192)
def match_row(text: str) -> RowMatch | None:
    """The template row a label names, by keyword, else by similarity; None if unsure.

    A parenthetical note inside a label (Hubei: ``其他对外管理服务事项（含行政确认…）``) is
    ignored first, so that the words it mentions do not name the row.
    ``总计`` and ``其他`` are left to the caller (they are also column headers).
    """
    if len(text) > 3 * MAX_LABEL_LEN:  # prose, not a label (and not worth folding)
        return None
    folded = fold(text)
    if "(" in folded:
        without = _NOTE.sub("", folded)
        if without != folded and bare(without):
            m = _match_bare(bare(without))
            if m is not None:
                return m
    return _match_bare(bare(text)) or _prefix(folded)


_LAST_ENUM = re.compile(r"(?:(?<![0-9A-Za-z])[0-9l]{1,2}[.,]|\([一二三四五六七八九十0-9]{1,2}\)|[一二三四五六七八九十]{1,2},)")
_PREFIX_MIN = 4


def _prefix(folded: str) -> RowMatch | None:
    """A numbered label cut short (its end on a later line: OCR, narrow columns): the words
    after its enumerator (``5.要求行政机关确认``) begin exactly one row's label."""
    ends = [m.end() for m in _LAST_ENUM.finditer(folded)]
    if not ends:
        return None
    b = bare(folded[ends[-1] :])
    if len(b) < _PREFIX_MIN or any(w in b for w in HEADER_WORDS):
        return None
    found = {m for full, _g, m in _FULL if full.startswith(b)}
    if len(found) != 1:
        return None
    m = found.pop()
    return RowMatch(m.table, m.row, "prefix")


#: keywords that are also a 2021 group label: a row (2019's) only where the label ends with them
_GROUP_KEYWORDS = frozenset({"其他处理"})


def _match_bare(b: str) -> RowMatch | None:
    if not b or len(b) > MAX_LABEL_LEN:
        return None
    best: tuple[int, int, RowMatch] | None = None
    grouped = False
    for kw, m in _KEYWORDS:
        pos = b.rfind(kw)
        if pos >= 0 and kw in _GROUP_KEYWORDS and pos + len(kw) != len(b):
            grouped = True
            continue  # 2021's group label (六)其他处理 with a sub-row's label run on (OCR lines)
        if pos >= 0:
            cand = (pos + len(kw), len(kw), m)
            if best is None or cand[:2] > best[:2]:
                best = cand
    if best:
        return best[2]
    if grouped:
        return None  # the sub-row's words (3.其他) name no row: no likeness may name the group's 2019 row
    if len(b) < 4 or len(b) > 45 or any(w in b for w in HEADER_WORDS):
        return None
    grams = _bigrams(b)
    scored = []
    for full, fgrams, m in _FULL:
        if not 0.5 <= len(b) / max(len(full), 1) <= 2:
            continue
        dice = 2 * len(grams & fgrams) / (len(grams) + len(fgrams))
        scored.append((dice, m))
    if not scored:
        return None
    dice, m = max(scored, key=lambda x: x[0])
    return m if dice >= 0.6 else None


@lru_cache(maxsize=4096)
def caption(text: str) -> str | None:
    """``s2.art20_5`` for a 第二十条第(五)项 caption; ``""`` for one without its item number."""
    if len(text) > 80 or "二十" not in text and "二十" not in fold(text):
        return None
    f = fold(text)
    if "第二十条" not in f or len(bare(f)) > 24:
        return None
    m = _CAPTION.search(f)
    if not m or not m.group(1):
        return ""
    num = m.group(1)
    n = int(num) if num.isdigit() else (_NUMERALS.get(num[-1], 0) + (10 if len(num) == 2 else 0))
    code = f"s2.art20_{n}"
    return code if any(t.code == code for t in S2_TABLES) else ""


@lru_cache(maxsize=4096)
def heading(text: str) -> str | None:
    """Which section a heading opens: ``s2``, ``s3``, ``s4`` or ``end`` (五、六、…)."""
    if len(text) > 150:
        return None
    b = bare(text)
    if len(b) > 50:
        return None
    if "主动公开政府信息情况" in b or b == "主动公开政府信息":
        return "s2"
    if "收到和处理政府信息公开申请" in b:
        return "s3"
    if "行政复议" in b and "行政诉讼" in b and "情况" in b:
        return "s4"
    if ("存在的主要问题" in b or "其他需要报告" in b or "需要报告的其他" in b) and len(b) < 30:
        return "end"
    return None
