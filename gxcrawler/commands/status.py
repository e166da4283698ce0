"""``gxcrawler status``: the last run of each spider, and what the database covers.

Read-only: it names the database it reads (``GXCRAWLER_DATABASE_URL`` or ``--url``, else
``gxcrawler.sqlite3`` in the working directory) and never creates or migrates one.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "status",
        help="last run of each spider; agencies x years found; agencies missing the latest year",
        description=__doc__,
    )
    p.add_argument("--spider", help="only this spider/portal")
    p.add_argument("--url", help="SQLAlchemy URL (default: GXCRAWLER_DATABASE_URL or the SQLite file)")
    p.add_argument("--missing-limit", type=int, default=50, metavar="N",
                   help="list at most N agencies missing the latest year [50]")
    p.add_argument("--failed-limit", type=int, default=100, metavar="N",
                   help="list at most N URLs the last runs could not get [100]")
    p.set_defaults(func=run)


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def run(args: argparse.Namespace) -> int:
    from gxcrawler.crawl import store
    from gxcrawler.db import describe, open_existing, require_current

    engine = open_existing(args.url)
    require_current(engine)
    print(f"Database {describe(engine.url)}\n")
    runs = [r for r in store.last_runs(engine) if not args.spider or r["spider"] == args.spider]
    print("Last runs")
    if not runs:
        print("  (no crawl has run yet)")
    for r in runs:
        took = f"{(r['finished_at'] - r['started_at']).total_seconds():.0f} s" if r["finished_at"] else ""
        print(
            f"  {r['spider']:<12} {_when(r['started_at'])}  {r['outcome'] or 'running':<8} "
            f"{took:>7}  requests {r['requests']:>6}  "
            f"found {r['reports_found']:>5}  new {r['reports_new']:>4}  changed {r['reports_changed']:>4}  "
            f"unchanged {r['reports_unchanged']:>5}  failed {r['reports_failed']:>4}"
        )
        if r["reason"]:
            print(f"  {'':<12} why: {r['reason']}")

    failed = store.failures_of_last_runs(engine, args.spider, limit=args.failed_limit + 1)
    print(f"\nWhat the last runs could not get: {len(failed) if len(failed) <= args.failed_limit else 'more than ' + str(args.failed_limit)}")
    for f in failed[: args.failed_limit]:
        print(f"  {f['spider']:<12} {f['kind'] or '':<10} {f['url']}\n  {'':<12} {'':<10} {f['outcome']}: {f['message']}")

    cov = store.coverage(engine, args.spider)
    print("\nCoverage (agencies with a report, by year)")
    if not cov.years:
        print("  (no reports loaded)")
        return 0
    portals = sorted({p for p, _ in cov.found})
    print("  " + f"{'portal':<12}" + "".join(f"{y:>6}" for y in cov.years) + f"{'agencies':>10}")
    for portal in portals:
        agencies = {a: ys for (p, a), ys in cov.found.items() if p == portal}
        per_year = [sum(1 for ys in agencies.values() if y in ys) for y in cov.years]
        print("  " + f"{portal:<12}" + "".join(f"{n:>6}" for n in per_year) + f"{len(agencies):>10}")
    missing = cov.missing_latest()
    print(f"\nAgencies seen in earlier years without a {cov.latest_year} report: {len(missing)}")
    for portal, agency, last in missing[: args.missing_limit]:
        print(f"  {portal:<12} {agency}  (last: {last})")
    if len(missing) > args.missing_limit:
        print(f"  … and {len(missing) - args.missing_limit} more")
    return 0
