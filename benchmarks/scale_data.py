"""A database of N generated reports, written server-side in a few statements (bulk-load speed).

    python benchmarks/scale_data.py --reports 100000 --database gxc_scale_100k [--revision 0002]

Used by ``benchmarks/query_speed.py``; on its own it creates (or refills) one database
and leaves it there (drop it with ``dropdb``). The shape follows the project's evidence,
not the code under test:

* agencies: per county 1 county government, 1 government office, 24 departments and
  14 townships (乡/镇/街道) — the portals research counts 12–40 agencies per county
  list (docs/spec/portals.md); 10 counties per city, 31 provinces; one agency in
  twenty is city-level (no county);
* reports: every agency for 2019–2025 with 10 % of (agency, year) missing; 2019/2020
  are 2019-edition tables, 2021 on 2021-edition; 95 % ``ok``, 4 % ``partial``,
  1 % ``no_tables`` (no cells);
* cells: each key of the edition present with probability 0.8 (blank or unread cells
  have no row): ~160 per report, as the simulations' crawls store (42,742 cells for
  267 reports); 55 % zeros, small counts otherwise, 万元 amounts with decimals;
* checks: every identity of the edition per report with tables; one report in eleven
  breaks 1–4 of them (the simulations' rate);
* documents: one small stand-in per report (the views never read the bytes).

Rows go in with the secondary indexes and foreign keys of ``report_values`` and
``check_results`` dropped and rebuilt after (as a restore does), then VACUUM ANALYZE.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gxcrawler.checks import identities  # noqa: E402
from gxcrawler.db import failures, make_engine, ranks, reportrates, upgrade  # noqa: E402
from gxcrawler.db.cellsums import REBUILD  # noqa: E402
from gxcrawler.db.headlines import backfill_sql  # noqa: E402

SERVER = "postgresql://postgres@127.0.0.1:5432"
YEARS = range(2019, 2026)
PER_COUNTY = 40  # agencies
BULK_TABLES = ("report_values", "check_results")


def create_database(server: str, name: str) -> None:
    admin = psycopg2.connect(f"{server}/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def drop_database(server: str, name: str) -> None:
    admin = psycopg2.connect(f"{server}/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _columns(cur, table: str) -> set[str]:
    cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,))
    return {r[0] for r in cur.fetchall()}


def _without_indexes(cur, tables: tuple[str, ...]) -> list[str]:
    """Drop the non-primary indexes and FKs of ``tables``; return the statements that restore them."""
    restore = []
    cur.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('f', 'p')",
        (list(tables),),
    )
    for table, name, definition in cur.fetchall():
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", (list(tables),)
    )
    for name, definition in cur.fetchall():
        cur.execute(f'DROP INDEX "{name}"')
        restore.append(definition)
    # primary keys first (the foreign keys of other tables may need them), then the rest
    return sorted(restore, key=lambda s: "PRIMARY KEY" not in s)


def generate(url: str, reports: int, seed: float = 0.42, log=print, sums: bool = True) -> dict[str, float]:  # noqa: ANN001
    """Fill the (migrated, empty) database at ``url`` with ``reports`` reports; return timings.

    ``sums=False``: ``cell_sums`` is left empty (its fill reads every cell: over an hour at a
    million reports on a loaded machine); what reads it — worked queries 2 and 3,
    ``v_cell_sums``, ``v_rollup_cells`` — then has nothing to measure."""
    timings: dict[str, float] = {}
    agencies = -(-reports * 100 // (len(YEARS) * 88))  # 90 % of (agency, year) present, a margin
    counties = -(-agencies // PER_COUNTY)
    rules = {e: [i.rule for i in identities(e)] for e in ("2019", "2021")}
    conn = psycopg2.connect(url.replace("postgresql+psycopg2://", "postgresql://"))
    cur = conn.cursor()
    cur.execute("SET synchronous_commit TO OFF")
    cur.execute("SET maintenance_work_mem TO '512MB'")
    cur.execute("SET work_mem TO '256MB'")
    cur.execute("SELECT setseed(%s)", (seed,))
    values_cols = _columns(cur, "report_values")
    cur.execute("SELECT to_regclass('rank_values_city') IS NOT NULL")
    ranked = cur.fetchone()[0]  # migration 0027: kept by triggers on reports, filled at the end
    cur.execute("SELECT to_regclass('report_rates') IS NOT NULL")
    rated = cur.fetchone()[0]  # migration 0029: the same
    if ranked:
        cur.execute("ALTER TABLE reports DISABLE TRIGGER USER")

    def step(name: str, sql: str, params: dict | None = None) -> None:
        t = time.perf_counter()
        cur.execute(sql, params)
        conn.commit()
        timings[name] = time.perf_counter() - t
        log(f"  {name:<16} {timings[name]:8.1f} s  ({cur.rowcount:,} rows)")

    step(
        "agencies",
        """
        INSERT INTO agencies (id, name, short_name, kind, province, city, county, division_code, portal)
        SELECT g.n,
               CASE WHEN g.city_level THEN g.city ELSE g.county END || g.short,
               g.short, g.kind, g.province, g.city,
               CASE WHEN g.city_level THEN NULL ELSE g.county END,
               lpad((11 + g.p)::text, 2, '0') || lpad((1 + g.c %% 90)::text, 2, '0')
                   || CASE WHEN g.city_level THEN '00' ELSE lpad((1 + g.k %% 99)::text, 2, '0') END,
               'portal' || g.p
        FROM (
            SELECT n, k, k / 10 AS c, (k / 10) %% 31 AS p, slot,
                   '省' || ((k / 10) %% 31) AS province, '市' || (k / 10) AS city, '县' || k AS county,
                   n %% 20 = 0 AS city_level,
                   CASE WHEN slot = 0 THEN 'county' WHEN slot >= 26 THEN 'township' ELSE 'department' END AS kind,
                   CASE WHEN slot = 0 THEN '人民政府' WHEN slot = 1 THEN '人民政府办公室'
                        WHEN slot >= 26 THEN '第' || slot || '镇人民政府'
                        ELSE '第' || slot || '局' END || CASE WHEN n %% 20 = 0 THEN n::text ELSE '' END AS short
            FROM (SELECT n, (n - 1) / %(per)s AS k, (n - 1) %% %(per)s AS slot
                  FROM generate_series(1, %(agencies)s) n) s
        ) g
        """,
        {"per": PER_COUNTY, "agencies": agencies},
    )
    cur.execute("SELECT setval(pg_get_serial_sequence('agencies', 'id'), %s)", (agencies,))
    log(f"  ({agencies:,} agencies in {counties:,} counties)")
    # (agency, year) pairs: a portal crawl stores a county's agencies together
    step(
        "reports",
        """
        INSERT INTO documents (sha256, content, content_type, size, url, first_fetched_at)
        SELECT encode(sha256(convert_to('doc ' || n, 'UTF8')), 'hex'), convert_to('doc ' || n, 'UTF8'),
               'text/html', 8000, 'https://gov.example.cn/' || n || '.html', now()
        FROM generate_series(1, %(reports)s) n;
        CREATE TEMP TABLE pairs AS
        SELECT row_number() OVER (ORDER BY a.id, y) AS n, a.id AS agency_id, y AS year
        FROM agencies a CROSS JOIN generate_series(%(first)s, %(last)s) y
        WHERE random() < 0.9;
        INSERT INTO reports (id, agency_id, year, title, agency_raw, page_url, document_url, published, edition,
                             source_type, sha256, spider, fetched_at, parsed_at, status, warnings, blank,
                             checks_failed, listed, fingerprint)
        SELECT p.n, p.agency_id, p.year, a.name || p.year || '年政府信息公开工作年度报告', a.short_name,
               'https://gov.example.cn/' || p.n || '.html',
               CASE WHEN p.n %% 3 = 0 THEN 'https://gov.example.cn/' || p.n || '.pdf' END,
               make_date(p.year + 1, 1, 1) + (random() * 80)::int,
               CASE WHEN p.year >= 2021 THEN '2021' ELSE '2019' END,
               CASE WHEN p.n %% 3 = 0 THEN 'pdf' WHEN p.n %% 17 = 0 THEN 'docx' ELSE 'html' END,
               encode(sha256(convert_to('doc ' || p.n, 'UTF8')), 'hex'), a.portal, now(), now(),
               CASE WHEN p.n %% 100 = 7 THEN 'no_tables' WHEN p.n %% 25 = 3 THEN 'partial' ELSE 'ok' END,
               '[]', '[]', 0, true, md5(p.n::text) || md5(p.n::text)
        FROM pairs p JOIN agencies a ON a.id = p.agency_id
        WHERE p.n <= %(reports)s
        """,
        {"reports": reports, "first": YEARS[0], "last": YEARS[-1]},
    )
    cur.execute("SELECT setval(pg_get_serial_sequence('reports', 'id'), %s)", (reports,))
    conn.commit()
    restore = _without_indexes(cur, BULK_TABLES)
    fill_sums = sums
    sums = "reports" in _columns(cur, "cell_sums")  # migration 0016: kept by triggers
    if sums:  # filled once after the bulk insert, as a restore would
        cur.execute("ALTER TABLE report_values DISABLE TRIGGER USER")
    cur.execute("SELECT to_regclass('failed_identities') IS NOT NULL")
    failed = cur.fetchone()[0]  # migration 0026: kept by triggers, filled after the bulk insert too
    if failed:
        cur.execute("ALTER TABLE check_results DISABLE TRIGGER USER")
    conn.commit()
    derived = "section" in values_cols
    step(
        "report_values",
        f"""
        INSERT INTO report_values (report_id, key, {'section, "row", "column", ' if derived else ''}value)
        SELECT r.id, m.key, {'m.section, m.row_key, m.column_key, ' if derived else ''}
               CASE WHEN m.column_key = 'amount' THEN round((random() * 100000)::numeric / 1000, 3)
                    WHEN random() < 0.55 THEN 0
                    ELSE floor(power(random(), 3) * 400)::numeric END
        FROM reports r
        JOIN metrics m ON CASE WHEN r.edition = '2019' THEN m.in_2019 ELSE m.in_2021 END
        WHERE r.status <> 'no_tables' AND random() < 0.8
        """,
    )
    cur.execute("CREATE TEMP TABLE rules (edition text, rule text)")
    cur.executemany("INSERT INTO rules VALUES (%s, %s)", [(e, r) for e, rs in rules.items() for r in rs])
    step(
        "check_results",
        """
        INSERT INTO check_results (report_id, rule, ok, "left", "right")
        SELECT c.id, c.rule, NOT c.broken, c.v + CASE WHEN c.broken THEN 1 + c.v %% 7 ELSE 0 END, c.v
        FROM (
            SELECT r.id, u.rule, floor(random() * 50)::numeric AS v,
                   r.id %% 11 = 5 AND random() < 3.0 / 42 AS broken
            FROM reports r JOIN rules u ON u.edition = r.edition
            WHERE r.status <> 'no_tables'
        ) c
        """,
        {},
    )
    for statement in restore:
        t = time.perf_counter()
        cur.execute(statement)
        conn.commit()
        log(f"  {statement[:90]} {time.perf_counter() - t:.1f} s")

    def refill(name: str, statements, table: str) -> None:
        """A derived table filled from the rows written with its triggers off, then the triggers back on."""
        t = time.perf_counter()
        for statement in statements:
            cur.execute(statement)
        cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        conn.commit()
        timings[name] = time.perf_counter() - t
        log(f"  {name:<17}{timings[name]:8.1f} s")

    if sums:
        refill("cell_sums", REBUILD if fill_sums else (), "report_values")
    if failed:
        kept = failures.COLUMNS if "agency_id" in _columns(cur, "failed_identities") else failures.COLUMNS_0026
        refill("failed_identities", failures.rebuild_statements(kept), "check_results")
    step(
        "checks_failed",
        """
        UPDATE reports r SET checks_failed = f.n
        FROM (SELECT report_id, count(*) AS n FROM check_results WHERE NOT ok GROUP BY report_id) f
        WHERE f.report_id = r.id
        """,
    )
    if "s3_new" in _columns(cur, "reports"):  # headlines and check counts, as the loader stores them
        step("headlines", backfill_sql())
    if ranked:
        refill("rank_values", ranks.REBUILD + (reportrates.REBUILD if rated else ()), "reports")
    conn.autocommit = True
    t = time.perf_counter()
    cur.execute("VACUUM ANALYZE")
    timings["vacuum"] = time.perf_counter() - t
    log(f"  vacuum analyze   {timings['vacuum']:8.1f} s")
    conn.close()
    return timings


def table_sizes(url: str) -> list[tuple[str, int, int, int]]:
    """(table, rows, heap bytes, index bytes) of the big tables."""
    conn = psycopg2.connect(url.replace("postgresql+psycopg2://", "postgresql://"))
    with conn.cursor() as cur:
        cur.execute(
            "SELECT c.relname, c.reltuples::bigint, pg_table_size(c.oid), pg_indexes_size(c.oid) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY pg_total_relation_size(c.oid) DESC"
        )
        rows = cur.fetchall()
    conn.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--database", required=True)
    ap.add_argument("--revision", default="head", help="schema revision to generate at")
    ap.add_argument("--server", default=SERVER)
    ap.add_argument("--without-sums", action="store_true", help="leave cell_sums empty (its fill is long at 1M)")
    args = ap.parse_args()
    create_database(args.server, args.database)
    url = f"{args.server.replace('postgresql://', 'postgresql+psycopg2://')}/{args.database}"
    engine = make_engine(url)
    upgrade(engine, args.revision)
    engine.dispose()
    t = time.perf_counter()
    generate(url, args.reports, sums=not args.without_sums)
    print(f"generated {args.reports:,} reports in {time.perf_counter() - t:.1f} s")
    for name, rows, heap, index in table_sizes(url):
        print(f"  {name:<16} {rows:>12,} rows  heap {heap / 2**20:9.1f} MiB  indexes {index / 2**20:9.1f} MiB")


if __name__ == "__main__":
    main()
