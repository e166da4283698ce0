"""Server settings against the queries: same rows, and which plans change.

    python benchmarks/settings_check.py --database gxc_100k --server postgresql://postgres@127.0.0.1:5435 \\
        --settings 'jit=off,random_page_cost=1.1,effective_cache_size=16GB,work_mem=64MB' [--only REGEX] [--plans-only]

For every query of ``benchmarks/query_speed.py`` (the README's worked queries and the common
filters on every view), at the server's settings and with ``--settings`` set in the session:

* the plan (``EXPLAIN (COSTS OFF)``, no execution): the same or changed, and the nodes that
  differ — a setting that changes no plan can change no row and no time but JIT's;
* the rows (unless ``--plans-only``): every row of both runs compared as a multiset (the
  ``EXCEPT ALL`` both ways, done on the fetched rows): ``0 / 0`` is the same rows. A ``LIMIT``
  without ``ORDER BY`` (the cell views' first pages) may return *other* rows under another plan —
  SQL leaves the choice to the plan at any setting — so for those only the count is compared.

Read-only; planner and executor settings only (``shared_buffers`` needs a restart).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from query_speed import parse_settings, pick_values, queries, set_session  # noqa: E402


def plan(cur, sql: str, params: dict) -> list[str]:
    cur.execute("EXPLAIN (COSTS OFF) " + sql, params)
    return [r[0] for r in cur.fetchall()]


def rows(cur, sql: str, params: dict) -> Counter:
    cur.execute(sql, params)
    return Counter(tuple(r) for r in cur.fetchall())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database", required=True)
    ap.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    ap.add_argument("--settings", required=True, metavar="NAME=VALUE,…")
    ap.add_argument("--only", help="regular expression on 'group name'")
    ap.add_argument("--plans-only", action="store_true", help="compare the plans, not the rows")
    ap.add_argument("--show", action="store_true", help="print both plans of every query whose plan changes")
    args = ap.parse_args()
    settings = parse_settings(args.settings)
    # two sessions: one at the server's settings, one with ``settings`` (set once, for the whole run)
    base = psycopg2.connect(f"{args.server}/{args.database}")
    tuned = psycopg2.connect(f"{args.server}/{args.database}")
    for conn in (base, tuned):
        conn.autocommit = True
        conn.set_session(readonly=True)
    bcur, tcur = base.cursor(), tuned.cursor()
    set_session(tcur, settings)
    values = pick_values(bcur)
    todo = [q for q in queries(bcur, values) if not args.only or re.search(args.only, f"{q.group} {q.name}")]
    print(f"{args.database}: {len(todo)} queries, the server's settings against {args.settings}; filters {values}")
    print("| group | query | plan | rows (server's / with settings) | only server's / only with settings |")
    print("|---|---|---|---:|---|")
    changed = differ = 0
    for q in todo:
        p0, p1 = plan(bcur, q.sql, q.params), plan(tcur, q.sql, q.params)
        # JIT is not in a COSTS OFF plan; the rest is the plan's shape
        same_plan = p0 == p1
        changed += not same_plan
        cell = "same" if same_plan else "changed"
        if args.show and not same_plan:
            print(f"--- {q.group} {q.name}: server's\n" + "\n".join(p0) + "\n--- with settings\n" + "\n".join(p1),
                  file=sys.stderr)
        if args.plans_only:
            print(f"| {q.group} | {q.name} | {cell} | | |", flush=True)
            continue
        started = time.perf_counter()
        r0 = rows(bcur, q.sql, q.params)
        r1 = rows(tcur, q.sql, q.params)
        n0, n1 = sum(r0.values()), sum(r1.values())
        unordered_limit = re.search(r"\bLIMIT\s+\d+\s*$", q.sql.strip()) and "ORDER BY" not in q.sql.upper()
        if unordered_limit:
            verdict = "count only (LIMIT without ORDER BY)" + ("" if n0 == n1 else " — COUNTS DIFFER")
            differ += n0 != n1
        else:
            only0, only1 = sum((r0 - r1).values()), sum((r1 - r0).values())
            verdict = f"{only0} / {only1}"
            differ += bool(only0 or only1)
        print(f"| {q.group} | {q.name} | {cell} | {n0:,} / {n1:,} | {verdict} |"
              f"{'' if time.perf_counter() - started < 60 else ' (slow)'}", flush=True)
    print(f"plans changed: {changed} of {len(todo)}; queries whose rows differ: "
          f"{'not compared' if args.plans_only else differ}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
