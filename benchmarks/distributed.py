"""One night of a large registry with 1, 2 and 4 distributed workers: requests, seconds, memory, database growth.

    python benchmarks/distributed.py [--portals 1000] [--workers 1 2 4] [--latency-ms 300]
                                     [--delay 0.5] [--spiders-per-worker 4] [--year 2023]
                                     [--agency 人民政府]

The registry: ``--portals`` portals generated from the seven CMS-family simulations
(``tests/simulations/family.py``): portal *i* is family *i mod 7* served under its own
host names (``p0042-www.yj.gov.cn`` …), its pages rewritten to link its own hosts, one
registry row each (``GXCRAWLER_PORTALS``, family ``auto``: the generic spider finds the
report column from the home page). Every answer waits ``--latency-ms`` (a distant county
server: hundreds of ms), a host gets one request per ``--delay`` seconds across all workers
(``DOWNLOAD_DELAY``, shared through Redis), and each worker crawls ``--spiders-per-worker``
portals at a time (production's ``GX_WORKER_SPIDERS``), so a night is bound by latency and
politeness as long as the workers' CPU is there: the CPU columns (per worker, per request, the
simulation server's) and the time each worker waited for a CPU (run queue) say whether it was.
``--year``/``--agency`` keep a night short (the lists are read in full; only the
matching reports are fetched and parsed).

For each worker count: a fresh PostgreSQL database and Redis key space, the workers
started together (``gxcrawler crawl-all`` with ``GXCRAWLER_REDIS_URL``), and measured:
wall seconds until the last worker exits, requests (the server's log), requests per
second, peak RSS per worker (``/proc``), database growth (``pg_database_size``, rows),
the shortest gap between two requests to one host (politeness) — as the server logged them
("gap", which a loaded server delays and bunches) and as they left the workers ("left": each
worker's departure log, ``GX_GATE_LOG_DIR``, merged) — the work per worker, the workers' CPU
seconds, PostgreSQL connections (most seen at once), robots.txt requests and the load average
before and after each night (a timing measurement: run it at normal priority).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.pg import create_database, drop_database  # noqa: E402
from tests.simulations.clones import Clone, registry  # noqa: E402
from tests.simulations.clones import clones as make_clones  # noqa: E402
from tests.simulations.server import SimulationServer  # noqa: E402

REDIS_URL = os.environ.get("GXCRAWLER_TEST_REDIS", "redis://127.0.0.1:6379/0")


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """A live process's user + system CPU seconds so far (``/proc/<pid>/stat``), 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def runqueue_seconds(pid: int) -> float:
    """Seconds a live process's threads were ready to run but waited for a CPU (``schedstat``), 0 once gone:
    on a shared box, what its wall time owes to the others rather than to latency or politeness."""
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e9


def run_night(n_workers: int, clones: list[Clone], server: SimulationServer, reg: Path, args) -> dict:
    db_url = create_database("gxc_bench_dist")
    prefix = f"gxbench-{uuid.uuid4().hex[:8]}"
    settings = {
        "LOG_LEVEL": args.log_level, "DOWNLOAD_DELAY": str(args.delay), "DOWNLOAD_DELAY_JITTER": "0",
        "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "2", "RETRY_BACKOFF_BASE": "0",
        "GX_REDIS_PREFIX": prefix, "GX_WORKER_SPIDERS": str(args.spiders_per_worker),
        "GX_HEARTBEAT_SECONDS": "0", "TELNETCONSOLE_ENABLED": "False", "LOGSTATS_INTERVAL": "0",
        "GX_MONITOR_MIN_REPORTS": "0",  # a clone whose family has no report of the filter is not a failure
    }
    departures = Path(tempfile.mkdtemp(prefix="gx-gate-"))
    settings["GX_GATE_LOG_DIR"] = str(departures)  # where each request left, per worker (HostGate)
    cmd = [sys.executable, *(["-m", "cProfile", "-o", args.profile] if args.profile else []), "-m", "gxcrawler", "crawl-all", "--progress", "0", "--log-level", args.log_level]
    if args.year:
        cmd += ["--year", args.year]
    if args.agency:
        cmd += ["--agency", args.agency]
    for c in clones:
        cmd += ["--spider", c.name]
    for k, v in settings.items():
        cmd += ["-s", f"{k}={v}"]
    env = {**os.environ, "GXCRAWLER_SIMULATION_URL": server.url, "GXCRAWLER_DATABASE_URL": db_url,
           "GXCRAWLER_REDIS_URL": REDIS_URL, "GXCRAWLER_PORTALS": str(reg), "GXCRAWLER_PARSE_WORKERS": "0",
           "GXCRAWLER_DB_POOL_SIZE": str(args.db_pool), "PYTHONPATH": str(ROOT)}
    from gxcrawler.db import ensure_schema

    engine = sa.create_engine(db_url)
    ensure_schema(engine)  # the schema before the night, so growth is the night's data
    with engine.connect() as conn:
        size0 = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
    server.reset_counts()
    logs = [tempfile.NamedTemporaryFile("w+", suffix=f"-w{i}.log", delete=False)  # noqa: SIM115 - closed below
            for i in range(n_workers)]
    import resource

    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    own0 = resource.getrusage(resource.RUSAGE_SELF)  # the simulation server's threads and this loop
    load0 = os.getloadavg()
    t0 = time.monotonic()
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=logs[i], stderr=subprocess.STDOUT)
             for i in range(n_workers)]
    peaks = [0.0] * n_workers
    cpus = [0.0] * n_workers
    waits = [0.0] * n_workers
    most_connections = 0
    db_name = db_url.rsplit("/", 1)[1]
    while any(p.poll() is None for p in procs):
        for i, p in enumerate(procs):
            if p.poll() is None:
                peaks[i] = max(peaks[i], peak_rss_mb(p.pid))
                cpus[i] = cpu_seconds(p.pid) or cpus[i]
                waits[i] = runqueue_seconds(p.pid) or waits[i]
        with engine.connect() as conn:  # the workers' connections (this one is not counted)
            most_connections = max(most_connections, conn.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"),
                {"d": db_name}).scalar())
        time.sleep(0.5)
    seconds = time.monotonic() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers, reaped by poll()
    cpu_s = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    own1 = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu_s = (own1.ru_utime - own0.ru_utime) + (own1.ru_stime - own0.ru_stime)
    load1 = os.getloadavg()
    codes = [p.returncode for p in procs]
    with engine.connect() as conn:
        size1 = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
        rows = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                for t in ("reports", "report_values", "documents", "fetches", "crawl_runs")}
        runs = conn.execute(sa.text("SELECT outcome, count(*) FROM crawl_runs GROUP BY outcome")).all()
        reasons = conn.execute(sa.text("SELECT left(reason, 120), count(*) FROM crawl_runs WHERE outcome <> 'success' "
                                       "GROUP BY 1 ORDER BY 2 DESC LIMIT 5")).all()
    engine.dispose()
    drop_database(db_url)
    import redis

    server_r = redis.Redis.from_url(REDIS_URL)
    keys = list(server_r.scan_iter(f"{prefix}:*"))
    if keys:
        server_r.delete(*keys)  # this night's keys only
    gates: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for path in departures.glob("*.tsv"):
        for line in path.read_text().splitlines():
            when, host, url = line.split("\t", 2)
            gates[host].append((float(when), url))
        path.unlink()
    departures.rmdir()
    per_worker = []
    for log in logs:
        log.seek(0)
        text = log.read()
        per_worker.append(sum(1 for line in text.splitlines() if re.match(r"p\d{4}\s", line)))
        log.close()
        if args.keep_logs:
            print(f"worker log: {log.name}")
        else:
            os.unlink(log.name)
    return {"workers": n_workers, "codes": codes, "seconds": seconds, "requests": len(server.log),
            "peak_rss_mb": peaks, "db_growth_mb": (size1 - size0) / 1e6, "rows": rows,
            "runs": dict(runs), "reasons": [tuple(r) for r in reasons], "portals_per_worker": per_worker,
            "most_connections": most_connections, "cpu_s": cpu_s, "departures": gates,
            "cpu_per_worker_s": cpus, "runqueue_wait_s": waits, "server_cpu_s": server_cpu_s, "load_before": load0, "load_after": load1,
            "robots": sum(1 for _, url, _ in server.log if url.endswith("/robots.txt"))}


def politeness(times: dict[str, list[tuple[float, str]]]) -> tuple[float, float, list]:
    """The 1st percentile and the smallest gap between two requests to one host, and the closest pairs."""
    pairs = []
    for ts in times.values():
        ts = sorted(ts)
        pairs += [(b[0] - a[0], a[1], b[1]) for a, b in zip(ts, ts[1:], strict=False)]
    if not pairs:
        return float("nan"), float("nan"), []
    pairs.sort()
    return pairs[len(pairs) // 100][0], pairs[0][0], pairs[:3]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--portals", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--latency-ms", type=float, default=300.0, help="every answer waits this long [300]")
    parser.add_argument("--delay", type=float, default=0.5, help="DOWNLOAD_DELAY per host, shared [0.5]")
    parser.add_argument("--spiders-per-worker", type=int, default=4,
                        help="GX_WORKER_SPIDERS: portals a worker crawls at a time, as in production [4]")
    parser.add_argument("--year", default="2023")
    parser.add_argument("--agency", default="人民政府", help="only these agencies' reports ('' for all)")
    parser.add_argument("--db-pool", type=int, default=4,
                        help="GXCRAWLER_DB_POOL_SIZE: each worker's PostgreSQL connections at most [4]")
    parser.add_argument("--keep-logs", action="store_true", help="keep the workers' logs (paths printed)")
    parser.add_argument("--profile", help="run the workers under cProfile, the profile to this file "
                        "(one worker: where its CPU goes)")
    parser.add_argument("--log-level", default="WARNING", help="the workers' log level [WARNING]")
    args = parser.parse_args()

    times: dict[str, list[tuple[float, str]]] = defaultdict(list)
    lock = threading.Lock()
    clones = make_clones(args.portals, times, lock)
    server = SimulationServer(clones, latency=args.latency_ms / 1000, backlog=512)
    server.start()
    reg = Path(tempfile.mkdtemp()) / "portals.tsv"
    registry(clones, reg)
    results = []
    try:
        for n in args.workers:
            times.clear()
            r = run_night(n, clones, server, reg, args)
            r["p1_gap_s"], r["min_gap_s"], r["closest"] = politeness(times)
            r["left_p1_gap_s"], r["left_min_gap_s"], r["left_closest"] = politeness(r.pop("departures"))
            r["hosts"] = len(times)
            results.append(r)
            print(r, flush=True)
    finally:
        server.stop()
    base = results[0]["seconds"] if results else 1
    print()
    print(f"load average at the end: {os.getloadavg()}")
    print(f"{args.portals} portals, latency {args.latency_ms:g} ms, DOWNLOAD_DELAY {args.delay:g} s per host, "
          f"{args.spiders_per_worker} portals at a time per worker, year {args.year or 'all'}, "
          f"agency {args.agency or 'all'}, {args.db_pool} PostgreSQL connections per worker at most")
    print(f"{'workers':>7} {'exit':>8} {'seconds':>8} {'speed-up':>8} {'requests':>8} {'req/s':>6} "
          f"{'peak RSS MB':>14} {'DB MB':>6} {'reports':>7} {'fetches':>7} {'runs':>14} {'gap p1/min s':>12} "
          f"{'left p1/min s':>13} {'PG conns':>8} {'robots':>6} {'portals/worker':>14} {'CPU s':>6} "
          f"{'CPU ms/req':>10} {'server CPU s':>12} {'load before -> after':>22}")
    for r in results:
        rss = "/".join(f"{m:.0f}" for m in r["peak_rss_mb"])
        runs = ",".join(f"{k}:{v}" for k, v in r["runs"].items())
        print(f"{r['workers']:>7} {','.join(map(str, r['codes'])):>8} {r['seconds']:>8.1f} "
              f"{base / r['seconds']:>8.2f} {r['requests']:>8} {r['requests'] / r['seconds']:>6.1f} {rss:>14} "
              f"{r['db_growth_mb']:>6.1f} {r['rows']['reports']:>7} {r['rows']['fetches']:>7} {runs:>14} "
              f"{r['p1_gap_s']:>6.2f}/{r['min_gap_s']:.2f} {r['left_p1_gap_s']:>6.2f}/{r['left_min_gap_s']:.2f} "
              f"{r['most_connections']:>8} {r['robots']:>6} "
              f"{'/'.join(map(str, r['portals_per_worker'])):>14} {r['cpu_s']:>6.0f} "
              f"{1000 * r['cpu_s'] / max(r['requests'], 1):>10.0f} {r['server_cpu_s']:>12.0f} "
              f"{r['load_before'][0]:>9.2f} -> {r['load_after'][0]:>9.2f}")
        print(f"        CPU s per worker: {'/'.join(f'{c:.0f}' for c in r['cpu_per_worker_s'])}; waiting for a CPU "
              f"(run queue) s per worker: {'/'.join(f'{w:.0f}' for w in r['runqueue_wait_s'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
