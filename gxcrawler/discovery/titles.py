"""Is a title a 政府信息公开工作年度报告, of which year, and by whom?

Real portals write the report's title in many ways (``…2022年政府信息公开工作年度报告``,
``…政府信息公开工作2022年度报告``, ``…年度报告（2019年度）``, ``关于…2022年政府信息公开工作的
年度报告``, ``…年政府信息公开报告``, ``…信息公开年报``, the report posted as a ``公示``, spaces
and full-width digits in the year, traditional characters, ``二〇二二年``), and put next to
them documents *about* reports: notices, bulletins, meetings, guides, catalogues,
readings (解读, 一图读懂). A Chinese title ends with its document type, so the rule is
structural: the report words must be the title's tail (after brackets, quotes, a file
extension, a date or a site-name suffix are taken off), and no word of an about-report
document may appear anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")  # characters only (tw2sp would rewrite mainland words)
_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_QUOTES = re.compile(r"[《》〈〉“”\"'‘’「」『』]")
_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" "9")
_CN_YEAR = re.compile(r"[〇○零一二三四五六七八九]{4}(?=年)")

#: the report words; the year may sit inside them (信息公开工作2022年度报告)
_CORE = re.compile(
    r"(?:政府|政务)?信息公开(?:工作)?(?:情况)?的?(?:(?:19|20)\d{2}年度?)?(?:年度(?:工作)?报告|年报|报告)"
    r"|年度(?:政府|政务)?信息公开(?:工作)?的?报告"
)
#: what may follow the report words: the report posted as a 公示, or "全文"
_TAIL_OK = re.compile(r"^(?:的?公示|全文|正文|原文)?$")
#: words of documents about reports, wherever they stand
DECOY_WORDS = (
    "通知", "通报", "公布情况", "发布情况", "部署", "会议", "推进会", "培训", "要点", "指南", "目录",
    "解读", "一图", "图解", "读懂", "报送", "征集", "考核", "评议", "评估", "检查", "督查", "模板",
    "样本", "格式", "说明", "方案", "编制", "做好", "召开", "举办", "举行",
    # not the annual report: a part of the year (月报, 季报, 上半年), a draft, a school year (学年: schools)
    "半年", "季度", "季报", "月报", "月份", "征求意见", "学年",
)
#: a publisher that is no government agency (its 信息公开 reports are of another regime) ...
_NOT_GOVERNMENT = re.compile(r"(?:公司|集团|大学|学院|学校|中学|小学|医院|红十字会|慈善总会|基金会|协会|商会)$")
#: ... and a kind of information named between the year and a bare 信息公开 (环境信息公开, 医疗卫生机构信息公开)
_YEAR_THEN = re.compile(r"(?:19|20)\d{2}年?度?的?")
#: a part of the year as a month range (2022年1-6月, 1月至9月): a period report, unless 1-12月
_MONTHS = re.compile(r"(?<!\d)(\d{1,2})月?[-~至到](\d{1,2})月")
#: a list title cut short (``…政府信息公开...``) whose words so far are a report's
_CUT = re.compile(r"(?:\.{2,}|…+)$")
_CUT_CORE = re.compile(r"(?:政府|政务)?信息公开(?:工作)?(?:年度?(?:报告?)?|年报?)?$")
_TRAILERS = (
    re.compile(r"\.(?:pdf|docx?|wps|xlsx?|ofd|txt|s?html?)$", re.I),
    re.compile(r"(?:19|20)\d{2}[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?|月)?$"),  # a date printed after the title
    re.compile(r"的?(?:\.{2,}|…+)$"),  # a cut title whose report words survived (…年度报告的…)
    re.compile(r"[(（\[【][^()（）\[\]【】]*[)）\]】]$"),  # (2019年度), (全文), (更正版)
)
_SITE_SUFFIX = re.compile(r"[-_|—–]+[^-_|—–]*$")  # …年度报告-某某县人民政府门户网站
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)(?![-/.]\d|年\d{1,2}月)")


def normalize_title(title: str | None) -> str:
    """NFKC (full-width digits and colons become ASCII) and no whitespace at all.

    Real titles contain stray spaces (``洛宁县人民政府 2020 年政府信息公开工作 年度报告``)
    and non-breaking spaces; none of them carries meaning.
    """
    return _SPACE.sub("", unicodedata.normalize("NFKC", title or ""))


@lru_cache(maxsize=16384)
def fold_title(title: str | None) -> str:
    """``normalize_title`` plus simplified characters, Chinese-numeral years as digits, no quotes."""
    text = normalize_title(title)
    if text and not text.isascii():
        text = _T2S.convert(text).replace("资讯", "信息")  # Taiwan wording on mirror sites
        text = _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), text)
    return _QUOTES.sub("", text)


def _strip_trailers(text: str) -> str:
    changed = True
    while changed and text:
        changed = False
        for trailer in _TRAILERS:
            cut = trailer.sub("", text)
            if cut != text and _CORE.search(cut):
                text, changed = cut, True
        cut = _SITE_SUFFIX.sub("", text)
        if cut != text and _CORE.search(cut):
            text, changed = cut, True
    return text


@lru_cache(maxsize=16384)
def _core(title: str | None) -> tuple[str, re.Match[str]] | None:
    """The folded title (trailers kept) and its report words, when the title is a report's (with or without a year)."""
    full = fold_title(title)
    text = _strip_trailers(full)
    if not text or any(word in text for word in DECOY_WORDS):
        return None
    last = None
    for last in _CORE.finditer(text):  # noqa: B007 - the last occurrence is the tail
        pass
    if last is None and _CUT.search(full):  # cut short: the report words so far, and a year before them
        cut = _CUT.sub("", full)
        last = _CUT_CORE.search(cut)
        if last is None or len(last.group(0)) < 4 or not _YEAR.search(cut[: last.start()]):
            return None
        return full, last
    if last is None or not _TAIL_OK.match(text[last.end():]):
        return None
    months = _MONTHS.search(text[: last.start()])
    if months and (int(months.group(1)), int(months.group(2))) != (1, 12):
        return None  # 某县2022年1-6月政府信息公开工作报告
    if "征求意见" in full:  # (征求意见稿): a draft, whatever the brackets
        return None
    words = last.group(0).removeprefix("年度")
    if not words.startswith(("政府", "政务")) and _other_regime(text[: last.start()]):
        return None
    return full, last


def _other_regime(before: str) -> bool:
    """A bare 信息公开 report of a company, school or hospital, or of one kind of information."""
    year = None
    for year in _YEAR_THEN.finditer(before):  # noqa: B007 - the year nearest the report words
        pass
    if year is not None and year.start() > 0 and year.end() < len(before):
        return True  # 某县2021年度环境信息公开报告
    agency = agency_in_title(before + "信息公开报告")
    return bool(agency and _NOT_GOVERNMENT.search(agency))


def is_annual_report(title: str | None) -> bool:
    """True for a report's title (and for a report column's name, which has no year)."""
    return _core(title) is not None


def is_decoy(title: str | None) -> bool:
    """A title with report words that is not a report's (a notice, meeting, reading … about reports)."""
    text = fold_title(title)
    return not is_annual_report(title) and ("信息公开" in text or "年度报告" in text or "年报" in text)


def report_year(title: str | None) -> int | None:
    """The statistics year a report title names, else None (a column name, or not a report).

    The last year before the end of the report words wins (an agency name with digits
    or a date in front does not); else the first after them (``年度报告（2019年度）``).
    Dates (``2023-01-15``, ``2023年1月``) are never the year.
    """
    found = _core(title)
    if found is None:
        return None
    text, core = found
    if core.group(0).endswith("年报") and title_agency(title) is None:
        return None  # 2020年信息公开年报: a year column's name, not a report
    years = [(m.start(), int(m.group(1))) for m in _YEAR.finditer(text)]
    years = [(pos, y) for pos, y in years if 2000 <= y <= 2100]
    before = [y for pos, y in years if pos < core.end()]
    after = [y for pos, y in years if pos >= core.end()]
    if before:
        return before[-1]
    return after[0] if after else None


_YEAR_WORD = re.compile(r"(?:19|20)\d{2}(?!\d)\s*年?度?")
#: what a title may start with that is no part of a name: an attachment label, a printed date
_LEAD = re.compile(r"^(?:附件\d*[:.、]?|[\[【(]?(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}[\]】)]?)+")
_AGENCY_END = re.compile(r"(?:关于)?(?:(?:政府|政务)?信息公开|年度)")


def title_agency(title: str | None) -> str | None:
    """The publisher a report title names: ``攀枝花市仁和区太平乡2020年…`` → ``攀枝花市仁和区太平乡``.

    The year may stand before the name (``2024年福田区福田街道政府信息公开…``).
    """
    return agency_in_title(title) if _core(title) is not None else None


def agency_in_title(title: str | None) -> str | None:
    """:func:`title_agency` for any title the caller already takes for a report's (the parser's own)."""
    text = _LEAD.sub("", fold_title(title)).removeprefix("关于")
    m = _YEAR_WORD.search(text)
    if m and m.start() == 0:  # the year first: the name follows it
        text = text[m.end():].removeprefix("的")
    elif m:
        text = text[: m.start()]
    cut = _AGENCY_END.search(text)
    name = text[: cut.start()] if cut else text
    if name.endswith("人民") and text[len(name):].startswith("政府"):
        name += "政府"  # 清江浦区人民政府信息公开…: 政府 is the agency's
    name = name.removesuffix("关于").strip(":：,，、- ")
    return name if len(name) >= 2 else None


def parse_year_filter(value: str | int | None) -> set[int] | None:
    """``"2021"`` → {2021}; ``"2019-2023"`` → 2019..2023; ``"2019,2021"``; None/"" → None (all)."""
    if value is None or str(value).strip() in ("", "all", "*"):
        return None
    years: set[int] = set()
    for part in str(value).replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            lo, hi = (int(p) for p in part.split("-", 1))
            years.update(range(min(lo, hi), max(lo, hi) + 1))
        else:
            years.add(int(part))
    return years or None


_PLACE = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,7}省|[\u4e00-\u9fff]{2,8}自治区)?"
    r"(?P<city>(?:(?![市州盟县区旗])[\u4e00-\u9fff]){2,8}?(?:自治州|市|州|盟|地区))?"
    r"(?P<county>(?:(?![市州盟县区旗])[\u4e00-\u9fff]){1,9}?(?:自治县|自治旗|县|旗|区|市))"
)
#: a jurisdiction above any county (a county's 年报 column reposts them): 云南省…, 文山州…, 国务院…
_UPPER = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,7}省|[\u4e00-\u9fff]{2,8}自治区|国务院"
    r"|(?:(?![市州盟县区旗])[\u4e00-\u9fff]){2,10}?(?:自治州|州|盟|地区)(?![镇乡村]|街道))"
)
_ZONES = ("开发区", "开区", "高新区", "新区", "园区", "试验区", "示范区", "合作区")


def place_of(name: str | None) -> tuple[str | None, str | None]:
    """(city, county) a name starts with: ``攀枝花市仁和区太平乡`` → (攀枝花市, 仁和区); (None, None) if none."""
    m = _PLACE.match(fold_title(name))
    if not m or m.group("county").endswith(_ZONES):
        return None, None
    return m.group("city"), m.group("county")


def names_other_county(title: str | None, county: str | None) -> bool:
    """Does a report title name a county other than ``county`` (another county's report in a sidebar)?

    Only a county-level name at the start of the title's agency counts; a title that
    names no county (蚌峨乡人民政府…) is the portal's own.
    """
    if not county:
        return False
    own = fold_title(county)
    agency = title_agency(title) or ""
    if not agency or own in agency:
        return False
    _, named = place_of(agency)
    if named is None:  # no county named: a province's, prefecture's or the State Council's report?
        return bool(_UPPER.match(fold_title(agency)))
    return named != own
