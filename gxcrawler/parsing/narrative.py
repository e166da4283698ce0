"""Headline numbers a report states in its text, compared with the table cells they speak of.

Reports repeat their key numbers in prose: ``2022年共收到政府信息公开申请66件``,
``上年结转2件``, ``共办结10件``, ``产生行政复议13件和行政诉讼1件``. A sentence that says one
thing and a table that says another is a finding about the report (or about our reading
of it), so each stated number becomes a check of kind ``narrative``: ``left`` is the
number stated, ``right`` the table's, with the sentence.

**Conservative by construction** — a number whose meaning is not certain is not compared:

* a number counts only with its unit (件/份/条/起/次…) right after it and its topic words
  right before or after it, in the same clause (table rows print no units);
* sentences about another scope (全县, 各乡镇, 我市 …), another period (another year,
  上半年, 累计), a comparison (同比, 较上年, 增长), or another channel (12345, 信箱,
  建议提案) are skipped whole;
* an ambiguous verb is compared only where its meanings agree: 受理X件 is 新收 or
  新收 + 上年结转, so it is compared only when the table's 上年结转 is 0;
* a topic stated twice with different numbers is not compared; a cell that was not read,
  or a table side that is all blank, is not compared either.

Every pattern here was written from sentences of real reports (``tests/parsing/test_narrative.py``
holds them as data).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ..model import Check

#: topic -> candidate readings (each a tuple of cell keys whose sum it states). A topic is
#: compared only when every candidate gives the same table value.
TOPICS: dict[str, tuple[tuple[str, ...], ...]] = {
    "received": (("s3.new.total",),),
    "accepted": (("s3.new.total",), ("s3.new.total", "s3.carried_in.total")),
    "carried_in": (("s3.carried_in.total",),),
    "carried_out": (("s3.carried_out.total",),),
    "closed": (("s3.total.total",),),
    "granted": (("s3.granted.total",),),
    "partial": (("s3.partial.total",),),
    "review": (("s4.review.total",),),
    "suits": (("s4.suit_direct.total", "s4.suit_after_review.total"),),
    "fees": (("s2.art20_8.fees.amount",),),
}

#: what each topic's check says, for people (``v_failed_checks.identity``)
MEANINGS: dict[str, str] = {
    "received": "本年新收 stated in the text = table",
    "accepted": "受理 stated in the text = 本年新收 (and 新收 + 上年结转) in the table",
    "carried_in": "上年结转 stated in the text = table",
    "carried_out": "结转下年度 stated in the text = table",
    "closed": "办结 stated in the text = (七)总计 in the table",
    "granted": "予以公开 stated in the text = table",
    "partial": "部分公开 stated in the text = table",
    "review": "行政复议 stated in the text = table",
    "suits": "行政诉讼 stated in the text = both lawsuit totals in the table",
    "fees": "行政事业性收费 amount stated in the text = table",
}

RULE_PREFIX = "narrative."

#: a word every pattern of a topic needs (a cheap test before the patterns run)
_KEYWORDS: dict[str, tuple[str, ...]] = {
    "received": ("收", "接", "无", "没有"),
    "accepted": ("受理",),
    "carried_in": ("结转",),
    "carried_out": ("结转", "转入"),
    "closed": ("办结",),
    "granted": ("予以公开",),
    "partial": ("部分公开",),
    "review": ("复议",),
    "suits": ("诉讼",),
    "fees": ("收费",),
}


@dataclass(frozen=True)
class Statement:
    """One number the text states about ``topic``, with the sentence it is in."""

    topic: str
    value: Decimal
    sentence: str


# ------------------------------------------------------------------ the patterns
_NUM = r"(?P<num>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+)"
_COUNT_UNIT = r"(?:件次|件|份|条|个|次)"
_CASE_UNIT = r"(?:件|起|次|宗|例|个)"
#: a gap inside a clause: no digit, no clause mark, none of the words that start another topic
_BLOCKERS = r"其中|予以|部分|不予|答复|办结|结转|涉及|驳回|无法|处理决定|网上|当面|信函|邮寄|自然人|法人"


def _gap(limit: int) -> str:
    return rf"(?:(?!{_BLOCKERS})[^\d,;:]){{0,{limit}}}?"


#: what an application is called (after NFKC/t2s; 依申请公开 alone names the procedure)
_APPLICATION = (
    r"(?:政府信息公开|信息公开|依申请公开|公开)的?申请|依申请公开(?:政府信息|信息|事项|请求|申请)?"
    r"|申请公开(?:政府信息|信息)?|信息依申请公开|依申请信息"
)
_RECEIVE = r"(?:新收|收到|接收到?|接到|收悉|共收)"
_NEGATION = r"(?:未|没有|无)"


@functools.lru_cache(maxsize=64)
def _topic_patterns(year: int | None) -> dict[str, list[tuple[re.Pattern[str], bool]]]:
    """topic -> (pattern, states zero) for the report's statistics year; a pattern runs only
    on clauses holding its topic's :data:`_KEYWORDS` word."""
    prev = rf"{year - 1}年度?" if year else r"(?!)"
    nxt = rf"{year + 1}年度?" if year else r"(?!)"
    last_year = rf"(?:上一?年度?|{prev})"
    next_year = rf"(?:下一?年度?|{nxt})"
    cases = {
        "received": [
            rf"{_RECEIVE}{_gap(12)}(?:{_APPLICATION}){_gap(8)}(?:共|总数|数量为|为)?{_NUM}{_COUNT_UNIT}",
            rf"{_RECEIVE}{_gap(3)}{_NUM}{_COUNT_UNIT}(?:{_APPLICATION})",
        ],
        "accepted": [
            rf"受理{_gap(12)}(?:{_APPLICATION}){_gap(8)}(?:共|总数|数量为|为)?{_NUM}{_COUNT_UNIT}",
            rf"受理{_gap(3)}{_NUM}{_COUNT_UNIT}(?:{_APPLICATION})",
        ],
        "carried_in": [
            rf"{last_year}(?:共)?结转(?!{next_year}|至|到)(?:的)?{_gap(12)}{_NUM}{_COUNT_UNIT}",
            rf"结转{last_year}(?:的)?{_gap(10)}{_NUM}{_COUNT_UNIT}",
        ],
        "carried_out": [
            rf"结转(?:至|到)?{next_year}(?:继续办理|办理)?(?:的)?{_gap(10)}{_NUM}{_COUNT_UNIT}",
            rf"(?<![\d.]){_NUM}{_COUNT_UNIT}(?:申请)?(?:结转|转入)(?:至|到)?{next_year}",
        ],
        "closed": [
            rf"办结(?!率)(?:{_APPLICATION})?(?:共|总数|数量为|为)?{_NUM}{_COUNT_UNIT}",
        ],
        "granted": [rf"予以公开(?:的)?(?:申请)?(?:共|为)?{_NUM}{_COUNT_UNIT}"],
        "partial": [rf"(?<!或)部分公开(?:的)?(?:申请)?(?:共|为)?{_NUM}{_COUNT_UNIT}"],
        "review": [
            rf"行政复议(?!后)(?:案件|案|申请|案例)?(?:共|为|共计)?{_NUM}{_CASE_UNIT}",
            rf"(?<![\d.]){_NUM}{_CASE_UNIT}(?:政府信息公开|信息公开)?(?:类)?行政复议(?!后)",
        ],
        "suits": [
            rf"(?<!复议和)(?<!复议、)(?<!复议及)(?<!复议与)(?<!复议或)行政诉讼(?:案件|案|案例)?(?:共|为|共计)?{_NUM}{_CASE_UNIT}",
            rf"(?<![\d.]){_NUM}{_CASE_UNIT}(?:政府信息公开|信息公开)?(?:类)?行政诉讼",
        ],
        "fees": [r"行政事业性收费(?:金额|总额|数额|收入)?(?:为|共|共计|合计)?(?P<num>\d+(?:\.\d+)?)万元"],
    }
    zeros = {
        "received": [
            rf"{_NEGATION}(?:{_RECEIVE}|接收到)过?(?:任何)?{_gap(6)}(?:{_APPLICATION})",
            rf"^(?:本年度?|全年|{year}年度?)?(?:无|没有)(?:政府信息公开申请|依申请公开申请|依申请公开事项)"
            if year
            else r"(?!)",
        ],
        "accepted": [rf"{_NEGATION}受理过?(?:任何)?{_gap(6)}(?:{_APPLICATION})"],
        "carried_in": [rf"(?:{last_year}(?:无|没有)结转|无{last_year}结转)"],
        "carried_out": [rf"无(?:{next_year}结转|结转(?:至|到)?{next_year})"],
        "review": [
            rf"{_NEGATION}(?:发生|收到|产生|出现|引发|引起|接到)?[^\d;]{{0,25}}?行政复议(?!后)"
            rf"(?![^\d;]{{0,6}}(?:纠错|纠正|败诉|撤销|确认违法|维持))"
        ],
        "suits": [
            rf"{_NEGATION}(?:发生|收到|产生|出现|引发|引起|接到)?[^\d;]{{0,25}}?行政复议(?!后)"
            rf"(?:和|、|及|或|与|,)?(?:提起|被提起)?行政诉讼"
            rf"(?![^\d;]{{0,6}}(?:纠错|纠正|败诉|撤销|确认违法|维持))"
        ],
    }
    out: dict[str, list[tuple[re.Pattern[str], bool]]] = {}
    for topic, patterns in cases.items():
        out.setdefault(topic, []).extend((re.compile(p), False) for p in patterns)
    for topic, patterns in zeros.items():
        out.setdefault(topic, []).extend((re.compile(p), True) for p in patterns)
    return out


#: topics whose sentence must say it is about information requests: 复议/诉讼/办结 are also
#: counted for other procedures (a 司法局's 行政复议, a mayor's mailbox 办结), and 结转 for
#: money; 予以公开/部分公开 need only a word of the application around them
_STRICT = re.compile(r"信息公开|依申请|公开申请|申请公开")
_LOOSE = re.compile(r"申请")
_CONTEXT = {
    "review": _STRICT,
    "suits": _STRICT,
    "closed": _STRICT,
    "carried_in": _LOOSE,
    "carried_out": _LOOSE,
    "granted": _LOOSE,
    "partial": _LOOSE,
}
#: another scope than the agency itself
_SCOPE = re.compile(
    r"全(?:县|区|市|州|盟|旗|省|国|系统|街|乡|镇)|各(?:乡镇|乡|镇|部门|单位|街道|县|区|市|级)|(?:县|区|市)直"
    r"|我(?:县|区|市|州|省)|本(?:县|区|市|州|省)|汇总|下辖|所属"
)
#: another period, a comparison, or another procedure
_OTHER = re.compile(
    r"同比|环比|较上年|比上年|较去年|比去年|较\d{4}|比\d{4}|增长|下降|上升|减少|增加|持平|累计|历年|"
    r"上半年|下半年|季度|月份|\d月份?[^\d日]|12345|热线|信箱|来信|建议|提案|(?<!复)议案|咨询|留言"
)
_YEAR = re.compile(r"(?<!\d)(\d{4})年")
_TERMINAL = "。!?！？"
_TRIGGER = re.compile(r"申请|复议|诉讼|结转|办结|收费|申請|復議|訴訟|結轉|辦結|收費")
_TRADITIONAL = re.compile(r"申請|復議|訴訟|結轉|辦結|收費|資訊|開")
_CLAUSE = re.compile(r"[,;:]")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def statements(lines: Iterable[str], year: int | None) -> list[Statement]:
    """Every number the text states about a topic, one per topic (see the module doc)."""
    patterns = _topic_patterns(year)  # cached per year: compiled once
    found: dict[str, list[Statement]] = {}
    for sentence in _sentences(lines):
        if not _usable(sentence, year):
            continue
        topics = [
            t
            for t, words in _KEYWORDS.items()
            if any(w in sentence for w in words) and (t not in _CONTEXT or _CONTEXT[t].search(sentence))
        ]
        if not topics:
            continue
        for clause in _CLAUSE.split(sentence):
            spans: dict[tuple[int, int], set[str]] = {}
            hits: list[tuple[str, Decimal, tuple[int, int]]] = []
            for topic in topics:
                if not any(w in clause for w in _KEYWORDS[topic]):
                    continue
                for pattern, zero in patterns[topic]:
                    for m in pattern.finditer(clause):
                        if zero:
                            value: Decimal | None = Decimal(0)
                            span = m.span()
                        else:
                            value = _number(m.group("num"))
                            span = m.span("num")
                        if value is not None:
                            spans.setdefault(span, set()).add(topic)
                            hits.append((topic, value, span))
            for topic, value, span in hits:
                if len(spans[span]) > 1:
                    continue  # one number, two topics: its meaning is not certain
                found.setdefault(topic, []).append(Statement(topic, value, sentence))
    out: list[Statement] = []
    for topic in TOPICS:
        said = found.get(topic, [])
        if said and len({s.value for s in said}) == 1:
            out.append(said[0])
    return out


def compare(
    stated: Iterable[Statement], values: Mapping[str, Decimal], blank: Iterable[str]
) -> list[Check]:
    """A ``narrative.{topic}`` check per statement whose table cells are certain."""
    blank = set(blank)
    checks: list[Check] = []
    for s in stated:
        readings = {_table_value(keys, values, blank) for keys in TOPICS[s.topic]}
        if len(readings) != 1 or None in readings:
            continue
        (table,) = readings
        assert table is not None
        checks.append(Check(RULE_PREFIX + s.topic, s.value == table, s.value, table, sentence=s.sentence))
    return checks


def narrative_checks(
    lines: Iterable[str], year: int | None, values: Mapping[str, Decimal], blank: Iterable[str]
) -> list[Check]:
    """What the parser stores: the statements of ``lines`` compared with the cells."""
    return compare(statements(lines, year), values, blank)


# ------------------------------------------------------------------ helpers
def _table_value(keys: tuple[str, ...], values: Mapping[str, Decimal], blank: set[str]) -> Decimal | None:
    """The sum of ``keys`` (a blank counts 0); None if one was not read or all are blank."""
    if any(k not in values and k not in blank for k in keys) or not any(k in values for k in keys):
        return None
    return sum((values.get(k, Decimal(0)) for k in keys), Decimal(0))


def _sentences(lines: Iterable[str]) -> Iterable[str]:
    """Prose sentences around the topic words, normalized (NFKC, no spaces, simplified).

    Lines that wrap a paragraph (long, without a full stop) are joined; table rows (tabs,
    ``|``) are neither joined nor read. Only the paragraphs holding a topic word are built
    (one regex over the whole text finds them): a report is mostly table lines.
    """
    lines = list(lines)
    text = "\n".join(lines)
    starts: list[int] = []
    done: set[int] = set()
    for hit in _TRIGGER.finditer(text):
        if not starts:  # line i starts at offset starts[i] (one newline after each line)
            starts = [n + i for i, n in enumerate(itertools.accumulate(map(len, lines), initial=0))]
        i = bisect.bisect_right(starts, hit.start()) - 1
        if i in done or not _prose(lines[i]):
            continue
        first = i
        while first > 0 and _wraps(lines[first - 1]):
            first -= 1
        last = i
        while last + 1 < len(lines) and _wraps(lines[last]) and _prose(lines[last + 1]):
            last += 1
        done.update(range(first, last + 1))
        yield from _split("".join(line.strip() for line in lines[first : last + 1]))


def _prose(line: str) -> bool:
    return bool(line.strip()) and "\t" not in line and "|" not in line


def _wraps(line: str) -> bool:
    """A prose line the next line continues: long, and no full stop at its end."""
    line = line.strip()
    return len(line) >= 12 and line[-1] not in _TERMINAL and "\t" not in line and "|" not in line


def _split(text: str) -> Iterable[str]:
    text = _THOUSANDS.sub("", _SPACES.sub("", unicodedata.normalize("NFKC", text)))
    if _TRADITIONAL.search(text):
        from .normalize import _T2S

        text = _T2S.convert(text)
    for sentence in re.split(r"[。!?]", text):
        if sentence and _TRIGGER.search(sentence):
            yield sentence


def _usable(sentence: str, year: int | None) -> bool:
    if _SCOPE.search(sentence) or _OTHER.search(sentence):
        return False
    for m in _YEAR.finditer(sentence):
        y = int(m.group(1))
        if year is None:
            return False
        if y == year:
            continue
        after = sentence[m.end() : m.end() + 3]
        before = sentence[max(0, m.start() - 3) : m.start()]
        if y == year - 1 and after.lstrip("度").startswith("结转"):
            continue
        if y == year + 1 and before.endswith(("结转", "结转至", "结转到", "转入")):
            continue
        return False
    return True


def _number(text: str) -> Decimal | None:
    if text[0].isdigit():
        return Decimal(text)
    return _chinese(text)


def _chinese(text: str) -> Decimal | None:
    """一 … 九百九十九 (两, 〇 and 零 too); None for anything else."""
    total, digit = 0, None
    for ch, unit in ((c, {"十": 10, "百": 100}.get(c)) for c in text):
        if unit:
            total += (1 if digit is None else digit) * unit
            digit = None
        elif ch in _CN_DIGITS:
            if digit is not None and digit != 0:
                return None  # 二三: not a number
            digit = _CN_DIGITS[ch]
        else:
            return None
    return Decimal(total + (digit or 0))
