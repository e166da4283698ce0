"""The portal registry: which portals we crawl, where they start, what CMS family built them.

Thousands of county portals cannot each be a spider class. ``gxcrawler/data/portals.tsv``
holds one row per portal (id, name, province/city/county, GB/T 2260 code, family,
dedicated spider if any, start URLs, notes); ``gxcrawler crawl-all`` crawls every row,
through its dedicated spider, else its family's base, else the generic spider. Adding
a county is one line.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from .model import Region

COLUMNS = ("id", "name", "province", "city", "county", "code", "family", "spider", "start_urls", "notes")
#: the CMS families a registry row may name (``auto``: let the generic spider recognise it)
FAMILIES = (
    "auto", "numeric_shtml", "phpcms", "view_column", "gongkai", "henan_dated",
    "trs", "hanweb", "vsb", "gkmlpt", "year_tree", "aspx", "nbyear",
)
_ID = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


@dataclass(frozen=True)
class Portal:
    id: str
    name: str
    province: str
    city: str
    county: str
    code: str
    family: str
    spider: str  # a dedicated spider covering this portal, or ""
    start_urls: tuple[str, ...]
    notes: str = ""

    @property
    def region(self) -> Region:
        return Region(
            province=self.province or None,
            city=self.city or None,
            county=self.county or None,
            division_code=self.code or None,
            portal=self.spider or self.id,
        )

    @property
    def crawler(self) -> str:
        """The spider name its crawl runs under: the dedicated spider's, else the portal's id."""
        return self.spider or self.id


def read(path: str | Path | None = None) -> list[Portal]:
    """The registry's rows (``#`` lines are comments)."""
    if path is None:
        text = resources.files("gxcrawler").joinpath("data/portals.tsv").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    rows = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return [
        Portal(**{k: (row.get(k) or "").strip() for k in COLUMNS if k != "start_urls"},
               start_urls=tuple((row.get("start_urls") or "").split()))
        for row in rows
    ]


#: a registry file to use instead of the packaged one (a private list of portals, a generated benchmark)
REGISTRY_ENV = "GXCRAWLER_PORTALS"


@cache
def registry() -> tuple[Portal, ...]:

    return tuple(read(os.environ.get(REGISTRY_ENV) or None))


def find(key: str) -> Portal | None:
    """A portal by id, or the first whose start URL's host is ``key``'s."""
    for portal in registry():
        if portal.id == key:
            return portal
    host = _host(key)
    return next((p for p in registry() if host and any(_host(u) == host for u in p.start_urls)), None)


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(url if "//" in url else f"http://{url}").hostname or "").removeprefix("www.")


def problems(portals: list[Portal] | tuple[Portal, ...]) -> list[str]:
    """What is wrong with a registry: duplicate ids, bad codes, URLs, families."""
    out: list[str] = []
    seen: set[str] = set()
    for p in portals:
        where = f"{p.id or '?'}"
        if not _ID.match(p.id):
            out.append(f"{where}: id must be lower-case ASCII")
        if p.id in seen:
            out.append(f"{where}: duplicate id")
        seen.add(p.id)
        if p.code and not re.fullmatch(r"\d{6}", p.code):
            out.append(f"{where}: code {p.code!r} is not a 6-digit GB/T 2260 code")
        if p.family not in FAMILIES:
            out.append(f"{where}: unknown family {p.family!r}")
        if not p.start_urls or not all(u.startswith(("http://", "https://")) for u in p.start_urls):
            out.append(f"{where}: start URLs must be http(s)")
        if not p.name or not p.province:
            out.append(f"{where}: name and province are required")
    return out
