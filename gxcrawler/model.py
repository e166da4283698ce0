"""Plain data passed between the parts of the project (no Scrapy, no database).

* ``ExtractedDocument`` — what a format reader (PDF, DOCX, DOC) hands the parser.
* ``ParseResult`` — what the parser returns; ``to_json()`` is the spec's output.
* ``Region`` / ``Provenance`` — what a crawl knows about where a document came from,
  needed by the loader to key agencies and trace every number to its bytes.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

STATUSES = ("ok", "partial", "no_tables", "not_a_report", "error")
SOURCE_TYPES = ("html", "text", "pdf", "docx", "doc", "xlsx", "xls", "mht", "ocr")


@dataclass(frozen=True)
class OcrCell:
    """A number cell read by OCR: its best reading, the least sure character's probability,
    and the other readings the recogniser found close (a doubtful ``0``/``6``/``8``)."""

    text: str
    confidence: float
    alternatives: tuple[str, ...] = ()
    #: the picture (page) it was read from, 1-based in the reader's input: a value traced to it
    page: int | None = None


@dataclass
class ExtractedDocument:
    """A non-HTML document reduced to text and tables.

    ``tables`` holds each table as rows of cell texts; a merged cell's text is
    repeated in every position it covers when the reader knows the span, and
    ``""`` stands for an empty or unknown cell.
    """

    source_type: str
    text: str
    tables: list[list[list[str]]] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    title: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: documents read by OCR: the number cells' readings by (table, row, column); a doubtful
    #: one stands in ``tables`` as the unread mark (``gxcrawler.formats.ocr.UNREAD``)
    ocr: dict[tuple[int, int, int], OcrCell] | None = None


@dataclass(frozen=True)
class Check:
    """One identity evaluated on one report: ``left`` should equal ``right``.

    Frozen: a parse's checks are what its fingerprint hashed (``gxcrawler.fingerprint.seal``).
    """

    rule: str
    ok: bool
    left: Decimal
    right: Decimal
    #: the report's own sentence, for a check of the text against the tables (``narrative.*``)
    sentence: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule, "ok": self.ok, "left": _num(self.left), "right": _num(self.right)}
        if self.sentence is not None:
            out["sentence"] = self.sentence
        return out


#: parse statuses the loader stores as a report (others: the document alone)
REPORTABLE = ("ok", "partial", "no_tables")


@dataclass
class ParseResult:
    source: str
    status: str = "ok"
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    published: date | None = None
    edition: str | None = None
    values: dict[str, Decimal] = field(default_factory=dict)
    blank: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    message: str | None = None
    source_type: str | None = None
    images: list[str] = field(default_factory=list)
    #: numbers the text states compared with their cells (``gxcrawler.parsing.narrative``):
    #: ``left`` stated, ``right`` the table's; kept apart from the identities in ``checks``
    narrative: list[Check] = field(default_factory=list)
    #: cells read by OCR, by key: ``read`` (every character sure) or ``settled`` (a doubtful
    #: reading chosen because it alone satisfies the identities); stored per cell
    ocr: dict[str, str] = field(default_factory=dict)
    #: a web page whose tables are pictures: the SHA-256 of each picture read, in page order
    #: (``Provenance.pictures``), and the picture each cell was read from (key -> 1-based place)
    pictures: list[str] = field(default_factory=list)
    picture: dict[str, int] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        """The object of ``docs/spec/metrics.md`` (plus ``message`` when there is one)."""
        out: dict[str, Any] = {
            "source": self.source,
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "published": self.published.isoformat() if self.published else None,
            "edition": self.edition,
            "values": {k: _num(v) for k, v in self.values.items()},
            "blank": list(self.blank),
            "checks": [c.to_json_dict() for c in self.checks],
            "warnings": list(self.warnings),
            "status": self.status,
        }
        if self.message:
            out["message"] = self.message
        if self.images:
            out["images"] = list(self.images)
        if self.ocr:
            out["ocr"] = dict(self.ocr)
        if self.pictures:
            out["pictures"] = list(self.pictures)
            out["picture"] = dict(self.picture)
        if self.narrative:
            out["narrative"] = [c.to_json_dict() for c in self.narrative]
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_json_dict(), ensure_ascii=False)

    @property
    def failed_checks(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def stored_checks(self) -> list[Check]:
        """What the database stores as the report's checks: the identities, then the narrative's."""
        return self.checks + self.narrative if self.narrative else self.checks


@dataclass(frozen=True)
class Region:
    """Where an agency sits; supplied by the portal spider, not guessed by the parser."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    division_code: str | None = None  # GB/T 2260 code of the county, where known
    portal: str | None = None  # spider name, e.g. "panzhihua"


@dataclass
class Provenance:
    """What was fetched, from where and when: lets any number be traced and re-parsed."""

    content: bytes
    page_url: str | None = None
    document_url: str | None = None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    content_type: str | None = None
    spider: str | None = None
    #: list-page hints (title, agency, date as listed) used when the document lacks them
    hints: dict[str, str] = field(default_factory=dict)
    #: a web page's table pictures, (url, bytes) in page order, read with the page: stored as
    #: documents of their own and linked to the report (``report_pictures``)
    pictures: list[tuple[str, bytes]] = field(default_factory=list)
    #: the page's table pictures that could not be fetched this time (URLs): the stored report,
    #: read with them, stays as it is (``gxcrawler.db.loader``)
    missing_pictures: list[str] = field(default_factory=list)

    @functools.cached_property
    def sha256(self) -> str:
        """Hashed once: the loader reads it several times, and a PDF can be megabytes."""
        return hashlib.sha256(self.content).hexdigest()

    @functools.cached_property
    def picture_shas(self) -> list[str]:
        """The SHA-256 of each picture, in page order (hashed once, like :attr:`sha256`)."""
        return [hashlib.sha256(content).hexdigest() for _, content in self.pictures]

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("content")
        d["sha256"] = self.sha256
        d["pictures"] = [[url, sha] for (url, _), sha in zip(self.pictures, self.picture_shas, strict=True)]
        return d


def _num(v: Decimal | int | float) -> int | float:
    """A JSON number for a cell value: integers stay integers, decimals keep their digits."""
    d = Decimal(v)
    if d == d.to_integral_value():
        return int(d)
    return float(str(d))
