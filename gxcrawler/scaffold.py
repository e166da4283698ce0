"""``gxcrawler new-portal``: the files a new portal needs, following the family pattern.

A portal is a registry row (``gxcrawler/data/portals.tsv``; its spider is the family's
base or the generic spider, ``spiders/registered.py``) or, with ``--class``, a small
declarative class in ``spiders/<id>.py`` on its family's base. Either way it gets an
offline simulation stub (``tests/simulations/<id>.py``: a list page and two synthetic
reports whose truth is known) and a test (``tests/portals/test_<id>.py``) that crawls the
stub with ``scrapy crawl <id>`` and compares the database with the truth. The stub is
where the portal's real markup goes once it has been seen (docs/developer-guide.md,
"Adding a portal"); the registry's evidence goes to ``docs/spec/portals.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import portals
from .errors import UserError

#: family -> (module, class) of a spider base that starts from URLs (spiders/families/); ``auto`` is the
#: generic spider. The seed families' bases (numeric_shtml, phpcms …) start from hand-written columns.
FAMILY_CLASSES = {
    "auto": ("", "PortalSpider"), "trs": ("trs", "TrsSpider"), "hanweb": ("hanweb", "HanwebSpider"),
    "vsb": ("vsb", "VsbSpider"), "gkmlpt": ("gkmlpt", "GkmlptSpider"), "year_tree": ("year_tree", "YearTreeSpider"),
    "aspx": ("aspx", "AspxSpider"), "nbyear": ("nbyear", "NbYearSpider"),
}


@dataclass(frozen=True)
class NewPortal:
    id: str
    name: str  # the portal's publisher, e.g. 某某县人民政府
    start_url: str
    province: str
    city: str = ""
    county: str = ""
    code: str = ""
    family: str = "auto"
    with_class: bool = False

    @property
    def host(self) -> str:
        return urlsplit(self.start_url).hostname or ""

    @property
    def class_name(self) -> str:
        return "".join(p.capitalize() for p in self.id.split("_")) + "Spider"


def check(root: Path, new: NewPortal) -> None:
    """Refuse what would break the registry or overwrite a file (one line each)."""
    registry = root / "gxcrawler" / "data" / "portals.tsv"
    if not registry.exists():
        raise UserError(f"{registry} not found: run new-portal from the repository root (or pass --root)")
    row = portals.Portal(id=new.id, name=new.name, province=new.province, city=new.city, county=new.county,
                         code=new.code, family=new.family, spider=new.id if new.with_class else "",
                         start_urls=(new.start_url,))
    existing = portals.read(registry)
    problems = portals.problems([*existing, row])
    if problems:
        raise UserError("; ".join(problems))
    if new.with_class and new.family not in FAMILY_CLASSES:
        raise UserError(f"--class: the {new.family} base starts from hand-written columns (see spiders/panzhihua.py); "
                        f"use one of {', '.join(FAMILY_CLASSES)} or leave out --class")
    taken = [p.id for p in existing if portals._host(new.start_url) in {portals._host(u) for u in p.start_urls}]
    if taken:
        raise UserError(f"{new.host} is already in the registry (row {taken[0]})")
    for path in targets(root, new):
        if path.exists():
            raise UserError(f"{path} exists already; not overwriting it")


def targets(root: Path, new: NewPortal) -> list[Path]:
    files = [root / "tests" / "simulations" / f"{new.id}.py", root / "tests" / "portals" / f"test_{new.id}.py"]
    if new.with_class:
        files.insert(0, root / "spiders" / f"{new.id}.py")
    return files


def registry_line(new: NewPortal) -> str:
    spider = new.id if new.with_class else ""
    note = "added by gxcrawler new-portal; simulation tests/simulations/" + new.id + ".py is a stub"
    fields = (new.id, new.name, new.province, new.city, new.county, new.code, new.family, spider, new.start_url, note)
    if any("\t" in f or "\n" in f for f in fields):
        raise UserError("no tabs or line breaks in the portal's fields")
    return "\t".join(fields) + "\n"


def spider_source(new: NewPortal) -> str:
    module, base = FAMILY_CLASSES[new.family]
    imports = f"from .families.{module} import {base}\n" if module else "from .portal import PortalSpider\n"
    return f'''"""{new.name}: {new.start_url} ({new.family}).

Written by ``gxcrawler new-portal``. A declarative class on its family's base: name,
region and where to start (the allowed domains follow from the start URLs); override a
family hook only for what this portal does differently (spiders/families/base.py lists them).
"""

from __future__ import annotations

from gxcrawler.model import Region

{imports}

class {new.class_name}({base}):
    name = "{new.id}"
    region = Region(province={new.province!r}, city={new.city or None!r}, county={new.county or None!r},
                    division_code={new.code or None!r}, portal="{new.id}")
    default_start_urls = ("{new.start_url}",)
'''


def simulation_source(new: NewPortal) -> str:
    agency = new.county + "人民政府" if new.county else new.name
    return f'''"""Offline simulation of {new.name} ({new.start_url}) — a STUB written by ``gxcrawler new-portal``.

It serves the start page as a plain list of two synthetic reports ({agency}, 2022 and
2023) and their pages, so the test crawls something from the first minute. Replace it
with the portal as it really is once its pages have been seen: its list markup,
pagination, attachments and noise (the family simulations in this folder show how;
tests/simulations/family.py builds a family portal's corpus and decoys). Mark every
shape you did not see as a GUESS in this docstring.
"""

from __future__ import annotations

from urllib.parse import urljoin

from gxcrawler.model import Region

from .base import ExpectedReport, SimResponse
from .corpus import html_response, link, not_found, path_of, synthetic_publication

START_URL = "{new.start_url}"
REGION = Region(province={new.province!r}, city={new.city or None!r}, county={new.county or None!r},
                division_code={new.code or None!r}, portal="{new.id}")
AGENCY = "{agency}"
YEARS = (2022, 2023)


class Simulation:
    name = "{new.id}"
    hosts = ("{new.host}",)

    def __init__(self) -> None:
        self.reports = {{urljoin(START_URL, f"report_{{y}}.html"): synthetic_publication(self.name, REGION, AGENCY, y)
                        for y in YEARS}}

    def handle(self, method: str, url: str, headers: dict[str, str]) -> SimResponse:
        if path_of(url) == path_of(START_URL):
            items = "".join(f"<li>{{link(u, p.title)}}<span>{{p.published:%Y-%m-%d}}</span></li>"
                            for u, p in self.reports.items())
            return html_response(f"<html><head><title>政府信息公开年报</title></head><body>"
                                 f"<h1>政府信息公开年报</h1><ul>{{items}}</ul></body></html>")
        pub = self.reports.get(url.split("?")[0])
        if pub is None:
            return not_found()
        return html_response(f"<html><head><title>{{pub.title}}</title></head><body><h1>{{pub.title}}</h1>"
                             f"<p>发布时间：{{pub.published:%Y-%m-%d}}</p>{{pub.body_html()}}</body></html>")

    def expected_reports(self, year: int | None = None) -> list[ExpectedReport]:
        return [p.expected(u) for u, p in self.reports.items() if year is None or p.year == year]


def make_simulation() -> Simulation:
    return Simulation()
'''


def test_source(new: NewPortal) -> str:
    return f'''"""{new.name}: ``scrapy crawl {new.id}`` on its offline simulation loads exactly its reports.

Written by ``gxcrawler new-portal``; keep it passing as the simulation grows into the real portal.
"""

from __future__ import annotations

import pytest

from tests.fixtures.sim import run_crawl
from tests.simulations.{new.id} import make_simulation
from tests.simulations.server import SimulationServer
from tests.spiders.helpers import diff_reports, loaded_reports


@pytest.fixture(scope="module")
def server():
    server = SimulationServer([make_simulation()])
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_{new.id}_loads_exactly_the_simulated_reports(server, pg_url):
    run = run_crawl("{new.id}", sim_url=server.url, db_url=pg_url)
    assert run.returncode == 0, run.log[-3000:]
    assert diff_reports(loaded_reports(pg_url), make_simulation().expected_reports()) == []
'''


def write(root: Path, new: NewPortal) -> list[Path]:
    """Write the portal's files (after :func:`check`); returns what was written, registry first."""
    check(root, new)
    registry = root / "gxcrawler" / "data" / "portals.tsv"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text + ("" if text.endswith("\n") else "\n") + registry_line(new), encoding="utf-8")
    sources = [simulation_source(new), test_source(new)]
    if new.with_class:
        sources.insert(0, spider_source(new))
    written = [registry]
    for path, source in zip(targets(root, new), sources, strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        init = path.parent / "__init__.py"
        if path.parent.name == "portals" and not init.exists():
            init.write_text("")
        path.write_text(source, encoding="utf-8")
        written.append(path)
    return written
