"""Loader speed against PostgreSQL's own COPY, in one run, on the same table.

    python benchmarks/load_speed.py [--reports 10000] [--agencies-per-county 40] [--key-index partial|none|covering|plain] [--without-cell-sums] [--plain-sums-key-index] [--tiny-documents] [--sealed] [--newest-first] [--revision 0035] [--server postgresql://postgres@127.0.0.1:5432]

Creates a throwaway database, migrates it, generates ``--reports`` reports of every
2021-edition cell (200 values each) with their identity checks, each with a document
of realistic size (a synthetic report page as the simulations serve it, ~8.5 KiB; most
real report pages are 7–8 KiB), and times:

1. ``Loader.load_many`` in batches of the pipeline's size (``GXCRAWLER_LOAD_BATCH``, 100;
   ``--batch 20`` was the size before 2026-11-30 07:30) — the real thing: documents,
   agencies, aliases, the report rows, values, checks, fetches;
2. the same reports loaded again, all unchanged (same bytes, same parse): what a
   re-crawl or ``reparse`` of unchanged documents costs (aim: <= 5 % of 1.). Since
   2026-11-30 14:00 by a new ``Loader`` from equal reports made of new objects, as a
   re-crawl's process has them (its agency cache empty, its numbers never hashed); the old
   figure — the first load's ``Loader`` and objects again, whose Decimals cache their hash —
   is printed beside it ("same objects");
3. ``COPY report_values FROM STDIN`` of exactly the same value rows (same report ids)
   into the same, emptied table, with the same indexes and foreign keys (aim: 1. <= 2x):
   once with the trigger that keeps ``cell_sums`` (migration 0016), once without it.

``--sealed``: the reports as the parser pool hands them over — each fingerprinted in the worker
that parsed it (``gxcrawler.fingerprint.seal``) and pickled across — the sealing done before
the clocks and printed apart (the worker's added time): the fingerprint moved, not saved.

``--gc-freeze``: the generated reports (both sets, ~430,000 objects the collector tracks)
moved out of the garbage collector's reach (``gc.collect(); gc.freeze()``) before the clocks.
Without it a full collection that happens to fall in a timed step scans the benchmark's own
data — a process loading batch by batch holds no such heap: with synthetic cells one fell in
the unchanged reload in every run on 2026-12-01 (+0.2 s of 0.3, the reload's CPU ~8.8 % of the
first load's instead of ~5 %). The loader's own garbage is still collected (and counted).

``--cells synthetic`` loads a synthetic report's cells (identities hold but in ~1 report in
11, as in real reports) instead of random ones (nearly every identity fails: ~49 failed
checks a report, each an entry of the failed-checks index and of ``failed_identities``).

Prints rows per second, the ratios and ``uptime``'s load. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import pickle
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gxcrawler import catalog, settings  # noqa: E402
from gxcrawler.checks import evaluate  # noqa: E402
from gxcrawler.db import Loader, make_engine, upgrade  # noqa: E402
from gxcrawler.fingerprint import seal  # noqa: E402
from gxcrawler.model import ParseResult, Provenance, Region  # noqa: E402

REGION = Region("云南省", "文山壮族苗族自治州", "砚山县", None, "bench")
YEARS = (2021, 2022, 2023, 2024, 2025)


def server_cpu(admin, database: str) -> float:  # noqa: ANN001 - a psycopg2 connection
    """CPU seconds (user + system) used so far by the client backends of ``database``.

    On a loaded machine wall time mostly measures the wait for a CPU; the backends' own
    CPU time (``/proc/<pid>/stat``, the server runs on this machine) is the work done.
    """
    with admin.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'", (database,)
        )
        pids = [r[0] for r in cur.fetchall()]
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


class Clock:
    """Wall time, this process's CPU time and the database backends' CPU time of a step (and the
    garbage collector's full collections in it, each a scan of every tracked object)."""

    def __init__(self, admin, database: str) -> None:  # noqa: ANN001
        self.admin, self.database = admin, database

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        self.server = server_cpu(self.admin, self.database)
        self.full = gc.get_stats()[2]["collections"]
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.server = server_cpu(self.admin, self.database) - self.server
        self.full = gc.get_stats()[2]["collections"] - self.full

    def __str__(self) -> str:
        return (f"{self.wall:.2f} s wall, CPU {self.cpu:.2f} s client + {self.server:.2f} s server"
                f"{f' ({self.full} full garbage collection' + 's' * (self.full > 1) + ')' if self.full else ''}")


#: ``report_values``' index by key in place of the migrated one (``partial``, migration 0035:
#: ``(key, report_id) INCLUDE (value) WHERE key >= ''``); ``none``: as 0017–0034 left the table
KEY_INDEXES = {
    "none": "",
    "covering": "CREATE INDEX ix_report_values_key ON report_values (key, report_id) INCLUDE (value)",
    "plain": "CREATE INDEX ix_report_values_key ON report_values (key)",
}


def _pages(count: int = 20) -> list[bytes]:
    """Synthetic report pages as the simulations serve them (the bytes a crawl stores)."""
    from gxcrawler.synthetic import make_report, render_page_html

    return [render_page_html(make_report(seed))[0] for seed in range(count)]


#: share of reports with a failed identity in ``--cells synthetic`` (real reports: ~1 in 11)
FAILING = 1 / 11


def _synthetic_values(i: int, failing: bool) -> dict[str, Decimal]:
    """The 2021 cells of a synthetic report (``gxcrawler.synthetic``) holding every key: its
    identities hold unless ``failing`` (then some do not), as in real reports."""
    from gxcrawler.synthetic import make_report

    keys = catalog.keys_for("2021")
    texts = _SYNTHETIC.get((i, failing))
    if texts is None:
        for seed in range(i, i + 100 * 10**6, 10**6):
            values = make_report(seed, year=2021, edition="2021", consistent=not failing).values
            if len(values) == len(keys) and all(v is not None for v in values.values()):
                texts = _SYNTHETIC[(i, failing)] = [str(values[k]) for k in keys]
                break
        else:
            raise RuntimeError(f"no synthetic report with every cell near seed {i}")
    return dict(zip(keys, map(Decimal, texts), strict=True))  # new Decimals on every call


_SYNTHETIC: dict[tuple[int, bool], list[str]] = {}


def generate(
    n: int, seed: int = 1, tiny: bool = False, per_county: int = 0, cells: str = "random", newest_first: bool = False
) -> list[tuple[ParseResult, Provenance, Region]]:
    """``n`` reports of agencies with ``len(YEARS)`` years each; ``per_county`` agencies to
    a county (0: all in one county, the benchmark's shape before 2026-11-30); each agency's
    years oldest first, or ``newest_first`` (each report's next year then stored before it).

    ``cells``: ``random`` (each cell 0-300: nearly every identity check fails, ~49 failed
    checks a report — the benchmark's data before 2026-11-30 14:00) or ``synthetic`` (a
    synthetic report's cells: the identities hold, except in ~1 report in 11). Called twice
    with the same arguments it gives equal reports made of new objects (as a re-crawl's parse).
    """
    rnd = random.Random(seed)
    pages = [b""] if tiny else _pages()
    keys = catalog.keys_for("2021")
    batch = []
    for i in range(n):
        agency, year = f"第{i // len(YEARS)}测试乡", YEARS[-1 - i % len(YEARS) if newest_first else i % len(YEARS)]
        if cells == "synthetic":
            values = _synthetic_values(i, rnd.random() < FAILING)
        else:
            values = {k: Decimal(rnd.randint(0, 300)) for k in keys}
            values["s2.art20_8.fees.amount"] = Decimal(rnd.randint(0, 10**7)) / 1000
        url = f"https://bench.example.gov.cn/view/{i}.html"
        result = ParseResult(
            source=url,
            title=f"{agency}{year}年政府信息公开工作年度报告",
            agency=agency,
            year=year,
            published=date(year + 1, 1, 20),
            edition="2021",
            values=values,
            checks=evaluate(values, [], "2021"),
            source_type="html",
        )
        prov = Provenance(
            content=pages[i % len(pages)] + f"<html><body>{agency}{year} {i}</body></html>".encode(),
            page_url=url,
            fetched_at=datetime.now(UTC),
            content_type="text/html",
            spider="bench",
        )
        region = REGION
        if per_county:
            county = f"第{i // len(YEARS) // per_county}县"
            region = Region(REGION.province, REGION.city, county, None, REGION.portal)
        batch.append((result, prov, region))
    return batch


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=settings.GXCRAWLER_LOAD_BATCH,
                    help="reports per load_many call (default: the pipeline's)")
    ap.add_argument("--tiny-documents", action="store_true", help="50-byte documents (the figures before 2026-11-23)")
    ap.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    ap.add_argument("--key-index", choices=["partial", *KEY_INDEXES], default="partial",
                    help="report_values' index by key: partial, as migrated (0035); none, as 0017-0034; "
                    "covering: 0006's; plain: 0001's")
    ap.add_argument("--agencies-per-county", type=int, default=0,
                    help="agencies to a county (0: every agency in one county); portals list 12-40")
    ap.add_argument("--plain-sums-key-index", action="store_true",
                    help="cell_sums' (key, year) index without 0020's covered columns (sums updated in place)")
    ap.add_argument("--without-cell-sums", action="store_true",
                    help="the cell sums' triggers off for the whole run (what keeping cell_sums costs the loader)")
    ap.add_argument("--cells", choices=["random", "synthetic"], default="random",
                    help="random cells (nearly every check fails; the figures before 2026-11-30 14:00) or a "
                    "synthetic report's (identities hold in 10 reports of 11, as in real reports)")
    ap.add_argument("--sealed", action="store_true",
                    help="reports fingerprinted in the parser's worker and pickled across, as the pool hands them over")
    ap.add_argument("--newest-first", action="store_true",
                    help="each agency's years newest first: every report but the newest finds its next year "
                    "stored (what report_rates' previous-year columns cost, migration 0036)")
    ap.add_argument("--gc-freeze", action="store_true",
                    help="the generated reports out of the garbage collector's reach before the clocks "
                    "(a full collection in a timed step then scans only what the loader made)")
    ap.add_argument("--revision", default="head",
                    help="migrate the database to this revision, not the head (e.g. 0035: the rates triggers before 0036)")
    args = ap.parse_args()

    name = f"gxc_bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(f"{args.server}/postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    url = f"{args.server.replace('postgresql://', 'postgresql+psycopg2://')}/{name}"
    engine = make_engine(url)
    try:
        upgrade(engine, args.revision)
        if args.key_index != "partial":  # the migrated index (0035) replaced or dropped
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP INDEX IF EXISTS ix_report_values_key")
                if KEY_INDEXES[args.key_index]:
                    conn.exec_driver_sql(KEY_INDEXES[args.key_index])
        if args.plain_sums_key_index:
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP INDEX ix_cell_sums_key")
                conn.exec_driver_sql("CREATE INDEX ix_cell_sums_key ON cell_sums (key, year)")
        if args.without_cell_sums:
            with engine.begin() as conn:
                conn.exec_driver_sql("ALTER TABLE report_values DISABLE TRIGGER USER")
        t = time.perf_counter()
        shape = {"tiny": args.tiny_documents, "per_county": args.agencies_per_county, "cells": args.cells,
                 "newest_first": args.newest_first}
        reports = generate(args.reports, **shape)
        again_reports = generate(args.reports, **shape)  # equal reports, new objects (the re-crawl's)
        if args.sealed:  # as the parser pool's workers hand them over (gxcrawler/parsing/pool.py)
            spent = time.process_time()
            for result, _, _ in again_reports:
                seal(result)
            spent = time.process_time() - spent
            for result, _, _ in reports:
                seal(result)
            reports, again_reports = (
                [(pickle.loads(pickle.dumps(r)), p, g) for r, p, g in batch] for batch in (reports, again_reports)
            )
            print(f"sealed in the 'workers': {1000 * spent / len(again_reports):.3f} ms CPU a report (moved, not saved)")
        if args.gc_freeze:
            gc.collect()
            gc.freeze()
        rows = sum(len(r.values) for r, _, _ in reports)
        size = sum(len(p.content) for _, p, _ in reports) / len(reports)
        print(
            f"generated {len(reports)} reports, {rows} value rows, documents of {size / 1024:.1f} KiB "
            f"in {time.perf_counter() - t:.1f} s (twice); cells {args.cells}, key index {args.key_index}, "
            f"{sum(not c.ok for r, _, _ in reports for c in r.checks) / len(reports):.1f} failed identity checks a report"
        )

        loader = Loader(engine)
        with engine.connect() as conn:  # the pooled connection exists before the first clock
            conn.exec_driver_sql("SELECT 1")
        outcomes = []
        with Clock(admin, name) as first:
            for start in range(0, len(reports), args.batch):
                outcomes.extend(loader.load_many(reports[start : start + args.batch]))
        loader_s = first.wall
        bad = [o for o in outcomes if o.status != "inserted"]
        assert not bad, bad[:3]

        again = []
        fresh = Loader(engine)  # a re-crawl's process: nothing cached from the first load
        with Clock(admin, name) as reload:
            for start in range(0, len(again_reports), args.batch):
                again.extend(fresh.load_many(again_reports[start : start + args.batch]))
        unchanged_s = reload.wall
        assert {o.status for o in again} == {"unchanged"}
        again = []
        with Clock(admin, name) as reload_same:  # the figure before 2026-11-30 14:00
            for start in range(0, len(reports), args.batch):
                again.extend(loader.load_many(reports[start : start + args.batch]))
        assert {o.status for o in again} == {"unchanged"}

        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("SELECT report_id, key, value FROM report_values")
            buf = io.StringIO()
            for rec in cur:
                buf.write("\t".join(str(v) for v in rec) + "\n")
            assert buf.getvalue().count("\n") == rows
            copy_s: dict[str, float] = {}
            copy_cpu: dict[str, float] = {}
            # with the cell sums' trigger (the table as the schema has it), then without it
            # (COPY of the cells alone: what the loader's own overhead is measured against)
            for sums in ("with", "without"):
                cur.execute("TRUNCATE report_values")
                if sums == "without":
                    cur.execute("ALTER TABLE report_values DISABLE TRIGGER cell_sums_insert")
                raw.commit()
                buf.seek(0)
                with Clock(admin, name) as copy:
                    cur.copy_expert("COPY report_values (report_id, key, value) FROM STDIN", buf)
                    raw.commit()
                copy_s[sums] = copy.wall
                copy_cpu[sums] = copy.cpu + copy.server
                cur.execute("SELECT count(*) FROM report_values")
                assert cur.fetchone()[0] == rows
        finally:
            raw.close()

        print(
            f"loader: {rows} rows in {loader_s:.2f} s = {rows / loader_s:,.0f} rows/s ({len(reports) / loader_s:,.0f} reports/s)"
        )
        print(f"  loader: {first}")
        loader_cpu = first.cpu + first.server
        for sums, seconds in copy_s.items():
            print(f"COPY {sums} the cell sums' trigger: {rows} rows in {seconds:.2f} s = {rows / seconds:,.0f} rows/s"
                  f" (CPU {copy_cpu[sums]:.2f} s)")
            print(f"ratio loader/COPY ({sums} the trigger): {loader_s / seconds:.2f}x wall, "
                  f"{loader_cpu / copy_cpu[sums]:.2f}x CPU (client + server)  (aim: <= 2x)")
        print(
            f"re-loading {len(reports)} unchanged reports (new loader, new objects): {unchanged_s:.2f} s "
            f"({len(reports) / unchanged_s:,.0f} reports/s) = {100 * unchanged_s / loader_s:.1f} % of the first load "
            "(aim: <= 5 %)"
        )
        print(f"  unchanged reload: {reload}; CPU {100 * (reload.cpu + reload.server) / loader_cpu:.1f} % of the first load's")
        print(
            f"  same objects (the definition before 2026-11-30 14:00): {reload_same}; "
            f"{100 * reload_same.wall / loader_s:.1f} % wall, "
            f"CPU {100 * (reload_same.cpu + reload_same.server) / loader_cpu:.1f} % of the first load's"
        )
        print(f"generated reports {'frozen' if args.gc_freeze else 'not frozen'} (--gc-freeze)")
        print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    finally:
        engine.dispose()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
