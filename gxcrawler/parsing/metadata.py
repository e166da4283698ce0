"""Title, agency, statistics year and publication date of a report.

What a report title is, its year and its agency come from the shared title detectors
(:mod:`gxcrawler.discovery.titles`), the same the crawler uses on list pages; labelled
publisher lines from :mod:`gxcrawler.discovery.pages`. This module adds what only a
document has:

* a title printed over two lines (the agency on its own line above
  ``2023年政府信息公开工作年度报告``, or cut as ``…2023年政府`` / ``信息公开工作年度报告``);
* the agency named in the narrative's self-reference (``特编制…2023年政府信息公开工作年度报告``,
  ``现将…2023年政府信息公开工作情况公布如下``, ``现公布…``, ``…编制了2023年…``) when the
  title names none — before a ``来源`` line, which often names the office that posted it;
* the statistics year from the period sentence (``统计期限自2023年1月1日起…``), and from the
  URL's year folder (``…/2023nb/202401/t20240115_….html``) when nothing else says it —
  never from a publishing date or a date widget (``2023年11月5日 星期天``);
* the publication date from the page's own 发布日期 / 公开日期 / 成文日期 line — a 发布/公开
  date before a 成文 date — never from a capture or print time (``采集时间``, ``打印日期``);
* document-information titles that say nothing (``Administrator``, ``微软用户``, ``Scan_…``,
  ``扫描全能王…``) are not titles.

Only the first lines of a document are searched (the facts sit at the top), with
precompiled regexes; ``dateparser`` is the fallback for a labelled date the regexes
cannot read, never the hot path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from urllib.parse import unquote, urlsplit

from ..discovery.pages import clean_agency, labelled_agency
from ..discovery.titles import is_annual_report, report_year, title_agency
from .normalize import compact_title

#: a character OCR did not read with certainty (= gxcrawler.formats.ocr.UNREAD)
UNREAD = "\ufffd"
_UNREAD_RUN = re.compile(UNREAD + "+")
#: a name never begins with a Latin letter or a digit: a scan's stray mark (``1砚山县财政局``)
_STRAY_HEAD = re.compile(r"^[0-9A-Za-z]+")
HEAD_LINES = 80
#: the narrative's opening may follow a long metadata block
NARRATIVE_LINES = 160

_TITLE_PREFIX = re.compile(r"^\s*(?:标题|题名|名称)\s*[:：]\s*")
_OTHER_LABEL = re.compile(r"^[\u4e00-\u9fff]{1,6}\s*[:：]")
#: what follows a title in a page's <title> or a file name: 年度报告_某某县人民政府门户网站, 年度报告.pdf
_TRAILER = re.compile(r"\s*(?:[-_|—–]+[^-_|—–]*|\.(?:pdf|docx?|wps|xlsx?|s?html?))$", re.I)
_HAS_YEAR = re.compile(r"(?:19|20)\d{2}")
_YEARLESS_END = re.compile(r"(?:年度报告|工作报告)[\s)）]*$")

# ---------------------------------------------------------------- statistics year
_PERIOD = re.compile(
    r"统计[^。；]{0,14}?((?:19|20)\d{2})\s*年\s*0?1\s*月\s*0?1\s*日"  # 统计期限自2023年1月1日起
    r"|统计[^。；]{0,14}?截[至止]\s*((?:19|20)\d{2})\s*年\s*12\s*月\s*31\s*日"  # 数据统计截至2023年12月31日
)
_YEAR_IN_TEXT = re.compile(r"((?:19|20)\d{2})\s*年\s*度?\s*(?:的)?\s*(?:政府)?\s*信息公开")
#: a folder naming the statistics year: 2023, 2023nb, nb2023, 2023nd, zfxxgknb2023, 2023ndbg
_YEAR_FOLDER = re.compile(r"^[a-z_]{0,12}?((?:19|20)\d{2})[a-z_]{0,12}$")
_DATE_FOLDER = re.compile(r"^\d{1,2}$|^\d{4}$|^\d{6}$|^\d{8}$")  # 01 / 0115 / 202401 / 20240115

# ---------------------------------------------------------------- publication date
_DATE = r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
#: labels by trust: the publication itself, then the document's date, then bare words
_DATE_LABELS = (
    ("发布日期", "发布时间", "公开日期", "公开时间", "发文日期", "发稿时间"),
    ("成文日期", "印发日期", "生成日期"),
    ("更新时间", "时间", "日期"),
)
#: a time that is not the document's: when it was captured, printed, visited
_NOT_PUBLICATION = re.compile(r"(?:采集|打印|抓取|下载|访问|浏览|截图|当前|今天|今日|系统)\s*(?:时间|日期)")
_DATE_LINE = re.compile(
    r"(" + "|".join(label for group in _DATE_LABELS for label in group) + r")[\s|]*[:：]?[\s|]*" + _DATE
)
_DATE_LABEL_ANY = re.compile(
    r"(?:发布时间|发布日期|发文日期|公开日期)[\s|]*[:：][\s|]*([^|\u3000]{4,30}?)(?=\s{2,}|来源|\||$)"
)
_DATE_RANK = {label: rank for rank, group in enumerate(_DATE_LABELS) for label in group}

# ---------------------------------------------------------------- agency
#: how an organ's name ends (a line holding only this is the agency line of a title block)
_ORGAN_END = (
    r"(?:人民政府|政府|办公室|办公厅|管理委员会|管委会|委员会|街道办事处|办事处|街道|苏木|"
    r"局|委|厅|办|镇|乡|中心|院|所|站|队|处|部|会|馆|社|署|区|县|市|州|旗|盟|场|公司|集团)"
)
_ORGAN = re.compile(r"^[\u4e00-\u9fff（）()]{2,30}?" + _ORGAN_END + r"$")
_NOT_ORGAN = re.compile(r"^(?:本|我|该|各|全|贵|根据|按照|结合|为了?)|报告|条例|要求|年度|公开|目录|指南")
_Y = r"(?:19|20)\d{2}\s*年\s*度?"
_REPORT_WORDS = r"(?:的)?(?:政府|政务)?信息公开"
_SELF_REFERENCE = (
    re.compile(r"(?:特|现|兹)编制了?(?P<a>[^，,。；;、“”《》\s]{2,30}?)" + _Y + _REPORT_WORDS),
    re.compile(r"现将(?P<a>[^，,。；;、“”《》\s]{2,30}?)" + _Y + _REPORT_WORDS),
    re.compile(r"(?:现|特此|特)(?:予以)?公布(?P<a>[^，,。；;、“”《》\s]{2,30}?)" + _Y + _REPORT_WORDS),
    re.compile(r"[，,。；;](?P<a>[^，,。；;、“”《》\s]{2,30}?)(?:特|组织)?编制了?(?:本|" + _Y + _REPORT_WORDS + ")"),
)

# ---------------------------------------------------------------- titles that say nothing
_MEANINGLESS_TITLE = re.compile(
    r"^(?:[\x00-\x7f]*|微软用户|微软中国|用户|管理员|无标题|未命名|Untitled|"
    r"(?:新建\s*)?(?:Microsoft\s*)?(?:Word|WPS|Office)\s*文档\s*\d*|文档\s*\d+|扫描全能王.*|Scan.*|"
    r"PowerPoint\s*演示文稿|.*\.(?:docx?|wps|pdf|xlsx?))$",
    re.I,
)


@dataclass
class Metadata:
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    published: date | None = None
    title_found: bool = False  # a report-like title line was found in the document itself
    warnings: list[str] = field(default_factory=list)


def looks_like_report_title(text: str) -> bool:
    """A 政府信息公开工作年度报告's title (the shared detector; a yearless one too)."""
    return is_annual_report(text)


def says_something(title: str | None) -> bool:
    """False for document-information titles that name nothing (``Administrator``, ``Scan_…``)."""
    t = (title or "").strip()
    return bool(t) and not _MEANINGLESS_TITLE.match(t)


def _clean(piece: str) -> str:
    """A title line as printed, without a ``标题:`` label, a site-name suffix or a file extension.

    A line under another label (``上一篇：``, ``相关链接：``) is a link to another document: "".
    """
    t = compact_title(_TITLE_PREFIX.sub("", piece))
    if _OTHER_LABEL.match(t):
        return ""
    while (cut := _TRAILER.sub("", t)) != t and is_annual_report(cut):
        t = cut
    return t


def _with_year(t: str) -> bool:
    return 6 <= len(t) <= 90 and ">" not in t and report_year(t) is not None


def _yearless(t: str) -> bool:
    # a bare 信息公开年报 is a column name, not a title
    return 10 <= len(t) <= 40 and ">" not in t and bool(_YEARLESS_END.search(t)) and is_annual_report(t)


class _Pieces:
    """Each line, or each ``|`` cell of a line that holds a row of cells, cleaned when first read.

    Most pages name their title in their first candidate, so the other lines are never
    cleaned (cleaning every head line cost a third of a small page's first read).
    """

    def __init__(self, pool: Sequence[str]) -> None:
        self._raw = (piece for raw in pool for piece in raw.split("|") if piece.strip())
        self._done: list[str] = []

    def __iter__(self) -> Iterator[str]:
        i = 0
        while True:
            if i == len(self._done):
                piece = next(self._raw, None)
                if piece is None:
                    return
                self._done.append(_clean(piece))
            yield self._done[i]
            i += 1


def find_title(lines: Sequence[str], candidates: Sequence[str] = (), *, split: bool = False) -> str | None:
    """The first report title among the page's own title candidates, else the head lines.

    With ``split`` (documents, not web pages: their first lines are the document's own),
    a title printed over two lines is joined: the agency on its own line above a title
    that names none, or a title cut after its year (``…2023年政府`` / ``信息公开工作年度报告``).
    """
    head = _Pieces(lines[:HEAD_LINES])
    own = _Pieces(candidates)
    found = next((t for t in own if _with_year(t)), None)
    if found is None and not split:  # a web page's heading beats any line (sidebars list other reports)
        found = next((t for t in own if _yearless(t)), None)
    if found is None:
        found = next((t for t in head if _with_year(t)), None)
    if found is None and split:
        found = _cut_title(head)
    if found is None:
        found = next((t for pool in (own, head) for t in pool if _yearless(t)), None)
    if found is not None and split and title_agency(found) is None:
        found = _agency_line_above(found, head) or found
    return found


def _cut_title(head: Iterable[str]) -> str | None:
    """A title broken after its year or mid-phrase: ``某局2023年政府`` + ``信息公开工作年度报告``."""
    for first, second in pairwise(head):
        if not first or len(first) > 40 or not _HAS_YEAR.search(first) or is_annual_report(first):
            continue
        joined = first + second
        if _with_year(joined) and not _with_year(second) and _HAS_YEAR.search(first[-8:]):
            return joined
    return None


def _agency_line_above(title: str, head: Iterable[str]) -> str | None:
    for above, line in pairwise(head):
        if line == title and _ORGAN.match(above) and not _NOT_ORGAN.search(above):
            joined = above + title
            return joined if title_agency(joined) == above else None
    return None


def agency_from_title(title: str) -> str | None:
    return title_agency(title)


def agency_from_narrative(lines: Sequence[str]) -> str | None:
    """The agency the report's own opening names (``特编制某局2023年政府信息公开…``).

    The lines are read as one text: a PDF's text layer wraps sentences (``…编制了2019`` /
    ``年政府信息公开工作年度报告``).
    """
    text = compact_title("".join(ln.strip() for ln in lines[:NARRATIVE_LINES]))
    if "信息公开" not in text:
        return None
    found = []
    for pattern in _SELF_REFERENCE:
        for m in pattern.finditer(text):
            name = m.group("a")
            if _ORGAN.match(name) and not _NOT_ORGAN.search(name):
                found.append((m.start(), name))
                break
    return min(found)[1] if found else None


def _sure(reading: str) -> bool:
    """An agency reading that needs no other to confirm it (no unread character, no stray mark)."""
    return UNREAD not in reading and not _STRAY_HEAD.match(reading)


def confirmed_agency(readings: Sequence[str | None], lines: Sequence[str]) -> tuple[str | None, str | None]:
    """The first agency reading, unless OCR left characters of it unread (:data:`UNREAD`) or it
    begins with a Latin letter or digit (a stray mark read with the title, ``1砚山县财政局``):
    then only another reading that is sure and agrees with it everywhere else (the narrative's
    self-reference, the closing line: a line that is exactly the name) — each run of unread
    characters standing for one to as many characters (``氵丰`` for ``沣``). Else none, and
    why (a doubtful name is never guessed: a wrong agency is worse than none)."""
    first = next((r for r in readings if r), None)
    if first is None or _sure(first):
        return first, None
    head = _STRAY_HEAD.match(first)  # a stray mark before the name: maybe not the name's
    pattern = re.compile(
        (f"(?:{re.escape(head.group())})?" if head else "")
        + "".join(
            f"[^{UNREAD}]{{1,{len(part)}}}" if part.startswith(UNREAD) else re.escape(part)
            for part in re.split(f"({UNREAD}+)", first[head.end() if head else 0 :])
            if part
        )
    )
    for other in (*readings, *(ln.strip() for ln in lines)):
        if other and UNREAD not in other and not _STRAY_HEAD.match(other) and pattern.fullmatch(other):
            return other, None
    shown = _UNREAD_RUN.sub(lambda m: "?" * len(m.group()), first)
    return None, (
        f"agency left out: OCR read it with doubtful characters ({shown}) and nothing in the document confirms it"
    )


def agency_from_page(lines: Sequence[str]) -> str | None:
    """A labelled publisher (``来源:``, ``发布机构:``); a website or news agency is none."""
    for line in lines[:HEAD_LINES]:
        if agency := labelled_agency(line):
            return agency
    return None


def year_from(title: str | None, lines: Sequence[str]) -> int | None:
    """The title's year, else the period sentence's, else a year the narrative ties to 信息公开."""
    if title:
        y = report_year(title)
        if y is None:
            m = _HAS_YEAR.search(title)
            y = int(m.group(0)) if m and is_annual_report(title) else None
        if y is not None:
            return y
    for pattern in (_PERIOD, _YEAR_IN_TEXT):
        for line in lines[:NARRATIVE_LINES]:
            m = pattern.search(line)
            if m:
                return int(next(g for g in m.groups() if g))
    return None


def year_from_url(url: str | None) -> int | None:
    """The statistics year an address's folder names (``/2023nb/``, ``/ndbg/2023/``, ``/nb2023/``).

    Only folders, never the file name (``t20240115_…``); a bare year followed by a month
    or day folder is a publication path (``/2024/01/15/``), and two different years
    decide nothing.
    """
    if not url or not url.lower().startswith(("http://", "https://")):
        return None
    folders = [f.lower() for f in unquote(urlsplit(url).path).split("/")[1:-1]]
    years = set()
    for i, folder in enumerate(folders):
        m = _YEAR_FOLDER.match(folder)
        if not m:
            continue
        after = folders[i + 1] if i + 1 < len(folders) else ""
        if folder.isdigit() and after and _DATE_FOLDER.match(after) and len(after) <= 4:
            continue  # /2024/01/ or /2024/0115/: when it was posted
        years.add(int(m.group(1)))
    return years.pop() if len(years) == 1 else None


def published_from(lines: Sequence[str]) -> date | None:
    """The date on the best-labelled line: 发布/公开 before 成文 before a bare 时间/日期."""
    best: tuple[int, date] | None = None
    for line in lines[:HEAD_LINES]:
        if "日期" not in line and "时间" not in line:
            continue
        for m in _DATE_LINE.finditer(line):
            if _NOT_PUBLICATION.search(line[max(0, m.start() - 4) : m.start() + len(m.group(1))]):
                continue
            try:
                d = date(int(m.group(2)), int(m.group(3)), int(m.group(4)))
            except ValueError:
                continue
            rank = _DATE_RANK[m.group(1)]
            if best is None or rank < best[0]:
                best = (rank, d)
        if best is None:
            m2 = _DATE_LABEL_ANY.search(line)
            if m2 and (dated := _dateparser(m2.group(1))):
                best = (0, dated)
        if best is not None and best[0] == 0:
            break
    return best[1] if best else None


def _date_in(text: str) -> date | None:
    m = re.search(_DATE, text)
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    except ValueError:
        return None


def _dateparser(text: str) -> date | None:
    import dateparser  # slow to import and to run: only for dates the regexes cannot read

    try:
        dt = dateparser.parse(text, languages=["zh", "en"], settings={"STRICT_PARSING": True})
    except Exception:  # noqa: BLE001 - a library quirk must not fail the parse
        return None
    return dt.date() if dt else None


def extract(
    lines: Sequence[str],
    *,
    title_candidates: Sequence[str] = (),
    hints: dict[str, str] | None = None,
    url: str | None = None,
    split_title: bool = False,
    page_meta: dict[str, str] | None = None,
) -> Metadata:
    """The metadata of a document from its lines (``split_title`` for documents, not web pages).

    ``page_meta``: a web page's ``<meta name="PubDate">`` and ``ContentSource`` (the article
    metadata government CMSs print), used where the page's own lines say nothing.
    """
    hints = hints or {}
    page_meta = page_meta or {}
    md = Metadata()
    candidates = [c for c in title_candidates if says_something(c)]
    title = find_title(lines, candidates, split=split_title)
    md.title_found = title is not None
    if title is None:
        hint_title = hints.get("title")
        title = compact_title(hint_title) if hint_title else None
        if title is None:
            title = next((compact_title(c) for c in candidates if c.strip()), None)
    md.title = title
    by_title = agency_from_title(title) if title else None
    # a sure reading from the title is what confirmed_agency returns whatever the others say:
    # the others (the narrative's opening compacted and searched: ~5 % of a page) only when not
    md.agency, doubt = (by_title, None) if by_title and _sure(by_title) else confirmed_agency(
        [
            by_title,
            agency_from_narrative(lines),
            agency_from_page(lines),
            clean_agency(page_meta.get("contentsource", "")),
            hints.get("agency"),
        ],
        lines,
    )
    if doubt:
        md.warnings.append(doubt)
    md.year = year_from(title if md.title_found else None, lines)
    if md.year is None:
        hint_year = hints.get("year")
        if hint_year and str(hint_year).isdigit():
            md.year = int(hint_year)
        elif title and report_year(title):
            md.year = report_year(title)
        else:
            md.year = year_from_url(url)
    md.published = published_from(lines) or _date_in(page_meta.get("pubdate", ""))
    if md.published is None and hints.get("published"):
        try:
            md.published = date.fromisoformat(hints["published"][:10])
        except ValueError:
            md.published = _dateparser(hints["published"])
    return md
