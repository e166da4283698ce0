"""``gxcrawler portals list|check``: the portal registry, and a dry run on any portal.

``check URL|ID`` fetches the start page and the lists below it with the generic
spider, names the CMS family it recognised and lists the reports found per year; it
writes nothing (no database, no job dir). With ``GXCRAWLER_SIMULATION_URL`` set it
runs against the offline simulations.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("portals", help="the portal registry: list it, or check a portal (writes nothing)",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="portals_command", metavar="list|check")
    sub.required = True
    listing = sub.add_parser("list", help="every portal of the registry")
    listing.add_argument("--family", help="only this CMS family")
    listing.set_defaults(func=run_list)
    check = sub.add_parser("check", help="crawl a portal's lists, detect its family, list its reports per year")
    check.add_argument("target", help="a start URL (comma-separated for several) or a registry id")
    check.add_argument("--year", help="report year or range, e.g. 2023 or 2019-2024")
    check.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy setting")
    check.add_argument("--titles", action="store_true", help="print every report's title and URL")
    check.set_defaults(func=run_check)


def run_list(args: argparse.Namespace) -> int:
    from gxcrawler import portals

    rows = [p for p in portals.registry() if not args.family or p.family == args.family]
    print(f"{'id':<11} {'family':<13} {'code':<6}  {'spider':<10} name / start URL")
    for p in rows:
        print(f"{p.id:<11} {p.family:<13} {p.code or '-':<6}  {p.crawler:<10} {p.name}  {' '.join(p.start_urls)}")
    print(f"{len(rows)} portals")
    problems = portals.problems(portals.registry())
    for problem in problems:
        print(f"registry: {problem}", file=sys.stderr)
    return 1 if problems else 0


def run_check(args: argparse.Namespace) -> int:
    from gxcrawler import portals
    from gxcrawler.crawl.check import check_portal

    row = portals.find(args.target) if "://" not in args.target else None
    urls = list(row.start_urls) if row else [u for u in args.target.split(",") if u]
    settings: dict[str, str] = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"portals check: -s expects NAME=VALUE, got {item!r}")
        settings[name] = value
    result = check_portal(urls, year=args.year, settings=settings)
    families = ", ".join(f"{name} ({n} pages)" for name, n in result.families.most_common()) or "none recognised"
    print(f"portal: {' '.join(urls)}" + (f"  [{row.id}: {row.name}]" if row else ""))
    print(f"family: {families}")
    print(f"requests: {result.requests}  list pages: {result.lists}" +
          (f"  errors: {dict(result.errors)}" if result.errors else ""))
    by_year = result.by_year()
    print(f"reports: {len(result.reports)}")
    for year, found in by_year.items():
        print(f"  {year or 'year not in the title'}: {len(found)}")
        if args.titles:
            for f in sorted(found, key=lambda f: f.title):
                print(f"      {f.title}  {f.url}")
    return 0 if result.reports else 1
