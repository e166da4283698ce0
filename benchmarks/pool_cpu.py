"""What a document costs through the parse pool, worker starts included: CPU per document, paired.

    python benchmarks/pool_cpu.py --trees /work/main . [--repeat 5] [--workers 2] [--max-tasks 500] [--rounds 3]
        [--kind html|pdf|docx]

``crawl_speed.py --parse-times`` times each document's parse inside a worker; this counts
everything the pool's processes spend: the workers' start (a spawned interpreter imports the
parser and every reader), their first documents (caches, regular expressions, a reader's
tables), every replacement after ``--max-tasks`` documents (the default of
``GXCRAWLER_PARSE_MAX_TASKS``), the fork server where there is one, and the calling process
(pickling tasks, unpickling results). The documents are every distinct page and document the
crawl simulations serve (the five of ``crawl_speed.py --workload five`` and its all-PDF Luoning
portal), ``--repeat`` times over, in a fixed shuffled order, through ``ParsePool.map``.

Each run is a fresh process (``PYTHONPATH`` = one tree, so one pool start each); the trees
alternate in every round, order rotated. CPU from ``getrusage`` (this process, its ended
children) and ``/proc`` (the fork server and its ended children, read after the pool closed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def documents() -> list[tuple[str, bytes, str | None]]:
    """Every distinct page and document of the five simulations and the all-PDF Luoning portal."""
    sys.path.append(str(ROOT))  # after the tree measured (PYTHONPATH)
    from tests.simulations.luoning import LuoningSimulation
    from tests.simulations.registry import NAMES, all_simulations

    out, seen = [], set()
    for sim in (*all_simulations(NAMES), LuoningSimulation(publish_as="pdf")):
        for report in sim.expected_reports():
            for url in sorted({report.page_url, report.document_url}):
                answer = sim.handle("GET", url, {})
                digest = hashlib.sha256(answer.body).digest()
                if answer.status == 200 and digest not in seen:
                    seen.add(digest)
                    out.append((url, answer.body, answer.headers.get("Content-Type")))
    return out


def _fork_server_cpu() -> float:
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime


def one_run(repeat: int, workers: int, max_tasks: int, kind: str | None = None) -> dict:
    """One pool over the documents (of one ``kind``: html, pdf, docx), in this process (the tree on ``PYTHONPATH``)."""
    from gxcrawler.parsing.api import sniff_type
    from gxcrawler.parsing.pool import ParsePool, ParseTask, PoolConfig

    docs = [d for d in documents() if kind is None or sniff_type(d[1], d[2], d[0].rsplit("/", 1)[-1]) == kind]
    docs *= repeat
    random.Random(12).shuffle(docs)
    tasks = [ParseTask(body, source=url, content_type=ct, filename=url.rsplit("/", 1)[-1]) for url, body, ct in docs]

    def cpu() -> tuple[float, float]:
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime

    (me0, kids0), wall0 = cpu(), time.perf_counter()
    pool = ParsePool(PoolConfig(workers=workers, max_tasks=max_tasks))
    statuses = [r.status for r in pool.map(tasks)]
    pool.close()
    wall = time.perf_counter() - wall0
    (me1, kids1), server = cpu(), _fork_server_cpu()
    return {"docs": len(tasks), "wall": wall, "caller": me1 - me0, "workers": kids1 - kids0 + server,
            "server": server, "ok": statuses.count("ok")}


def _cell(runs: list[dict], key: str, per_doc: bool) -> str:
    """Median (range) of one figure over the runs, per document in ms or whole in s."""
    v = [x[key] / x["docs"] * 1000 if per_doc else x[key] for x in runs]
    return f"{statistics.median(v):.2f} ({min(v):.2f}–{max(v):.2f})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trees", nargs="+", default=[str(ROOT)], help="package trees to compare (PYTHONPATH each)")
    ap.add_argument("--repeat", type=int, default=5, help="times over the documents in one run")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--max-tasks", type=int, default=500, help="documents per worker before it is replaced")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--kind", choices=("html", "pdf", "docx"), help="only the documents of one type")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one_run(args.repeat, args.workers, args.max_tasks, args.kind)))
        return 0
    runs: dict[str, list[dict]] = {t: [] for t in args.trees}
    for r in range(args.rounds):
        order = args.trees[r % len(args.trees):] + args.trees[: r % len(args.trees)]
        for tree in order:
            cmd = [sys.executable, __file__, "--child", "--repeat", str(args.repeat), "--workers", str(args.workers),
                   "--max-tasks", str(args.max_tasks), *(["--kind", args.kind] if args.kind else [])]
            env = {**os.environ, "PYTHONPATH": str(Path(tree).resolve())}
            out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
            runs[tree].append(json.loads(out.splitlines()[-1]))
            run = runs[tree][-1]
            print(f"round {r + 1} {tree}: {run['docs']} docs, workers {run['workers']:.2f} s "
                  f"(fork server {run['server']:.2f}), caller {run['caller']:.2f} s, wall {run['wall']:.2f} s",
                  file=sys.stderr)
    print(f"{args.kind or 'every'} document, {args.workers} workers, max_tasks {args.max_tasks}; "
          f"medians (range) over {args.rounds} runs")
    print("| tree | docs | workers' CPU ms / doc | caller's CPU ms / doc | wall s |")
    print("|---|---:|---:|---:|---:|")
    for tree, rs in runs.items():
        cells = [_cell(rs, key, per_doc) for key, per_doc in (("workers", True), ("caller", True), ("wall", False))]
        print(f"| {tree} | {rs[0]['docs']} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
