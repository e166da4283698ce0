"""Crawl throughput with and without the item pipelines, and the reactor's lag, paired.

    python benchmarks/crawl_speed.py [--workload five|pdf|families ...] [--rounds 3] [--latency-ms 0] [--polite]

Workloads: ``five`` — ``gxcrawler crawl-all`` of the five portal simulations, all years;
``pdf`` — the Luoning simulation with every report published as a PDF attachment;
``families`` — the seven CMS-family simulations (``tests/simulations/family.py``), each under
host names of its own (``tests/simulations/clones.py``) and crawled by the generic spider from a
portal registry, as ``benchmarks/distributed.py`` does: 356 documents, 104 of them PDFs (the
five's: 267, 17) — another mix of formats. An addition to ``five``, not a replacement (more
clones than seven would repeat the same agencies, whose reports are then loaded again).
Variants, interleaved in every round (order rotated), each crawl into a fresh throwaway
PostgreSQL database (``GXCRAWLER_TEST_PG``, default ``postgresql://postgres@127.0.0.1:5432``):

* ``none``   — ``ITEM_PIPELINES={}``: downloads and spiders only (the ceiling);
* ``thread`` — pipelines, parsing in the reactor's thread pool (``GXCRAWLER_PARSE_WORKERS=0``,
  how every crawl parsed before the parse pool);
* ``pool``   — pipelines, parsing in worker processes (``GXCRAWLER_PARSE_WORKERS``, default
  one per CPU);
* ``wait1``  — as ``pool``, a partial batch loaded after 1 s instead of 10 (``GXCRAWLER_LOAD_WAIT``):
  in a crawl of seconds the loads then overlap the downloads instead of following them;
* ``nice10``, ``nice5`` — as ``pool``, the workers at nice +10 or +5 (``GXCRAWLER_PARSE_NICE``):
  the reactor first when the CPUs are short.

Per crawl: seconds from the first spider opened to the last closed (``crawl_runs``) and
of the whole process, CPU seconds of the crawl and its parse workers, reports loaded, and the lateness of a 10 ms reactor timer
(``benchmarks/reactor_lag.py``). Per variant: medians over the rounds and the median of
the per-round throughput ratios to ``none`` (goal: pipelines ≥ 0.8 of ``none``).

Where the CPU went (a second table): from the first spider opened to the last
closed, the crawl process's reactor thread, its other threads (the loader's writer, the
store's, the parse pool's feeders) and its parse workers (``reactor_lag.py``); the
simulation server (threads of this process) and PostgreSQL (the postmaster's ended
children — backends, autovacuum — read from ``/proc``, so only for a server on this
machine) over the whole crawl process. Their sum over the CPUs this process may use
(``sched_getaffinity``) is the least wall time the crawl could take on this machine with
nothing else running: when it is near the crawl's seconds, the crawl is bounded by CPU.
The other threads' CPU is split by thread (the loaders' writers ``gxcrawler-load``, the
store's ``gxcrawler-store``, pebble's ``task_scheduler_loop`` / ``message_manager_loop`` /
``pool_manager_loop``, Twisted's pool), medians per variant.

``--statements``: PostgreSQL's time per statement for each crawl's database, from
``pg_stat_statements`` (the server must load it — ``shared_preload_libraries`` — and the
extension must exist in its ``postgres`` database; otherwise a note says so): mean
milliseconds and calls per crawl, per variant. Execution time, not CPU: a statement waiting
for a CPU or a lock counts too; with ``pg_stat_statements.track = all`` a trigger's statements
are listed on their own and also inside the statement that fired them.

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
from tests.simulations.clones import clones as make_clones  # noqa: E402
from tests.simulations.clones import registry  # noqa: E402
from tests.simulations.luoning import LuoningSimulation  # noqa: E402
from tests.simulations.registry import FAMILIES, NAMES, all_simulations  # noqa: E402
from tests.simulations.server import SimulationServer  # noqa: E402

EXTENSIONS = {
    "gxcrawler.crawl.runner.NightlyExtension": 500,
    "benchmarks.reactor_lag.ReactorLagProbe": 0,
}
CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
VARIANTS = {
    "none": {"ITEM_PIPELINES": "{}"},
    "thread": {"GXCRAWLER_PARSE_WORKERS": "0"},
    "pool": {},
    "wait1": {"GXCRAWLER_LOAD_WAIT": "1"},
    "nice10": {"GXCRAWLER_PARSE_NICE": "10"},
    "nice5": {"GXCRAWLER_PARSE_NICE": "5"},
}


def workload(name: str) -> tuple[list, list[str], dict[str, str]]:
    """The simulations to serve, ``crawl-all``'s spider arguments and extra environment."""
    if name == "five":
        return all_simulations(NAMES), [arg for n in NAMES for arg in ("--spider", n)], {}
    if name == "families":
        made = make_clones(len(FAMILIES))
        reg = Path(tempfile.mkdtemp(prefix="gxc-bench-registry-")) / "portals.tsv"
        registry(made, reg)
        return made, [arg for c in made for arg in ("--spider", c.name)], {"GXCRAWLER_PORTALS": str(reg)}
    return [LuoningSimulation(publish_as="pdf")], ["--spider", "luoning"], {}


def warm(sims) -> None:
    """Render every document once (the simulations render PDFs on first request; a clone's are its family's)."""
    for sim in {id(s): s for s in (getattr(c, "sim", c) for c in sims)}.values():
        for report in sim.expected_reports():
            for url in {report.page_url, report.document_url}:
                sim.handle("GET", url, {})


def crawl(server: SimulationServer, spiders: list[str], settings: dict[str, str], workers: str | None,
          polite: bool = False, parse_times: bool = False, extra_env: dict[str, str] | None = None,
          statements_wanted: bool = False) -> dict:
    db_url = create_database("gxc_bench_crawl")
    with tempfile.TemporaryDirectory(prefix="gxc-bench-") as tmp:
        lag_file = Path(tmp) / "lag.json"
        times_file = Path(tmp) / "parse_times.jsonl"
        if parse_times and "ITEM_PIPELINES" not in settings:
            settings = {**settings, "GXCRAWLER_PARSE_TASK": "benchmarks.parse_times:task"}
        merged = {**({} if polite else FAST), "LOG_LEVEL": "WARNING", "GX_CRAWLS_DIR": str(Path(tmp) / "crawls"),
                  "EXTENSIONS": json.dumps(EXTENSIONS), "GX_LAG_FILE": str(lag_file), **settings}
        if workers is not None and "GXCRAWLER_PARSE_WORKERS" not in settings:
            merged["GXCRAWLER_PARSE_WORKERS"] = workers
        cmd = [sys.executable, "-m", "gxcrawler", "crawl-all", "--progress", "0", *spiders]
        for key, value in merged.items():
            cmd += ["-s", f"{key}={value}"]
        env = {**os.environ, "GXCRAWLER_SIMULATION_URL": server.url, "GXCRAWLER_DATABASE_URL": db_url,
               "PYTHONPATH": str(ROOT), "GX_PARSE_TIMES": str(times_file), **(extra_env or {})}
        postmaster = postmaster_pid(db_url)
        db_before = process_cpu(postmaster, children=True)
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        me_before = resource.getrusage(resource.RUSAGE_SELF)  # the simulation server's threads
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the crawl and its parse workers
        me_after = resource.getrusage(resource.RUSAGE_SELF)
        process_secs = time.perf_counter() - started
        cpu_secs = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        server_secs = (me_after.ru_utime - me_before.ru_utime) + (me_after.ru_stime - me_before.ru_stime)
        if proc.returncode not in (0, 1) or not lag_file.exists():
            drop_database(db_url)
            sys.exit(f"crawl-all failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr[-3000:]}")
        probe = json.loads(lag_file.read_text())
        times = [json.loads(line) for line in times_file.read_text().splitlines()] if times_file.exists() else []
        lag = sorted(probe["lag"])
    statements = db_statements(db_url) if statements_wanted else {}
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
        time.sleep(0.2)  # the crawl's backends to end and be counted
        db_after = process_cpu(postmaster, children=True)
        drop_database(db_url)
    cpu = probe["cpu"]
    cpu_secs += cpu.get("fork_server", 0.0)  # the parse workers' fork server: not waited for by the crawl process
    db_secs = db_after - db_before if db_before is not None and db_after is not None else float("nan")
    return {
        "secs": float(secs),
        "process": process_secs,
        "cpu": cpu_secs,
        "loaded": loaded,
        "requests": int(requests or 0),
        "lag_p50": 1000 * lag[len(lag) // 2] if lag else 0.0,
        "lag_p95": 1000 * lag[int(len(lag) * 0.95)] if lag else 0.0,
        "lag_max": 1000 * lag[-1] if lag else 0.0,
        "cpu_reactor": cpu["reactor"],
        "cpu_threads": cpu["threads"],
        "cpu_workers": cpu["children"],
        "cpu_server": server_secs,
        "cpu_db": db_secs,
        "threads_by": probe.get("threads", {}),
        "statements": statements,
        "parse_cpu": sum(t["cpu"] for t in times),
        "parsed": len(times),
        "parse_by_type": {k: (sum(1 for t in times if t["type"] == k), sum(t["cpu"] for t in times if t["type"] == k))
                          for k in sorted({t["type"] for t in times})},
    }


def db_statements(db_url: str) -> dict[str, tuple[float, int]]:
    """``pg_stat_statements``' total execution ms and calls per statement run in ``db_url``'s database
    ({} when the server does not keep them); read from the server's ``postgres`` database."""
    name = db_url.rsplit("/", 1)[1]
    engine = sa.create_engine(db_url.rsplit("/", 1)[0] + "/postgres")
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 90), sum(total_exec_time), sum(calls) "
                "FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = :name) "
                "GROUP BY 1"
            ), {"name": name}).all()
    except sa.exc.SQLAlchemyError:
        return {}
    finally:
        engine.dispose()
    return {query: (float(ms), int(calls)) for query, ms, calls in rows}


def floor(result: dict) -> float:
    """The least wall time the crawl's CPU work could take on this machine's CPUs (PostgreSQL's counted when known)."""
    parts = ("cpu_reactor", "cpu_threads", "cpu_workers", "cpu_server", "cpu_db")
    return sum(result[k] for k in parts if result[k] == result[k]) / CPUS


def postmaster_pid(db_url: str) -> int | None:
    """The PostgreSQL server's postmaster, when it runs on this machine and ``/proc`` can be read."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            if conn.execute(sa.text("SELECT inet_server_addr()")).scalar_one() not in (None, "127.0.0.1", "::1"):
                return None
            data = conn.execute(sa.text("SELECT current_setting('data_directory')")).scalar_one()
        return int((Path(data) / "postmaster.pid").read_text().split()[0])
    except (sa.exc.SQLAlchemyError, OSError, ValueError, IndexError):
        return None
    finally:
        engine.dispose()


def process_cpu(pid: int | None, children: bool = False) -> float | None:
    """CPU seconds of a process (and of its ended, waited-for children) from ``/proc``."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = sum(int(f) for f in fields[11:15 if children else 13])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def print_statements(name: str, runs: dict[str, list[dict]], top: int = 15) -> None:
    """Each variant's statements by mean execution time per crawl (``--statements``)."""
    for variant, results in runs.items():
        if not any(x["statements"] for x in results):
            print(f"\n{name} {variant}: no pg_stat_statements (not loaded by the server, or no extension in "
                  "its postgres database)")
            continue
        totals: dict[str, list[float]] = {}
        for x in results:
            for query, (ms, calls) in x["statements"].items():
                entry = totals.setdefault(query, [0.0, 0.0])
                entry[0] += ms / len(results)
                entry[1] += calls / len(results)
        everything = sum(ms for ms, _ in totals.values())
        print(f"\n{name} {variant}: PostgreSQL execution time per crawl, {everything:.0f} ms in all (mean of "
              f"{len(results)})")
        print("| ms | calls | statement |\n|---:|---:|---|")
        for query, (ms, calls) in sorted(totals.items(), key=lambda kv: -kv[1][0])[:top]:
            print(f"| {ms:.1f} | {calls:.0f} | `{query}` |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workload", nargs="+", default=["five", "pdf"], choices=["five", "pdf", "families"])
    ap.add_argument("--variant", nargs="+", default=["none", "thread", "pool"], choices=list(VARIANTS))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--latency-ms", type=float, default=0.0, help="server delay per answer")
    ap.add_argument("--polite", action="store_true",
                    help="the project's own politeness (DOWNLOAD_DELAY 1 s per host, AutoThrottle) instead of "
                         "none: how fast a real portal lets a crawl download")
    ap.add_argument("--parse-times", action="store_true",
                    help="record each document's parse CPU in the workers (benchmarks/parse_times.py) and print the "
                         "sum: the parse work a crawl with pipelines must fit on the machine's CPUs")
    ap.add_argument("--workers", help="GXCRAWLER_PARSE_WORKERS for the pool variant (default: one per CPU)")
    ap.add_argument("--statements", action="store_true",
                    help="PostgreSQL's time per statement of each crawl (pg_stat_statements, when the server keeps it)")
    args = ap.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f}; latency {args.latency_ms:g} ms; rounds {args.rounds}; "
          f"{'polite (project defaults)' if args.polite else 'politeness off (FAST)'}",
          flush=True)
    for name in args.workload:
        sims, spiders, extra_env = workload(name)
        warm(sims)
        server = SimulationServer(sims, latency=args.latency_ms / 1000, backlog=512)
        server.start()
        runs: dict[str, list[dict]] = {v: [] for v in args.variant}
        try:
            for r in range(args.rounds):
                order = args.variant[r % len(args.variant):] + args.variant[: r % len(args.variant)]
                for variant in order:
                    result = crawl(server, spiders, VARIANTS[variant], args.workers, args.polite, args.parse_times,
                                   extra_env, args.statements)
                    runs[variant].append(result)
                    print(f"  {name} round {r + 1} {variant:<6} crawl {result['secs']:6.1f} s  process "
                          f"{result['process']:6.1f} s  cpu {result['cpu']:6.1f} s  loaded {result['loaded']:4d}  requests {result['requests']:5d}"
                          f"  lag p50/p95/max {result['lag_p50']:.0f}/{result['lag_p95']:.0f}/{result['lag_max']:.0f} ms"
                          f"  (load {os.getloadavg()[0]:.2f})", flush=True)
                    print(f"      cpu s: reactor {result['cpu_reactor']:.1f}  threads {result['cpu_threads']:.1f}  "
                          f"workers {result['cpu_workers']:.1f}  server {result['cpu_server']:.1f}  "
                          f"db {result['cpu_db']:.1f}  all/{CPUS} {floor(result):.1f} s", flush=True)
                    if result["parsed"]:
                        kinds = ", ".join(f"{k} {n} × {1000 * c / n:.0f} ms" for k, (n, c) in result["parse_by_type"].items())
                        print(f"      parse CPU in the workers: {result['parse_cpu']:.1f} s for {result['parsed']} "
                              f"documents ({kinds}); over {CPUS} CPUs {result['parse_cpu'] / CPUS:.1f} s", flush=True)
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
        print(f"\n{name}: where the CPU went (medians, seconds; floor = all of it over {CPUS} CPUs)")
        print("| variant | reactor thread | other threads | parse workers | simulation server | PostgreSQL "
              "| floor s | crawl s | floor / crawl |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for variant, results in runs.items():
            def med(key: str, results=results) -> float:
                return statistics.median(x[key] for x in results)

            busy = statistics.median(floor(x) / x["secs"] for x in results)
            print(f"| {variant} | {med('cpu_reactor'):.1f} | {med('cpu_threads'):.1f} | {med('cpu_workers'):.1f} "
                  f"| {med('cpu_server'):.1f} | {med('cpu_db'):.1f} | {statistics.median(floor(x) for x in results):.1f} "
                  f"| {med('secs'):.1f} | {busy:.2f} |")
        print(f"\n{name}: the other threads' CPU by thread (medians, seconds)")
        for variant, results in runs.items():
            kinds = sorted({k for x in results for k in x["threads_by"]})
            split = {k: statistics.median(x["threads_by"].get(k, 0.0) for x in results) for k in kinds}
            print(f"  {variant}: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(split.items(), key=lambda kv: -kv[1])))
        if args.statements:
            print_statements(name, runs)
        print(flush=True)
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
