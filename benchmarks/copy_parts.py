"""What the COPY of a crawl's report values costs PostgreSQL, part by part.

    python benchmarks/copy_parts.py [--rounds 3]

The largest share of PostgreSQL's work in a crawl with pipelines is the loader's ``COPY
report_values`` (docs/notes/performance.md, "Where the pipelines' other CPU goes"). This crawls
the five portal simulations once into a throwaway database (``GXCRAWLER_TEST_PG``, default
``postgresql://postgres@127.0.0.1:5432``; ``recrawl.crawl``, politeness off), takes its values out
and empties ``report_values`` (the ``cell_sums`` trigger empties the sums with it), then COPYs all
the values back in one statement, each time in a transaction rolled back, in four ways — as the
loader does; without the ``cell_sums`` trigger; without the foreign key's row triggers too
(``DISABLE TRIGGER ALL``); without ``ix_report_values_key`` too — alternated over the rounds.
Prints the median milliseconds of each and the differences: what the sums, the foreign key and
the index each cost, and what is left (the heap, the primary key, COPY's parsing). Wall time of
the COPY as the client sees it, the server doing nearly all of it. The database is dropped at
the end.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.recrawl import crawl  # noqa: E402
from tests.fixtures.pg import create_database, drop_database  # noqa: E402
from tests.simulations.registry import NAMES, all_simulations  # noqa: E402
from tests.simulations.server import SimulationServer  # noqa: E402

COLUMNS = "report_values (report_id, key, value, ocr)"
#: way -> what is switched off before the COPY, in its transaction
WAYS: dict[str, list[str]] = {
    "as loaded": [],
    "no cell_sums trigger": ["ALTER TABLE report_values DISABLE TRIGGER cell_sums_insert"],
    "no triggers (foreign key)": ["ALTER TABLE report_values DISABLE TRIGGER ALL"],
    "no triggers, no key index": ["ALTER TABLE report_values DISABLE TRIGGER ALL",
                                  "DROP INDEX ix_report_values_key"],
}


def copy_ms(conn, values: bytes, before: list[str]) -> float:  # noqa: ANN001 - a psycopg2 connection
    """Milliseconds of one COPY of ``values`` after ``before``, rolled back."""
    with conn.cursor() as cur:
        for sql in before:
            cur.execute(sql)
        started = time.perf_counter()
        cur.copy_expert(f"COPY {COLUMNS} FROM STDIN", io.BytesIO(values))
        spent = time.perf_counter() - started
    conn.rollback()
    return 1000 * spent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f}", flush=True)
    db_url = create_database("gxc_bench_copy")
    server = SimulationServer(all_simulations(NAMES), backlog=512)
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="gxc-bench-") as tmp:
            crawl(server, db_url, list(NAMES), None, Path(tmp) / "crawls")
        conn = psycopg2.connect(db_url.replace("postgresql+psycopg2://", "postgresql://"))
        try:
            with conn.cursor() as cur:
                out = io.BytesIO()
                cur.copy_expert("COPY (SELECT report_id, key, value, ocr FROM report_values) TO STDOUT", out)
                values = out.getvalue()
                cur.execute("SELECT count(*) FROM reports")
                reports = cur.fetchone()[0]
                cur.execute("DELETE FROM report_values")
            conn.commit()
            rows = values.count(b"\n")
            print(f"{rows} values of {reports} reports", flush=True)
            times: dict[str, list[float]] = {way: [] for way in WAYS}
            ways = list(WAYS)
            for r in range(args.rounds):
                for way in ways[r % len(ways):] + ways[: r % len(ways)]:
                    times[way].append(copy_ms(conn, values, WAYS[way]))
        finally:
            conn.close()
    finally:
        server.stop()
        drop_database(db_url)
    med = {way: statistics.median(ms) for way, ms in times.items()}
    print("\n| COPY of the values | median ms | rounds ms |\n|---|---:|---|")
    for way, ms in times.items():
        print(f"| {way} | {med[way]:.0f} | {', '.join(f'{m:.0f}' for m in ms)} |")
    names = list(WAYS)
    print(f"\nthe sums' trigger {med[names[0]] - med[names[1]]:.0f} ms, the foreign key "
          f"{med[names[1]] - med[names[2]]:.0f} ms, the key index {med[names[2]] - med[names[3]]:.0f} ms, "
          f"the rest {med[names[3]]:.0f} ms")
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
