"""First crawl vs unchanged re-crawl of the portal simulations: requests, bytes, seconds.

    python benchmarks/recrawl.py [--spider NAME …] [--year 2021] [--clones N]

Starts every simulation behind one local server, creates a throwaway PostgreSQL
database (``GXCRAWLER_TEST_PG``, default ``postgresql://postgres@127.0.0.1:5432``),
runs ``gxcrawler crawl-all`` twice with politeness delays off, and prints, per
spider, what each crawl cost (from ``crawl_runs``) and what the server answered.
Target: the re-crawl downloads no report page or attachment (304s only) and costs
under 10% of the first crawl.

``--clones N``: instead of the five seed portals, the first N portals of the generated
registry of ``benchmarks/distributed.py`` (portal *i* = CMS-family simulation *i mod 7* under
its own hosts, crawled by the generic spider from its start URL): the seven families'
portals, whose sizes differ from the seeds'.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.pg import create_database, drop_database  # noqa: E402
from tests.fixtures.sim import DEFAULT_NIGHTS, FAST  # noqa: E402
from tests.simulations.clones import clones as make_clones  # noqa: E402
from tests.simulations.clones import registry  # noqa: E402
from tests.simulations.registry import all_simulations  # noqa: E402
from tests.simulations.server import SimulationServer  # noqa: E402


def crawl(server: SimulationServer, db_url: str, spiders: list[str], year: str | None, crawls: Path,
          extra: dict[str, str] | None = None, env: dict[str, str] | None = None) -> float:
    cmd = [sys.executable, "-m", "gxcrawler", "crawl-all", "--progress", "0"]
    for name in spiders:
        cmd += ["--spider", name]
    if year:
        cmd += ["--year", year]
    settings = {**FAST, **DEFAULT_NIGHTS, "LOG_LEVEL": "WARNING", "GX_CRAWLS_DIR": str(crawls), **(extra or {})}
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    env = {**os.environ, "GXCRAWLER_SIMULATION_URL": server.url, "GXCRAWLER_DATABASE_URL": db_url, **(env or {})}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"crawl-all failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr[-3000:]}")
    return seconds


def snapshot(db_url: str) -> dict[str, sa.Row]:
    """Every ``fetches`` row as the store holds it now, by URL."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT url, spider, kind, etag, last_modified, outcome, message, status_code, sha256, hints FROM fetches")).all()
    finally:
        engine.dispose()
    return {r.url: r for r in rows}


def kind_of(url: str, status: int, known: dict[str, sa.Row], starts: set[str]) -> str:
    """What one request of the re-crawl was, by what the store knew of its URL after the first crawl."""
    if urlsplit(url).path == "/robots.txt":
        return "robots.txt"
    if url in starts:
        return "start page"
    row = known.get(url)
    if row is None:
        return "unknown to the store (new or a redirect)"
    if row.kind in ("list", "json", "script"):
        return "list page"
    if row.outcome in ("failed", "refused"):
        return "document whose last fetch failed"
    if row.etag or row.last_modified:
        return f"document with validators ({'304' if status == 304 else status})"
    return f"document without validators ({status})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spider", action="append", help="only this spider (repeatable; default: all simulated)")
    parser.add_argument("--year", help="report year or range (default: all years)")
    parser.add_argument("--revalidate-every", type=int, default=28, metavar="N",
                        help="GX_REVALIDATE_EVERY for the re-crawl (the default 28; 1: every document every night)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for both crawls (repeatable), e.g. GX_LIST_REVISIT_EVERY=1")
    parser.add_argument("--clones", type=int, metavar="N",
                        help="the first N portals of the generated registry (the seven CMS families) instead")
    parser.add_argument("--urls", action="store_true", help="print every request of the re-crawl")
    parser.add_argument("--robots-cache-hours", default="24",
                        help="GX_ROBOTSTXT_CACHE_HOURS for both crawls (the default 24; 0: asked by every crawl)")
    args = parser.parse_args()
    both = {"GX_ROBOTSTXT_CACHE_HOURS": args.robots_cache_hours, **dict(item.split("=", 1) for item in args.set)}

    year = int(args.year) if args.year and args.year.isdigit() else None
    env: dict[str, str] = {}
    if args.clones:
        sims = make_clones(args.clones)
        registry_file = Path(tempfile.mkdtemp()) / "portals.tsv"
        registry(sims, registry_file)
        env["GXCRAWLER_PORTALS"] = str(registry_file)
        # the clones' URLs: their family's expected reports under the clone's own hosts
        documents = {c.rewrite(url) for c in sims for r in c.sim.expected_reports(year)
                     for url in (r.page_url, r.document_url)}
    else:
        sims = all_simulations()
        documents = {url for sim in sims for r in sim.expected_reports(year) for url in (r.page_url, r.document_url)}
    spiders = args.spider or [s.name for s in sims]
    server = SimulationServer(sims)
    server.start()
    db_url = create_database("gxc_bench_recrawl")
    crawls = Path(os.environ.get("TMPDIR", "/tmp")) / f"gxc-bench-crawls-{os.getpid()}"
    try:
        walls, logs, stores = [], [], []
        for extra in (both, {**both, "GX_REVALIDATE_EVERY": str(args.revalidate_every)}):
            server.reset_counts()
            walls.append(crawl(server, db_url, spiders, args.year, crawls, extra, env))
            logs.append(list(server.log))
            stores.append(snapshot(db_url))
        engine = sa.create_engine(db_url)
        with engine.connect() as conn:
            runs = conn.execute(sa.text(
                "SELECT spider, requests, bytes, reports_found, reports_new, reports_unchanged, outcome, "
                "extract(epoch FROM finished_at - started_at) AS secs FROM crawl_runs ORDER BY id"
            )).all()
        engine.dispose()
    finally:
        server.stop()
        drop_database(db_url)

    first, second = runs[: len(runs) // 2], runs[len(runs) // 2 :]
    print(f"{'spider':<10} {'crawl':<8} {'requests':>8} {'KB':>9} {'secs':>6} {'found':>6} {'new':>5} "
          f"{'unchanged':>9} outcome")
    totals = {"first": Counter(), "re-crawl": Counter()}
    for label, rows in (("first", first), ("re-crawl", second)):
        for r in rows:
            print(f"{r.spider:<10} {label:<8} {r.requests:>8} {r.bytes / 1024:>9.0f} {float(r.secs):>6.1f} "
                  f"{r.reports_found:>6} {r.reports_new:>5} {r.reports_unchanged:>9} {r.outcome}")
            totals[label].update(requests=r.requests, bytes=r.bytes)
    f, s = totals["first"], totals["re-crawl"]
    print()
    print(f"re-crawl with GX_REVALIDATE_EVERY={args.revalidate_every}")
    print(f"total first:    {f['requests']:>6} requests {f['bytes'] / 1e6:>7.2f} MB {walls[0]:>6.1f} s (process)")
    print(f"total re-crawl: {s['requests']:>6} requests {s['bytes'] / 1e6:>7.2f} MB {walls[1]:>6.1f} s (process)")
    print(f"re-crawl / first: requests {s['requests'] / f['requests']:.1%}, bytes {s['bytes'] / f['bytes']:.1%}, "
          f"seconds {walls[1] / walls[0]:.1%}")
    robots = sum(1 for _, url, _ in logs[1] if url.endswith("/robots.txt"))
    others = len(logs[1]) - robots - sum(1 for _, url, _ in logs[1] if url in documents)
    print(f"re-crawl requests: {len(logs[1])} = robots.txt {robots} + report pages/attachments "
          f"{len(logs[1]) - robots - others} + list pages and other {others}")
    # start pages: the registry's start URLs (clones), else the list pages no other list page links
    if args.clones:
        starts = {c.start_url for c in sims}
    else:
        linked = {u for r in stores[0].values() if r.kind in ("list", "json", "script")
                  for u in (r.hints or {}).get("children") or ()}
        starts = {u for u, r in stores[0].items() if r.kind in ("list", "json", "script") and u not in linked}
    kinds = Counter(kind_of(url, status, stores[0], starts) for _, url, status in logs[1])
    print("re-crawl requests by kind (what the store knew after the first crawl):")
    for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:>5}  {kind}")
    failed = Counter(f"{r.spider} {r.kind} {r.status_code}: {(r.message or '')[:90]}" for r in stores[0].values()
                     if r.outcome in ("failed", "refused"))
    if failed:
        print(f"the first crawl's failed or refused fetches ({sum(failed.values())}), asked again every night:")
        for what, n in failed.most_common():
            print(f"  {n:>5}  {what}")
        for r in stores[0].values():
            if args.urls and r.outcome in ("failed", "refused"):
                print(f"  failed: {r.url} ({r.kind} {r.status_code}: {(r.message or '')[:60]})")
    hosts = {urlsplit(url).netloc for _, url, _ in logs[1]}
    asked = len(logs[1]) + (0 if robots else len(hosts))
    print(f"a night >= 24 h later asks robots.txt again (RFC 9309 caches it 24 h at most), once per host the "
          f"re-crawl contacted: {len(hosts)} hosts -> {asked} requests, {asked / f['requests']:.1%} of the first")
    for _, url, status in logs[1]:
        if args.urls:
            print(f"  re-crawl asked: {url} ({status}) [{kind_of(url, status, stores[0], starts)}]")
        elif url.endswith("/robots.txt"):
            print(f"  robots.txt asked again: {url} ({status})")
    statuses = Counter(status for _, url, status in logs[1] if url in documents)
    downloaded = sum(1 for _, url, status in logs[1] if url in documents and status == 200)
    print(f"re-crawl answers for report pages/attachments: {dict(statuses)}; downloaded again: {downloaded}")
    for _, url, status in logs[1]:
        if url in documents and status == 200:
            print(f"  downloaded again: {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
