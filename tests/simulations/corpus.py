"""The deterministic corpus every portal simulation is built from.

Which agency publishes which year, with which title wording, tables and values, is a
pure function of (portal, agency, year): the same simulation is served on every run
and its truth (``ExpectedReport``) is known exactly. Report bodies come from the
synthetic generator (``gxcrawler.synthetic``); the real seed reports are placed at
their real URLs with the truth in ``tests/data/truth/``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from email.utils import format_datetime
from functools import cache
from html import escape
from pathlib import Path

from gxcrawler.agencies import canonical_agency
from gxcrawler.catalog import keys_for
from gxcrawler.model import Region
from gxcrawler.synthetic import SyntheticReport, make_report, render_body_html
from gxcrawler.synthetic.report import TITLE_FORMATS, edition_for

from .base import ExpectedReport, SimResponse

DATA = Path(__file__).resolve().parents[1] / "data"
YEARS = tuple(range(2019, 2025))
CST = timezone(timedelta(hours=8))


def stable_int(*parts: object) -> int:
    """A seed that depends only on ``parts`` (never on PYTHONHASHSEED)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:6], "big")


def chance(probability: float, *parts: object) -> bool:
    return (stable_int("chance", *parts) % 10_000) / 10_000 < probability


def publishes(portal: str, agency: str, year: int, rate: float = 0.8) -> bool:
    """Does this agency publish a report for ``year`` on this portal? (deterministic)"""
    return chance(rate, portal, agency, year)


@dataclass
class Publication:
    """One report as a portal publishes it: the synthetic truth plus where it lives."""

    portal: str
    region: Region
    report: SyntheticReport
    style: str = "separate_tables"
    seed_file: str | None = None
    body_override: str | None = None  # the seed's own HTML body
    extra: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.report.title

    @property
    def year(self) -> int:
        return self.report.year

    @property
    def published(self) -> datetime:
        return self.report.published

    @property
    def source_name(self) -> str:
        return self.report.source_name or self.report.agency

    @property
    def canonical_agency(self) -> str:
        return canonical_agency(self.report.agency, self.region).name

    def body_html(self) -> str:
        return self.body_override if self.body_override is not None else render_body_html(self.report, self.style)

    def expected(self, page_url: str, document_url: str | None = None, source_type: str = "html") -> ExpectedReport:
        return ExpectedReport(
            agency=self.canonical_agency,
            year=self.year,
            page_url=page_url,
            document_url=document_url or page_url,
            values=dict(self.report.values),
            edition=self.report.edition,
            source_type=source_type,
        )


def synthetic_publication(
    portal: str,
    region: Region,
    agency: str,
    year: int,
    *,
    source_name: str | None = None,
    styles: tuple[str, ...] = ("separate_tables", "word_export", "single_table"),
) -> Publication:
    """A synthetic report by ``agency`` (the name as its title prints it) for ``year``."""
    seed = stable_int(portal, agency, year)
    # About one report in eleven breaks its own arithmetic, as real ones do: the crawl must
    # load its printed numbers and record the failed identities.
    consistent = seed % 11 != 0
    report = make_report(seed, year=year, agency=agency, edition=edition_for(year), consistent=consistent)
    fmt = TITLE_FORMATS[seed % len(TITLE_FORMATS)]
    report.title = fmt.format(agency=agency, year=year)
    if source_name is not None:
        report.source_name = source_name
    style = styles[seed % len(styles)]
    return Publication(portal=portal, region=region, report=report, style=style)


# --- the real seeds -----------------------------------------------------------


def seed_text(name: str) -> str:
    (path,) = (DATA / "seeds").glob(f"{name}_*.txt")
    return path.read_text(encoding="utf-8")


def seed_available(name: str) -> bool:
    """Is there a truth file for this seed? (Without one, a synthetic report takes its place.)"""
    return any((DATA / "truth").glob(f"{name}_*.json"))


@cache
def seed_truth(name: str) -> dict:
    """The parser engineer's truth for a seed (``tests/data/truth/{name}_*.json``)."""
    paths = list((DATA / "truth").glob(f"{name}_*.json"))
    if not paths:
        raise FileNotFoundError(f"no truth file for seed {name} in tests/data/truth/")
    return json.loads(paths[0].read_text(encoding="utf-8"))


def seed_values(name: str) -> dict[str, Decimal]:
    """The seed's true cell values by canonical key.

    The truth file lists each row's printed cells in the catalog's column order
    (``"s3.new": [2, 0, 0, 0, 0, 0, 2]``); a ``null`` cell has no value.
    """
    truth = seed_truth(name)
    keys = keys_for(truth["edition"])
    values: dict[str, Decimal] = {}
    for row, cells in truth["rows"].items():
        columns = [k for k in keys if k.rsplit(".", 1)[0] == row]
        if len(columns) != len(cells):
            raise ValueError(f"seed {name}: row {row} has {len(cells)} cells, the catalog {len(columns)}")
        values.update({k: Decimal(str(v)) for k, v in zip(columns, cells, strict=True) if v is not None})
    return values


def seed_prose(text: str) -> list[str]:
    """The seed's paragraphs before the statistics (二、主动公开…) and after them (五、…)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.startswith("一、")), 0)
    stop = next((i for i, ln in enumerate(lines) if ln.startswith("二、")), len(lines))
    return lines[start:stop]


def seed_publication(
    name: str, portal: str, region: Region, *, agency: str, year: int, published: datetime, source_name: str
) -> Publication:
    """A real seed report: its own title and prose, tables carrying its true values."""
    truth = seed_truth(name)
    text = seed_text(name)
    title = truth.get("title") or next(ln.strip() for ln in text.splitlines() if "报告" in ln)
    edition = truth.get("edition") or edition_for(year)
    values = seed_values(name)
    blank = [k for k in keys_for(edition) if k not in values]
    report = make_report(stable_int("seed", name), year=year, agency=agency, edition=edition)
    report.title = title
    report.values = values
    report.blank = blank
    report.printed = {k: (_plain(values[k]) if k in values else "") for k in keys_for(edition)}
    report.prose = seed_prose(text)
    report.published = published
    report.source_name = source_name
    report.malformed, report.extra_rows, report.labels = [], [], {}
    return Publication(portal=portal, region=region, report=report, seed_file=name)


def _plain(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else format(value, "f")


# --- HTTP helpers shared by the simulations -----------------------------------


def html_response(text: str, *, encoding: str = "utf-8", declare: str = "header",
                  last_modified: datetime | None = None) -> SimResponse:
    """An HTML page encoded as the portal does it, with validators for conditional GETs.

    ``declare``: ``header`` (charset in Content-Type), ``meta`` (a ``<meta>`` only),
    ``wrong`` (the header names another charset than the bytes are in) or ``none`` (no
    declaration anywhere: clients must sniff).
    """
    if declare == "meta":
        text = text.replace("<head>", f'<head><meta http-equiv="Content-Type" content="text/html; charset={encoding}">', 1)
    body = text.encode(encoding, errors="xmlcharrefreplace")
    content_type = f"text/html; charset={encoding}" if declare == "header" else "text/html"
    if declare == "wrong":
        content_type = "text/html; charset=" + ("utf-8" if encoding.lower().startswith("gb") else "gbk")
    headers = {"Content-Type": content_type, "ETag": '"' + hashlib.sha1(body).hexdigest()[:16] + '"'}
    if last_modified is not None:
        local = last_modified.replace(tzinfo=CST) if last_modified.tzinfo is None else last_modified
        headers["Last-Modified"] = format_datetime(local.astimezone(UTC), usegmt=True)
    return SimResponse(200, body, headers)


def not_found(encoding: str = "utf-8") -> SimResponse:
    page = "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1><p>您访问的页面不存在或已被删除</p></body></html>"
    return SimResponse(404, page.encode(encoding), {"Content-Type": f"text/html; charset={encoding}"})


def truncate(title: str, limit: int = 26) -> str:
    """How list pages shorten long titles (the full title stays in ``title=``)."""
    return title if len(title) <= limit else title[: limit - 1] + "…"


def link(url: str, title: str, limit: int | None = None) -> str:
    text = truncate(title, limit) if limit else title
    return f'<a href="{escape(url)}" title="{escape(title)}" target="_blank">{escape(text)}</a>'


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url).split("?")[0] or "/"
