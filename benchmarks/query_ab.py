"""Two queries (or one query on two databases) alternated execution by execution, paired.

    python benchmarks/query_ab.py --runs 9 "gxc_1m::SELECT count(*), sum(change) FROM v_rates_long WHERE year = 2025" \
        "gxc_1m::SELECT count(*), sum(change) FROM v_rates_long_rates WHERE year = 2025"

Each side (``database::sql``) gets its own connection and one warm-up; then ``--runs`` times
each side in turn, ``EXPLAIN (ANALYZE, TIMING OFF)``, execution + planning time. Prints each
side's median, minimum and maximum in server ms: when ``query_speed.py``'s group-by-group
medians of two versions differ within the machine's noise, this says whether the difference is
the query's (docs/notes/performance.md, "The previous year kept per rate").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import psycopg2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sides", nargs="+", metavar="DATABASE::SQL")
    ap.add_argument("--server", default="postgresql://postgres@127.0.0.1:5435")
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    sides = [tuple(side.split("::", 1)) for side in args.sides]
    cursors = []
    for database, sql in sides:
        conn = psycopg2.connect(f"{args.server}/{database}")
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute(sql)  # warms the cache
        cur.fetchall()
        cursors.append(cur)
    print(f"{time.strftime('%H:%M:%S', time.gmtime())} UTC, load {os.getloadavg()[0]:.2f}")
    times: list[list[float]] = [[] for _ in sides]
    for _ in range(args.runs):
        for cur, (_, sql), ms in zip(cursors, sides, times, strict=True):
            cur.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql)
            raw = cur.fetchone()[0]
            plan = (raw if isinstance(raw, list) else json.loads(raw))[0]
            ms.append(plan["Execution Time"] + plan.get("Planning Time", 0.0))
    for (database, sql), ms in zip(sides, times, strict=True):
        print(f"{database}: median {statistics.median(ms):.1f} ms (min {min(ms):.1f}, max {max(ms):.1f}), "
              f"{args.runs} runs :: {sql}")
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
