"""Start the portal simulations so that a person can watch a spider crawl them.

    python -m tests.simulations serve --port 8808
    GXCRAWLER_SIMULATION_URL=http://127.0.0.1:8808 scrapy crawl panzhihua -a year=2021

``python -m tests.simulations list`` shows each simulation's hosts and its reports;
``python -m tests.simulations families`` each family portal's start URL and counts.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from .registry import ALL, FAMILIES, all_simulations
from .server import SimulationServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.simulations")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve all simulations over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8808)
    serve.add_argument("--only", nargs="*", default=list(ALL), help="simulation names")
    serve.add_argument("--latency-ms", type=float, default=0.0, help="delay every answer by this much")
    serve.add_argument("--backlog", type=int, default=128, help="listen queue length")
    listing = sub.add_parser("list", help="hosts and expected reports of each simulation")
    listing.add_argument("--year", type=int)
    families = sub.add_parser("families", help="start URL, reports, noise and needed requests of each family portal")
    families.add_argument("--year", type=int)
    args = parser.parse_args(argv)

    if args.command == "families":
        for sim in all_simulations(FAMILIES):
            roles = Counter(i.role for i in sim.items)
            kinds = Counter(i.fmt for i in sim.reports(args.year))
            print(f"{sim.name} ({sim.family}, {sim.region.county}): start {sim.start_url}  column {sim.column_url}")
            print(f"  reports {len(sim.reports(args.year))} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}); "
                  f"decoys {roles['decoy']}, soft 404 {roles['soft404']}, duplicates "
                  f"{sum(1 for i in sim.reports(args.year) if i.aliases)}; needed requests "
                  f"{len(sim.needed_requests(args.year))}; hosts {', '.join(sim.hosts)}")
        return 0
    if args.command == "list":
        for sim in all_simulations(ALL):
            reports = sim.expected_reports(args.year)
            print(f"{sim.name}: {', '.join(sim.hosts)}")
            for r in sorted(reports, key=lambda r: (r.year, r.agency)):
                print(f"  {r.year} {r.agency}  {r.document_url}")
        return 0

    server = SimulationServer(all_simulations(args.only), host=args.host, port=args.port,
                              backlog=args.backlog, latency=args.latency_ms / 1000)
    url = server.start()
    names = ", ".join(s.name for s in server.simulations)
    print(f"serving {names} at {url}", flush=True)
    print(f"try: GXCRAWLER_SIMULATION_URL={url} scrapy crawl panzhihua -a year=2021", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
