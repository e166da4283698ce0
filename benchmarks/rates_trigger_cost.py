"""What the ``report_rates`` triggers (migration 0029) add to a statement on ``reports``, paired.

    python benchmarks/rates_trigger_cost.py --database gxc_r100k [--server postgresql://postgres@127.0.0.1:5432] [--county 县25]

On a database made by ``benchmarks/scale_data.py`` at 0029 or later, statements on one
county's reports — an INSERT of its reports of 2024 again as year 2044 (no next year stored),
an INSERT of its reports of 2019 again as 2018 (a previous year arriving after the next: since
0036 the next year's rows are written again), an UPDATE of a headline number of its reports
since 2023, an UPDATE of ``listed`` (no rate column), a DELETE of its reports of 2023 (since
0036 the next year's rows lose their previous year) — each run in a transaction rolled back,
alternately with the three ``report_rates`` triggers enabled and disabled (``ALTER TABLE …
DISABLE TRIGGER`` inside the transaction), 7 times; medians of the client's wall time. Nothing
is left changed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import psycopg2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database", required=True)
    ap.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    ap.add_argument("--county", default="县25")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    conn = psycopg2.connect(f"{args.server}/{args.database}")
    cur = conn.cursor()
    cur.execute("SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'reports' AND column_name <> 'id' ORDER BY ordinal_position")
    cols = [r[0] for r in cur.fetchall()]
    conn.commit()
    def copied(shift: int) -> str:
        return ", ".join(f"year + {shift}" if c == "year" else c for c in cols)

    mine = f"agency_id IN (SELECT id FROM agencies WHERE county = '{args.county}')"
    statements = (
        ("insert", f"INSERT INTO reports ({', '.join(cols)}) SELECT {copied(20)} FROM reports WHERE {mine} AND year = 2024"),
        ("insert of a previous year", f"INSERT INTO reports ({', '.join(cols)}) "
         f"SELECT {copied(-1)} FROM reports WHERE {mine} AND year = 2019"),
        ("update of a headline", f"UPDATE reports SET s3_granted = s3_granted + 1 WHERE {mine} AND year >= 2023"),
        ("update of listed", f"UPDATE reports SET listed = NOT listed WHERE {mine}"),
        ("delete", f"DELETE FROM reports WHERE {mine} AND year = 2023"),
    )

    def run(sql: str, with_rates: bool) -> tuple[float, int]:
        cur.execute("BEGIN")
        if not with_rates:
            for kind in ("insert", "update", "delete"):
                cur.execute(f"ALTER TABLE reports DISABLE TRIGGER report_rates_{kind}")
        t = time.perf_counter()
        cur.execute(sql)
        n, ms = cur.rowcount, (time.perf_counter() - t) * 1000
        conn.rollback()
        return ms, n

    print(f"{args.database}, county {args.county}; {time.strftime('%H:%M:%S', time.gmtime())} UTC, load {os.getloadavg()[0]:.2f}")
    for name, sql in statements:
        on, off = [], []
        for _ in range(args.runs):
            ms, n = run(sql, True)
            on.append(ms)
            off.append(run(sql, False)[0])
        print(f"{name}: {n} reports; with report_rates {statistics.median(on):.1f} ms, "
              f"without {statistics.median(off):.1f} ms (medians of {args.runs})")
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
