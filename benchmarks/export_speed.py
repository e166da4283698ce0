"""Speed of the analyst views and of ``gxcrawler export``, on PostgreSQL.

    python benchmarks/export_speed.py [--reports 2000] [--server postgresql://postgres@127.0.0.1:5432]

Creates a throwaway database, loads ``--reports`` synthetic reports (fixed seeds, both
editions, ~160 cells each) through the project's Loader, then times:

1. each view, fully read (``SELECT * FROM v_…``);
2. ``gxcrawler export --format csv`` and ``--format parquet`` in a child process,
   reporting cells per second and the child's peak memory (it streams: memory should
   not grow with the number of reports).

The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gxcrawler.checks import evaluate  # noqa: E402
from gxcrawler.db import Loader, make_engine, upgrade  # noqa: E402
from gxcrawler.db.views import VIEWS  # noqa: E402
from gxcrawler.model import ParseResult, Provenance, Region  # noqa: E402
from gxcrawler.synthetic import make_report  # noqa: E402
from tests.fixtures.pg import create_database, drop_database  # noqa: E402

#: the export in a child, reporting its own peak memory: VmHWM (Linux), because ru_maxrss
#: survives exec and would include the forking parent's pages
CHILD = (
    "import re, sys; from gxcrawler.cli import main; rc = main(sys.argv[1:]); "
    "status = open('/proc/self/status').read(); "
    "print('MAXRSS', re.search(r'VmHWM:\\s+(\\d+)', status).group(1)); sys.exit(rc)"
)
REGION = Region("四川省", "攀枝花市", "仁和区", "510411", "bench")


def load(engine, n: int) -> int:  # noqa: ANN001
    """n reports: 50 agencies × consecutive years, loaded in batches of 100."""
    batch, cells = [], 0
    loader = Loader(engine)
    for i in range(n):
        year = 2019 + (i // 50) % 8
        synthetic = make_report(i, year=year, agency=f"第{i % 50 + (i // 400) * 50}乡")
        result = ParseResult(
            source=f"https://bench.example/{i}.html", title=synthetic.title, agency=synthetic.agency,
            year=year, published=synthetic.published_date, edition=synthetic.edition,
            values=synthetic.values, blank=synthetic.blank,
            checks=evaluate(synthetic.values, synthetic.blank, synthetic.edition), source_type="html",
        )
        prov = Provenance(content=f"bench {i}".encode(), page_url=result.source, spider="bench",
                          fetched_at=datetime(year + 1, 3, 1, tzinfo=UTC))
        batch.append((result, prov, REGION))
        cells += len(result.values)
        if len(batch) == 100:
            loader.load_many(batch)
            batch = []
    loader.load_many(batch)
    return cells


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=2000)
    args = parser.parse_args()
    url = create_database("gxc_bench_export")
    try:
        engine = make_engine(url)
        upgrade(engine)
        start = time.perf_counter()
        cells = load(engine, args.reports)
        print(f"loaded {args.reports} reports, {cells} cells in {time.perf_counter() - start:.1f} s")
        with engine.connect() as conn:
            for name in VIEWS:
                start = time.perf_counter()
                rows = len(conn.execute(sa.text(f"SELECT * FROM {name}")).all())
                print(f"  {name:<16} {rows:>8} rows  {time.perf_counter() - start:6.2f} s")
        engine.dispose()
        for fmt in ("csv", "parquet"):
            with tempfile.TemporaryDirectory() as out:
                start = time.perf_counter()
                child = subprocess.run(
                    [sys.executable, "-c", CHILD, "export", "--url", url, "--format", fmt, out],
                    check=True, cwd=ROOT, capture_output=True, text=True,
                )
                took = time.perf_counter() - start
                size = sum(p.stat().st_size for p in Path(out).iterdir())
            peak = int(child.stdout.rsplit("MAXRSS", 1)[1]) / 1024
            print(f"  export {fmt:<8} {took:6.2f} s  {cells / took:>9.0f} cells/s  "
                  f"{size / 1e6:7.1f} MB written  peak RSS {peak:.0f} MB")
    finally:
        drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
