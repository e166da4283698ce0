"""Title, agency, statistics year and publication date of a report.

Only the first lines of a page are searched (the facts sit at the top), with precompiled
regexes; ``dateparser`` is the fallback for a labelled date the regexes cannot read, never
the hot path. The report year comes from the title or the report's own wording, never from
the publishing date or a date widget (``2023年11月5日 星期天``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .normalize import compact_title

HEAD_LINES = 80

_TITLE = re.compile(r"(?:19|20)\d{2}\s*年?\s*度?.{0,30}?(?:报告|年报)")
_YEARLESS_END = re.compile(r"(?:年度报告|工作报告)[\s)）]*$")
_TITLE_END = re.compile(r"(?:报告|年报)[\s)）]*$")
_NOT_REPORT_TITLE = re.compile(r"通知|指南|目录|公告|意见|办法|方案|函$|申请表|制度")
_REPORT_WORDS = ("信息公开", "政务公开")
_TITLE_PREFIX = re.compile(r"^\s*(?:标题|题名|名称)\s*[:：]\s*")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年?\s*度?")
_YEAR_IN_TEXT = re.compile(
    r"((?:19|20)\d{2})\s*年\s*度?\s*(?:的)?\s*(?:政府)?\s*信息公开|统计[^。]{0,12}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日"
)
_DATE_LABEL = re.compile(
    r"(?:发布时间|发布日期|发文日期|成文日期|公开日期|发稿时间|更新时间|时间|日期)[\s|]*[:：]?[\s|]*"
    r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
)
_DATE_LABEL_ANY = re.compile(
    r"(?:发布时间|发布日期|发文日期|公开日期)[\s|]*[:：][\s|]*([^|\u3000]{4,30}?)(?=\s{2,}|来源|\||$)"
)
_AGENCY_LABEL = re.compile(r"(?:来源|发布机构|发布单位|发文机关|信息来源)[\s|]*[:：][\s|]*([^\s|:：]{2,40})")
_AGENCY_CUT = re.compile(r"(?:关于)?(?:(?:19|20)\d{2}\s*年?|政府信息公开|信息公开|政务公开).*$")
_AGENCY_TAIL = re.compile(r"(?:作者|阅读|浏览|点击|字号|发布).*$")


@dataclass
class Metadata:
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    published: date | None = None
    title_found: bool = False  # a report-like title line was found in the document itself


def looks_like_report_title(text: str) -> bool:
    t = text.strip()
    return (
        bool(_TITLE_END.search(t))
        and any(w in t for w in _REPORT_WORDS)
        and not _NOT_REPORT_TITLE.search(t)
        and len(t) <= 90
    )


def find_title(lines: Sequence[str], candidates: Sequence[str] = ()) -> str | None:
    """The first report-like title among the page's own title candidates, else the head lines."""
    for need_year in (True, False):
        for pool in (candidates, lines[:HEAD_LINES]):
            for raw in pool:
                for piece in raw.split("|"):
                    t = _TITLE_PREFIX.sub("", piece).strip()
                    if not 6 <= len(t) <= (90 if need_year else 40) or ">" in t:
                        continue
                    if need_year and not _TITLE.search(t):
                        continue
                    if not need_year and (len(t) < 10 or not _YEARLESS_END.search(t)):
                        continue  # a bare 信息公开年报 is a column name, not a title
                    if looks_like_report_title(t):
                        return compact_title(t)
    return None


def agency_from_title(title: str) -> str | None:
    a = _AGENCY_CUT.sub("", title).strip(" ：:-—_|")
    return a if len(a) >= 2 else None


def year_from(title: str | None, lines: Sequence[str]) -> int | None:
    if title:
        m = _YEAR_IN_TITLE.search(title)
        if m:
            return int(m.group(1))
    for line in lines[:HEAD_LINES]:
        m = _YEAR_IN_TEXT.search(line)
        if m:
            return int(m.group(1) or m.group(2))
    return None


def published_from(lines: Sequence[str]) -> date | None:
    for line in lines[:HEAD_LINES]:
        if "日期" not in line and "时间" not in line:
            continue
        m = _DATE_LABEL.search(line)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
        m2 = _DATE_LABEL_ANY.search(line)
        if m2:
            d = _dateparser(m2.group(1))
            if d:
                return d
    return None


def _dateparser(text: str) -> date | None:
    import dateparser  # slow to import and to run: only for dates the regexes cannot read

    try:
        dt = dateparser.parse(text, languages=["zh", "en"], settings={"STRICT_PARSING": True})
    except Exception:  # noqa: BLE001 - a library quirk must not fail the parse
        return None
    return dt.date() if dt else None


def agency_from_page(lines: Sequence[str]) -> str | None:
    for line in lines[:HEAD_LINES]:
        m = _AGENCY_LABEL.search(line)
        if m:
            a = _AGENCY_TAIL.sub("", m.group(1)).strip()
            if len(a) >= 2:
                return a
    return None


def extract(
    lines: Sequence[str],
    *,
    title_candidates: Sequence[str] = (),
    hints: dict[str, str] | None = None,
) -> Metadata:
    hints = hints or {}
    md = Metadata()
    title = find_title(lines, title_candidates)
    md.title_found = title is not None
    if title is None:
        hint_title = hints.get("title")
        title = compact_title(hint_title) if hint_title else None
        if title is None:
            title = next((compact_title(c) for c in title_candidates if c.strip()), None)
    md.title = title
    md.agency = (
        (agency_from_title(title) if title else None) or agency_from_page(lines) or hints.get("agency")
    )
    md.year = year_from(title if md.title_found else None, lines)
    if md.year is None:
        hint_year = hints.get("year")
        if hint_year and str(hint_year).isdigit():
            md.year = int(hint_year)
        elif title:
            md.year = year_from(title, ())
    md.published = published_from(lines)
    if md.published is None and hints.get("published"):
        try:
            md.published = date.fromisoformat(hints["published"][:10])
        except ValueError:
            md.published = _dateparser(hints["published"])
    return md
