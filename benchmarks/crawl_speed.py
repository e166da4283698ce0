"""Crawl throughput with and without the item pipelines, and the reactor's lag, paired.

    python benchmarks/crawl_speed.py [--workload five|pdf ...] [--rounds 3] [--latency-ms 0] [--polite]

Workloads: ``five`` — ``gxcrawler crawl-all`` of the five portal simulations, all years;
``pdf`` — the Luoning simulation with every report published as a PDF attachment.
Variants, interleaved in every round (order rotated), each crawl into a fresh throwaway
PostgreSQL database (``GXCRAWLER_TEST_PG``, default ``postgresql://postgres@127.0.0.1:5432``):

* ``none``   — ``ITEM_PIPELINES={}``: downloads and spiders only (the ceiling);
* ``thread`` — pipelines, parsing in the reactor's thread pool (``GXCRAWLER_PARSE_WORKERS=0``,
  how every crawl parsed before the parse pool);
* ``pool``   — pipelines, parsing in worker processes (``GXCRAWLER_PARSE_WORKERS``, default
  one per CPU).

Per crawl: seconds from the first spider opened to the last closed (``crawl_runs``) and
of the whole process, CPU seconds of the crawl and its parse workers, reports loaded, and the lateness of a 10 ms reactor timer
(``benchmarks/reactor_lag.py``). Per variant: medians over the rounds and the median of
the per-round throughput ratios to ``none`` (goal: pipelines ≥ 0.8 of ``none``).

Politeness is off by default (``tests.fixtures.sim.FAST``): the simulations then answer as
fast as the machine can ask, the worst case for the pipelines. ``--polite`` keeps the
project's own delays (``gxcrawler/settings.py``: 1 s per host, AutoThrottle): the pace a
real portal is crawled at.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.pg import create_database, drop_database  # noqa: E402
from tests.fixtures.sim import FAST  # noqa: E402
from tests.simulations.luoning import LuoningSimulation  # noqa: E402
from tests.simulations.registry import NAMES, all_simulations  # noqa: E402
from tests.simulations.server import SimulationServer  # noqa: E402

EXTENSIONS = {
    "gxcrawler.crawl.runner.NightlyExtension": 500,
    "benchmarks.reactor_lag.ReactorLagProbe": 0,
}
VARIANTS = {
    "none": {"ITEM_PIPELINES": "{}"},
    "thread": {"GXCRAWLER_PARSE_WORKERS": "0"},
    "pool": {},
}


def workload(name: str):
    if name == "five":
        return all_simulations(NAMES), [arg for n in NAMES for arg in ("--spider", n)]
    return [LuoningSimulation(publish_as="pdf")], ["--spider", "luoning"]


def warm(sims) -> None:
    """Render every document once (the simulations render PDFs on first request)."""
    for sim in sims:
        for report in sim.expected_reports():
            for url in {report.page_url, report.document_url}:
                sim.handle("GET", url, {})


def crawl(server: SimulationServer, spiders: list[str], settings: dict[str, str], workers: str | None,
          polite: bool = False) -> dict:
    db_url = create_database("gxc_bench_crawl")
    with tempfile.TemporaryDirectory(prefix="gxc-bench-") as tmp:
        lag_file = Path(tmp) / "lag.json"
        merged = {**({} if polite else FAST), "LOG_LEVEL": "WARNING", "GX_CRAWLS_DIR": str(Path(tmp) / "crawls"),
                  "EXTENSIONS": json.dumps(EXTENSIONS), "GX_LAG_FILE": str(lag_file), **settings}
        if workers is not None and "GXCRAWLER_PARSE_WORKERS" not in settings:
            merged["GXCRAWLER_PARSE_WORKERS"] = workers
        cmd = [sys.executable, "-m", "gxcrawler", "crawl-all", "--progress", "0", *spiders]
        for key, value in merged.items():
            cmd += ["-s", f"{key}={value}"]
        env = {**os.environ, "GXCRAWLER_SIMULATION_URL": server.url, "GXCRAWLER_DATABASE_URL": db_url,
               "PYTHONPATH": str(ROOT)}
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the crawl and its parse workers
        process_secs = time.perf_counter() - started
        cpu_secs = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if proc.returncode not in (0, 1) or not lag_file.exists():
            drop_database(db_url)
            sys.exit(f"crawl-all failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr[-3000:]}")
        lag = sorted(json.loads(lag_file.read_text()))
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            secs = conn.execute(sa.text(
                "SELECT extract(epoch FROM max(finished_at) - min(started_at)) FROM crawl_runs"
            )).scalar_one()
            loaded = conn.execute(sa.text("SELECT count(*) FROM reports")).scalar_one()
            requests = conn.execute(sa.text("SELECT sum(requests) FROM crawl_runs")).scalar_one()
    finally:
        engine.dispose()
        drop_database(db_url)
    return {
        "secs": float(secs),
        "process": process_secs,
        "cpu": cpu_secs,
        "loaded": loaded,
        "requests": int(requests or 0),
        "lag_p50": 1000 * lag[len(lag) // 2] if lag else 0.0,
        "lag_p95": 1000 * lag[int(len(lag) * 0.95)] if lag else 0.0,
        "lag_max": 1000 * lag[-1] if lag else 0.0,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workload", nargs="+", default=["five", "pdf"], choices=["five", "pdf"])
    ap.add_argument("--variant", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--latency-ms", type=float, default=0.0, help="server delay per answer")
    ap.add_argument("--polite", action="store_true",
                    help="the project's own politeness (DOWNLOAD_DELAY 1 s per host, AutoThrottle) instead of "
                         "none: how fast a real portal lets a crawl download")
    ap.add_argument("--workers", help="GXCRAWLER_PARSE_WORKERS for the pool variant (default: one per CPU)")
    args = ap.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f}; latency {args.latency_ms:g} ms; rounds {args.rounds}; "
          f"{'polite (project defaults)' if args.polite else 'politeness off (FAST)'}",
          flush=True)
    for name in args.workload:
        sims, spiders = workload(name)
        warm(sims)
        server = SimulationServer(sims, latency=args.latency_ms / 1000)
        server.start()
        runs: dict[str, list[dict]] = {v: [] for v in args.variant}
        try:
            for r in range(args.rounds):
                order = args.variant[r % len(args.variant):] + args.variant[: r % len(args.variant)]
                for variant in order:
                    result = crawl(server, spiders, VARIANTS[variant], args.workers, args.polite)
                    runs[variant].append(result)
                    print(f"  {name} round {r + 1} {variant:<6} crawl {result['secs']:6.1f} s  process "
                          f"{result['process']:6.1f} s  cpu {result['cpu']:6.1f} s  loaded {result['loaded']:4d}  requests {result['requests']:5d}"
                          f"  lag p50/p95/max {result['lag_p50']:.0f}/{result['lag_p95']:.0f}/{result['lag_max']:.0f} ms"
                          f"  (load {os.getloadavg()[0]:.2f})", flush=True)
        finally:
            server.stop()
        print(f"\n{name}: medians of {args.rounds} rounds")
        print("| variant | crawl s | process s | CPU s (crawl + workers) | reports loaded "
              "| throughput vs none (median of rounds) | reactor lag p50 / p95 / max ms |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for variant, results in runs.items():
            def med(key: str, results=results) -> float:
                return statistics.median(x[key] for x in results)

            ratio = ""
            if "none" in runs and variant != "none":
                ratios = [n["secs"] / x["secs"] for n, x in zip(runs["none"], results, strict=True)]
                ratio = f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})"
            print(f"| {variant} | {med('secs'):.1f} | {med('process'):.1f} | {med('cpu'):.1f} | {med('loaded'):.0f} | {ratio} "
                  f"| {med('lag_p50'):.0f} / {med('lag_p95'):.0f} / {med('lag_max'):.0f} |")
        print(flush=True)
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
