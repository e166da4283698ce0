"""What every CMS-family simulation shares: one county's reports, the real web's noise, the truth.

A family simulation (``trs``, ``hanweb``, ``vsb`` …) is one believable county portal built
on one CMS family (docs/spec/portals.md, "Family evidence"). This module builds its
corpus — which agency publishes which year, in which of the real-world title wordings
and in which format (HTML page, PDF or DOCX attachment) — together with the noise real
portals carry: decoys whose titles look like reports (通知, 通报, 解读, 一图读懂 …),
soft-404 pages (HTTP 200 "信息不存在"), other jurisdictions' reports and duplicates
under two URLs. The family module gives every item its URLs and renders its pages in
the family's own markup; this module answers what is common: attachment bytes, the
truth (``expected_reports``) and the pages a perfect crawl needs (``needed_urls``).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from urllib.parse import urlsplit

from gxcrawler.model import Region
from gxcrawler.synthetic import render_docx, render_pdf

from .base import ExpectedReport, SimResponse
from .corpus import YEARS, Publication, not_found, publishes, stable_int, synthetic_publication

# --- titles as real portals write them (docs/spec/portals.md, "Family evidence" §T) -----------

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_TRADITIONAL = str.maketrans(
    "开报县镇乡区办财卫资务东门关发会统计农业环态应医疗数据审场监质书广电视体园岛兴马龙凤宁阳云万义乐华梦庙罗沟苏湾寻温岭桥头坛陈张刘赵杨黄吴铁钢银锦绿红总规范处强许项现请结复讼诉维纠审组织实围协议划这为与经济发展",
    "開報縣鎮鄉區辦財衛資務東門關發會統計農業環態應醫療數據審場監質書廣電視體園島興馬龍鳳寧陽雲萬義樂華夢廟羅溝蘇灣尋溫嶺橋頭壇陳張劉趙楊黃吳鐵鋼銀錦綠紅總規範處強許項現請結復訟訴維糾審組織實圍協議劃這為與經濟發展",
)


def traditional(text: str) -> str:
    """The title as a traditional-character mirror of the page prints it."""
    return text.translate(_TRADITIONAL)


#: variant name -> (agency as printed, year) -> title. Every variant was seen on a real
#: portal (§T of the evidence), except where the evidence section marks it GUESS.
TITLE_VARIANTS: dict[str, Callable[[str, int], str]] = {
    "standard": lambda a, y: f"{a}{y}年政府信息公开工作年度报告",
    "niandu": lambda a, y: f"{a}{y}年度政府信息公开工作年度报告",
    "year_after": lambda a, y: f"{a}政府信息公开工作{y}年度报告",
    "year_paren": lambda a, y: f"{a}政府信息公开工作年度报告（{y}年度）",
    "guanyu": lambda a, y: f"关于{a}{y}年政府信息公开工作的年度报告",
    "gongkai_baogao": lambda a, y: f"{a}{y}年政府信息公开报告",
    "nianbao": lambda a, y: f"{a}{y}年信息公开年报",
    "gongshi": lambda a, y: f"关于{a}{y}年度政府信息公开工作年度报告的公示",
    "spaced": lambda a, y: f"{a} {y} 年政府信息公开工作年度报告",
    "fullwidth": lambda a, y: f"{a}{str(y).translate(_FULLWIDTH)}年政府信息公开工作年度报告",
    "traditional": lambda a, y: traditional(f"{a}{y}年政府信息公开工作年度报告"),
    "no_agency": lambda a, y: f"{y}年政府信息公开工作年度报告",
    "gongkai_niandu": lambda a, y: f"{a}{y}年政府信息公开年度报告",
    "work_report": lambda a, y: f"{a}{y}年度政府信息公开工作报告",
}

#: decoy kind -> (county, an agency, year) -> title: pages that sit in the same columns,
#: often with report words in their titles, and are never a report
DECOYS: dict[str, Callable[[str, str, int], str]] = {
    "notice": lambda c, a, y: f"关于做好{y}年度政府信息公开工作年度报告编制发布工作的通知",
    "bulletin": lambda c, a, y: f"关于{y}年度政府信息公开工作年度报告质量评查情况的通报",
    "status": lambda c, a, y: f"{c}{y}年度政府信息公开工作年度报告公布情况",
    "meeting": lambda c, a, y: f"{c}召开{y + 1}年政务公开暨政府信息公开工作年度报告编制工作部署会",
    "training": lambda c, a, y: f"{c}举办政府信息公开工作年度报告编制培训会议",
    "keypoints": lambda c, a, y: f"{c}{y + 1}年政务公开工作要点",
    "guide": lambda c, a, y: f"{c}人民政府信息公开指南",
    "catalog": lambda c, a, y: f"{c}政府信息公开目录",
    "interpretation": lambda c, a, y: f"《{a}{y}年政府信息公开工作年度报告》解读",
    "infographic": lambda c, a, y: f"一图读懂{c}{y}年政府信息公开工作年度报告",
    "tujie": lambda c, a, y: f"图解：{a}{y}年政府信息公开工作年度报告",
}

#: what a soft-404 page says (with HTTP 200)
SOFT_404 = ("对不起，您访问的信息不存在！", "页面不存在或已被删除", "该信息已删除")


# --- the corpus --------------------------------------------------------------------------


@dataclass(frozen=True)
class Agency:
    """A publisher on the portal."""

    name: str  # the full name, as report titles print it
    source: str  # 来源 / 发布机构 as the portal's pages print it
    fmt: str = "html"  # html | pdf | docx: how its reports are published
    since: int = 2019
    county_wide: bool = False  # the county government's own report


@dataclass
class Item:
    """One document a family portal lists: a report, a decoy, a soft 404 or a foreign report."""

    key: str
    title: str
    published: datetime
    source: str  # 来源 / 发布机构
    role: str = "report"  # report | decoy | soft404 | foreign
    pub: Publication | None = None  # the truth (reports and foreign reports)
    agency: Agency | None = None
    fmt: str = "html"  # html, or pdf/docx when the page only links the report file
    variant: str = ""  # title variant (reports) or decoy kind
    url: str = ""  # the page, given by the family
    aliases: list[str] = field(default_factory=list)  # the same page under other URLs
    file_url: str | None = None  # the attachment, given by the family
    attrs: dict = field(default_factory=dict)  # family-specific (column, ids …)

    @property
    def year(self) -> int | None:
        return self.pub.year if self.pub else self.attrs.get("year")

    @property
    def file_name(self) -> str:
        return f"{self.title}.{self.fmt}"

    @property
    def expected(self) -> bool:
        return self.role == "report"


def build_corpus(
    portal: str,
    region: Region,
    agencies: Iterable[Agency],
    *,
    years: Iterable[int] = YEARS,
    rate: float = 0.8,
    soft404: int = 3,
    decoy_years: Iterable[int] = (2020, 2021, 2022, 2023),
    force: Iterable[tuple[str, int]] = (),
) -> list[Item]:
    """Reports of every agency and year it publishes, every title variant at least once,
    the decoys of every kind, and ``soft404`` listed-but-deleted pages (deterministic).
    ``force``: (agency, year) pairs published whatever the draw (real reports at real URLs)."""
    agencies = list(agencies)
    years = list(years)
    force = set(force)
    county = region.county or ""
    picked: list[tuple[Agency, int]] = []
    missing: list[tuple[Agency, int]] = []
    for agency in agencies:
        for year in years:
            if year < agency.since:
                continue
            chosen = (agency.name, year) in force or publishes(portal, agency.name, year, rate)
            (picked if chosen else missing).append((agency, year))
    picked.sort(key=lambda p: (p[1], p[0].name))
    names = list(TITLE_VARIANTS)
    start = stable_int(portal, "variants") % len(names)
    items: list[Item] = []
    for i, (agency, year) in enumerate(picked):
        variant = names[(start + i) % len(names)]
        if agency.county_wide and variant == "no_agency":
            variant = "standard"
        pub = synthetic_publication(portal, region, agency.name, year, source_name=agency.source)
        pub.report.title = TITLE_VARIANTS[variant](agency.name, year)
        pub.report.traditional = variant == "traditional"
        items.append(Item(f"r{i}", pub.report.title, pub.published, agency.source, "report", pub, agency,
                          agency.fmt, variant))
    dept = next((a.name for a in agencies if not a.county_wide), county)
    spread = list(decoy_years)
    for k, kind in enumerate(DECOYS):
        year = spread[k % len(spread)]
        when = datetime(year + 1, 1 + (k % 4), 3 + (k * 5) % 24, 9 + k % 8, (k * 7) % 60)
        items.append(Item(f"d{kind}", DECOYS[kind](county, dept, year), when, _office(county), "decoy",
                          variant=kind, attrs={"year": year}))
    for n, (agency, year) in enumerate(sorted(missing, key=lambda m: stable_int(portal, "soft", m[0].name, m[1]))[:soft404]):
        when = datetime(year + 1, 2, 10 + n, 10, 5 * n)
        items.append(Item(f"s{n}", TITLE_VARIANTS["standard"](agency.name, year), when, agency.source, "soft404",
                          agency=agency, variant=SOFT_404[n % len(SOFT_404)], attrs={"year": year}))
    return items


def foreign_report(portal: str, region: Region, agency: str, year: int, source: str) -> Item:
    """Another jurisdiction's report (a neighbour county's, a reposted city's): never a row here."""
    pub = synthetic_publication(f"{portal}-foreign", region, agency, year, source_name=source)
    pub.report.title = TITLE_VARIANTS["standard"](agency, year)
    return Item(f"f{year}{agency}", pub.report.title, pub.published, source, "foreign", pub)


def _office(county: str) -> str:
    return f"{county}人民政府办公室"


def assign_ids(items: list[Item], base: int, per_day: int, fixed: dict[int, int] | None = None,
               since: datetime = datetime(2019, 1, 1)) -> None:
    """Give ``items`` (in publication order) distinct IDs rising with the date, as CMS
    sequences do: about ``per_day`` a day from ``base``; ``fixed`` keeps real IDs
    (``id(item)`` -> ID) at their real values."""
    fixed = fixed or {}
    used = set(fixed.values())
    last = base
    for item in items:
        if id(item) in fixed:
            item.attrs["id"] = fixed[id(item)]
            continue
        target = base + (item.published - since).days * per_day + stable_int(item.key, "id") % max(2, per_day // 3)
        last = max(target, last + 1)
        while last in used:
            last += 1
        used.add(last)
        item.attrs["id"] = last


def file_digest(item: Item, n: int = 32) -> str:
    """A stable hex name for an item's attachment."""
    return hashlib.md5(f"{item.key}{item.title}".encode()).hexdigest()[:n]


# --- the portal ----------------------------------------------------------------------------


class FamilyPortal:
    """Common behaviour of the family simulations; a family supplies URLs, markup and routes."""

    name: str = ""
    family: str = ""
    hosts: tuple[str, ...] = ()
    region: Region
    #: where a new user starts: the home page (its 政府信息公开 entry leads to the column)
    start_url: str = ""
    #: the annual-report column itself
    column_url: str = ""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self._files: dict[str, bytes] = {}
        self._lock = threading.Lock()

    # --- truth ---------------------------------------------------------------------------

    def reports(self, year: int | None = None) -> list[Item]:
        return [i for i in self.items if i.expected and (year is None or i.year == year)]

    def expected_reports(self, year: int | None = None) -> list[ExpectedReport]:
        out = []
        for item in self.reports(year):
            kind = item.fmt if item.file_url else "html"
            expected = item.pub.expected(item.url, item.file_url or item.url, kind)
            expected.aliases = tuple(item.aliases)
            out.append(expected)
        return out

    def navigation_urls(self) -> list[str]:
        """Pages between the start URL and the column (home, 政府信息公开 index …)."""
        return [self.start_url]

    def listings(self) -> list[list[tuple[str, list[Item]]]]:
        """Each column a crawl must read, as its list pages in order: (URL, items listed)."""
        raise NotImplementedError

    def needed_requests(self, year: int | None = None) -> list[str]:
        """The requests a perfect crawl from ``start_url`` cannot avoid, to compare a crawl's
        request count with: the way to the column, each column's list pages up to the last
        one listing a wanted report not listed in an earlier column, every wanted report's
        page and attachment. A ``#fragment`` tells apart requests to one URL with different
        bodies (a POSTed form)."""
        wanted = {id(i) for i in self.reports(year)}
        out = list(self.navigation_urls())
        found: set[int] = set()
        for pages in self.listings():
            last = -1
            for n, (_, listed) in enumerate(pages):
                if any(id(i) in wanted and id(i) not in found for i in listed):
                    last = n
            for url, listed in pages[: last + 1]:
                out.append(url)
                found.update(id(i) for i in listed)
        for item in self.reports(year):
            out += [item.url] + ([item.file_url] if item.file_url else [])
        return list(dict.fromkeys(out))

    def needed_urls(self, year: int | None = None) -> set[str]:
        """The distinct URLs of ``needed_requests``."""
        return {u.split("#", 1)[0] for u in self.needed_requests(year)}

    # --- HTTP ----------------------------------------------------------------------------

    def handle(self, method: str, url: str, headers: dict[str, str], body: bytes = b"") -> SimResponse:
        return self.route(method, url, {k.lower(): v for k, v in headers.items()}, body) or not_found()

    def route(self, method: str, url: str, headers: dict[str, str], body: bytes) -> SimResponse | None:
        raise NotImplementedError

    def file_bytes(self, item: Item) -> bytes:
        """The report as the attachment file (rendered once, on first request)."""
        with self._lock:
            if item.key not in self._files:
                render = render_pdf if item.fmt == "pdf" else render_docx
                self._files[item.key] = render(item.pub.report)
            return self._files[item.key]

    def file_response(self, item: Item, *, content_type: str | None = None, disposition: bool = False,
                      encoding: str = "utf-8") -> SimResponse:
        """The attachment, typed by the family: its real type, ``application/octet-stream``,
        and optionally a ``Content-Disposition`` naming the file."""
        body = self.file_bytes(item)
        headers = {"Content-Type": content_type or CONTENT_TYPES[item.fmt],
                   "ETag": '"' + hashlib.sha1(body).hexdigest()[:16] + '"'}
        if disposition:
            from urllib.parse import quote

            name = item.file_name
            try:
                raw = name.encode(encoding).decode("latin-1")
                headers["Content-Disposition"] = f'attachment; filename="{raw}"'
            except UnicodeEncodeError:
                headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return SimResponse(200, body, headers)


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def decoy_body(item: Item, county: str) -> str:
    """A decoy's article body: prose (and an image for the infographics), never the tables."""
    year = item.year or 2022
    if item.variant in ("infographic", "tujie"):
        return (f"<p>{escape(item.title)}</p>"
                f'<p style="text-align:center"><img src="/images/tj{stable_int(item.key) % 10_000}.jpg" width="640"></p>')
    if item.variant == "interpretation":
        return (f"<p>{escape(item.title)}</p><p>一、编制背景　政府信息公开工作年度报告是《中华人民共和国政府信息公开条例》"
                f"确立的法定制度安排。</p><p>二、主要内容　报告全文包括总体情况、主动公开政府信息情况等六部分。</p>"
                f"<p>三、统计期限　本年度报告中所列数据统计期限从{year}年1月1日到{year}年12月31日止。</p>")
    return (f"<p>{escape(item.title)}</p><p>各乡（镇）人民政府、街道办事处，{escape(county)}政府各部门：</p>"
            f"<p>根据《中华人民共和国政府信息公开条例》规定，现就有关事项通知如下。请于{year + 1}年1月31日前完成。</p>")


def report_stub(item: Item, link_html: str) -> str:
    """The short page of a report published as an attachment: a line and the file link."""
    return f"<p>{escape(item.title)}</p><p>附件：{link_html}</p>"


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def shift(when: datetime, minutes: int) -> datetime:
    return when + timedelta(minutes=minutes)
