"""Discovery on the CMS-family simulations: reports found, wrong rows, requests vs pages needed.

    python benchmarks/discovery.py [--sim trs hanweb …] [--mode generic family] [--year 2022]
                                   [--details]   (PostgreSQL: GXCRAWLER_TEST_PG, as the tests)

For every family simulation (tests/simulations, ``FAMILIES``) and every mode, crawls from the
simulation's start URL (its home page) with ``scrapy crawl portal`` in a subprocess, into a
throwaway PostgreSQL database, through the project's transport:

* ``generic`` — the generic spider with nothing but the start URL (it must recognise the
  family on the pages);
* ``family`` — the same spider told the family (``-a family=…``), as a family base is.

Then compares the loaded reports with the simulation's truth: found / expected (by agency
and year), wrong rows (a loaded report the truth does not have: a decoy, a soft 404,
another county, a duplicate, a wrong agency or year), and the requests sent against the
pages a perfect crawl cannot avoid (``needed_requests``). The databases are dropped.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.pg import create_database, drop_database  # noqa: E402
from tests.fixtures.sim import run_crawl  # noqa: E402
from tests.simulations import registry  # noqa: E402
from tests.simulations.server import SimulationServer  # noqa: E402
from tests.spiders.helpers import loaded_reports  # noqa: E402

#: simulation name -> the family name the spiders use
FAMILY_OF = {"trs": "trs", "hanweb": "hanweb", "vsb": "vsb", "gkmlpt": "gkmlpt", "yeartree": "year_tree",
             "powereasy": "aspx", "epoint": "epoint"}


@dataclass
class Measure:
    sim: str
    mode: str
    expected: int
    found: int
    wrong: list[str]
    missing: list[str]
    requests: int
    needed: int
    returncode: int
    values_differ: list[str]
    redirects: int

    @property
    def ratio(self) -> float:
        return self.requests / self.needed if self.needed else float("nan")


def _requests(log: str) -> int:
    m = re.search(r"'downloader/request_count': (\d+)", log)
    return int(m.group(1)) if m else 0


def measure(sim, mode: str, server: SimulationServer, year: int | None) -> Measure:
    url = create_database("gxc_discovery")
    try:
        args = {"start_url": sim.start_url}
        if year:
            args["year"] = str(year)
        if mode == "family":
            args["family"] = FAMILY_OF.get(sim.name, sim.name)
        run = run_crawl("portal", sim_url=server.url, db_url=url, args=args, settings={"LOG_LEVEL": "INFO"})
        loaded = loaded_reports(url)
    finally:
        drop_database(url)
    expected = sim.expected_reports(year)
    want = Counter((e.agency, e.year) for e in expected)
    have = Counter((r.agency, r.year) for r in loaded)
    found = sum((want & have).values())
    wrong = sorted(f"{a} {y}" for (a, y), n in (have - want).items() for _ in range(n))
    missing = sorted(f"{a} {y}" for (a, y), n in (want - have).items() for _ in range(n))
    needed = len(sim.needed_requests(year)) if hasattr(sim, "needed_requests") else 0
    truth = {(e.agency, e.year): e.values for e in expected}
    differ = sorted(f"{r.agency} {r.year}" for r in loaded if (r.agency, r.year) in truth
                    and r.values != truth[(r.agency, r.year)])
    redirects = sum(int(n) for n in re.findall(r"'downloader/response_status_count/30[1278]': (\d+)", run.log))
    return Measure(sim.name, mode, len(expected), found, wrong, missing, _requests(run.log), needed, run.returncode,
                   differ, redirects)


def table(rows: list[Measure]) -> str:
    out = ["| simulation | spider | found / expected | wrong rows | values differ | requests (redirects) / needed | ratio |",
           "|---|---|---|---|---|---|---|"]
    for m in rows:
        pct = 100 * m.found / m.expected if m.expected else 100.0
        out.append(f"| {m.sim} | {m.mode} | {m.found} / {m.expected} ({pct:.0f} %) | {len(m.wrong)} | "
                   f"{len(m.values_differ)} | {m.requests} ({m.redirects}) / {m.needed} | {m.ratio:.2f}× |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    names = getattr(registry, "FAMILIES", ())
    parser.add_argument("--sim", nargs="*", default=list(names), help="simulation names [all family simulations]")
    parser.add_argument("--mode", nargs="*", default=["generic", "family"], choices=["generic", "family"])
    parser.add_argument("--year", type=int)
    parser.add_argument("--details", action="store_true", help="list the wrong and missing rows")
    args = parser.parse_args(argv)
    sims = registry.all_simulations(args.sim)
    if not sims:
        print("no family simulation found", file=sys.stderr)
        return 1
    server = SimulationServer(sims)
    server.start()
    rows = []
    try:
        for sim in sims:
            for mode in args.mode:
                m = measure(sim, mode, server, args.year)
                rows.append(m)
                print(f"{m.sim:<10} {m.mode:<8} found {m.found}/{m.expected} wrong {len(m.wrong)} "
                      f"values differ {len(m.values_differ)} requests {m.requests}/{m.needed} rc={m.returncode}",
                      flush=True)
                if args.details:
                    for line in m.wrong:
                        print(f"    wrong   {line}")
                    for line in m.missing:
                        print(f"    missing {line}")
                    for line in m.values_differ:
                        print(f"    values  {line}")
    finally:
        server.stop()
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
