"""The contract every portal simulation follows.

A simulation answers HTTP requests for the *real* host names of one portal (and its
attachment hosts and clone sites), from an in-memory corpus. The spiders reach it
unchanged: the project's transport (``gxcrawler.crawl.transport``) sends a request
for ``http://www.screnhe.gov.cn/...`` to the simulation server when
``GXCRAWLER_SIMULATION_URL`` is set, and the server dispatches on the original URL's
host to the simulation that owns it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol


@dataclass
class SimResponse:
    status: int = 200
    body: bytes = b""
    #: e.g. {"Content-Type": "text/html; charset=gbk", "Last-Modified": ..., "ETag": ...}
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ExpectedReport:
    """One report the simulation publishes: what a perfect crawl must load."""

    agency: str  # canonical full agency name, e.g. 攀枝花市仁和区人民政府办公室
    year: int  # report (statistics) year
    page_url: str  # the detail page listing it
    document_url: str  # where the statistics are read from (page itself or attachment)
    values: dict[str, Decimal]  # the truth, by canonical key
    edition: str = "2021"
    source_type: str = "html"
    #: other URLs serving the same page or document (one report, listed twice)
    aliases: tuple[str, ...] = ()


class PortalSimulation(Protocol):
    name: str  # the spider it simulates, e.g. "panzhihua"
    hosts: tuple[str, ...]  # real host names it answers for

    def handle(self, method: str, url: str, headers: dict[str, str]) -> SimResponse:
        """Answer one request for an absolute URL on one of ``hosts``.

        A simulation that needs the request body (a POSTed form) declares a fourth
        parameter ``body: bytes = b""``; the server passes it by keyword.
        """
        ...

    def expected_reports(self, year: int | None = None) -> list[ExpectedReport]:
        """The reports of ``year`` (all years when None) a crawl must find."""
        ...


def expected_from_docs(docs, year: int | None) -> list[ExpectedReport]:
    """The truth of a simulation whose documents carry ``pub`` (None for noise), ``gone`` and ``url``."""
    return [
        d.pub.expected(d.url)
        for d in docs
        if d.pub is not None and not d.gone and (year is None or d.pub.year == year)
    ]
