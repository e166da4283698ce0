"""Analyst query speed at scale: the README's worked queries and the common filters on every view.

    python benchmarks/scale_data.py --reports 100000 --database gxc_scale_100k   # once
    python benchmarks/query_speed.py --database gxc_scale_100k [--runs 5] [--explain]

Times, on a database made by ``benchmarks/scale_data.py`` (goal, issue 12: every worked
query and every common filter < 200 ms at 100,000 reports, < 1 s at 1,000,000):

* the five worked queries of ``tests/analytics/queries/`` as an analyst runs them.
  Query 1 names 仁和区, a county the generated data does not have: it is run with a
  generated county in its place (the same shape of work: a county's townships);
* every view of ``gxcrawler.db.views.VIEWS`` (and any other ``v_*`` view in the
  database) filtered by county, by city, by year, by agency and by county and year,
  where the view has those columns: the rows of a county, an agency or a county's year
  are fetched (``SELECT *``); a city's or a year's rows — tens of thousands of reports,
  millions of cells at 1M — are aggregated (``count(*)`` and a sum), as nobody reads
  them row by row; on the views of every cell (``PAGED``) also their first 100 rows
  (``LIMIT 100``: what browsing a city's or a year's cells waits for); on ``v_s3_long``,
  ``v_compare`` and ``v_cell_sums`` also one cell (``s3.new.total``) across a city's and a
  year's reports, aggregated;
* paired: the ``v_reports`` and ``v_s3_long`` county-and-year filters against the
  same rows written by hand on the tables (goal: the view costs no more than that);
* paired, ``--before REVISION`` (e.g. ``0016``): each view whose SQL changed since that
  revision's views (``gxcrawler.db.views.VIEWS_<REVISION>``) filtered the same ways with
  its old SQL inlined as a subquery (which PostgreSQL merges as it merges a view), and
  the worked queries' old texts (``tests/analytics/queries/before/``) over those old views:
  the rewrite against what it replaced, in the same run. Indexes are today's for both;
* paired, ``--without-index NAME`` (e.g. ``ix_report_values_key``, migration 0035): each query
  also run with that index dropped inside a transaction rolled back after it (the plan
  without the index, same run). The drop locks the table for the query's time: on a
  private copy of the database only;
* paired, ``--settings 'jit=off,random_page_cost=1.1,…'``: each query also run with those
  settings set in the session (``set_config``, reset after it; planner and executor settings
  only — ``shared_buffers`` needs a restart), right after the same query at the server's
  settings: the settings against the server's in the same minutes, on the same cache. Read-only.

Each query is run once to warm the cache, then ``--runs`` times; the figure is the
median. ``server ms`` is PostgreSQL's own execution time (``EXPLAIN (ANALYZE, TIMING
OFF)``: producing every row, not sending it); ``client ms`` is the wall time of
``execute`` + ``fetchall`` through psycopg2 (rows converted to Python objects), which
alternates with the server measurement. ``full scans`` names the big tables
(``reports``, ``report_values``, ``check_results``) the plan reads whole: a filter that
should use an index and does not shows up there. The filter values are picked from the
data (a county and city of typical size, the latest complete year, an agency with
reports). Server defaults (``work_mem``, parallel workers) are left as they are: they
are what an analyst's session gets.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import psycopg2.errors

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gxcrawler.db import views as view_versions  # noqa: E402
from gxcrawler.db.views import VIEWS, changed_since, inline  # noqa: E402

SERVER = "postgresql://postgres@127.0.0.1:5432"
QUERIES = ROOT / "tests" / "analytics" / "queries"
BIG_TABLES = ("reports", "report_values", "check_results")


@dataclass
class Query:
    group: str
    name: str
    sql: str
    params: dict


def pick_values(cur) -> dict:
    """Filter values of typical selectivity, chosen from the data itself."""
    cur.execute(
        "SELECT a.county, count(*) FROM reports r JOIN agencies a ON a.id = r.agency_id "
        "WHERE a.county IS NOT NULL GROUP BY a.county ORDER BY count(*), a.county"
    )
    counties = cur.fetchall()
    county = counties[len(counties) // 2][0]
    cur.execute("SELECT city FROM agencies WHERE county = %s LIMIT 1", (county,))
    city = cur.fetchone()[0]
    cur.execute("SELECT max(year) FROM reports")
    last = cur.fetchone()[0]
    cur.execute("SELECT count(*) FILTER (WHERE year = %s), count(*) FILTER (WHERE year = %s - 1) FROM reports",
                (last, last))
    n_last, n_before = cur.fetchone()
    year = last if n_last >= 0.8 * n_before else last - 1  # the latest year most agencies have reported
    cur.execute(
        "SELECT a.name FROM agencies a JOIN reports r ON r.agency_id = a.id WHERE a.county = %s "
        "GROUP BY a.name ORDER BY count(*) DESC, a.name LIMIT 1",
        (county,),
    )
    agency = cur.fetchone()[0]
    return {"county": county, "city": city, "year": year, "agency": agency, "key": KEY}


def view_columns(cur) -> dict[str, set[str]]:
    cur.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name LIKE 'v\\_%%'"
    )
    out: dict[str, set[str]] = {}
    for table, column in cur.fetchall():
        out.setdefault(table, set()).add(column)
    return out


#: filter name -> (columns the view needs, WHERE clause, fetch rows or aggregate)
FILTERS = {
    "county": (("county",), "county = %(county)s", "rows"),
    "agency": (("agency",), "agency = %(agency)s", "rows"),
    "county+year": (("county", "year"), "county = %(county)s AND year = %(year)s", "rows"),
    "city": (("city",), "city = %(city)s", "aggregate"),
    "year": (("year",), "year = %(year)s", "aggregate"),
    "city, first page": (("city",), "city = %(city)s", "page"),
    "year, first page": (("year",), "year = %(year)s", "page"),
    "city+key": (("city", "key"), "city = %(city)s AND key = %(key)s", "aggregate"),
    "year+key": (("year", "key"), "year = %(year)s AND key = %(key)s", "aggregate"),
}

#: the cell views also timed on one cell across a city's or a year's reports (``KEY``: the
#: requests received, a cell every report has)
KEYED = ("v_s3_long", "v_compare", "v_cell_sums")
KEY = "s3.new.total"

#: views of every cell (a city's or a year's: millions of rows at 1M), also timed to their
#: first page of rows, which is what someone browsing them waits for; their sums are in
#: ``v_cell_sums``
PAGED = ("v_s2_long", "v_s3_long", "v_s4_long", "v_compare")
PAGE = 100


def _worked(path: Path) -> str:
    """A worked query's text, run on a generated county in place of 仁和区."""
    return path.read_text().replace("%", "%%").replace("'仁和区'", "%(county)s")


def queries(cur, values: dict, before: str | None = None) -> list[Query]:
    out = []
    for path in sorted(QUERIES.glob("*.sql")):
        out.append(Query("worked query", path.stem, _worked(path), values))
    old = {}
    if before:  # the old views' SQL, its % escaped for psycopg2's parameters
        changed = changed_since(getattr(view_versions, f"VIEWS_{before}"), "postgresql")
        old = {name: sql.replace("%", "%%") for name, sql in changed.items()}
    if before:
        for path in sorted((QUERIES / "before").glob("*.sql")):
            # 5_….sql: the text as of 0016; 5_….0023.sql: as of 0023 (each over the views as of ``before``)
            out.append(Query(f"worked query, old text, views as of {before}", path.stem, inline(_worked(path), old), values))
    columns = view_columns(cur)
    names = list(VIEWS) + sorted(set(columns) - set(VIEWS))
    for view in names:
        if view not in columns:
            continue
        cols = columns[view]
        groups = [view] + ([f"{view} as of {before}"] if view in old else [])
        measure = next((c for c in ("value", "s3_new", "difference") if c in cols), None)
        for name, (needs, where, kind) in FILTERS.items():
            if not set(needs) <= cols or (kind == "page" and view not in PAGED):
                continue
            if "key" in needs and view not in KEYED:
                continue
            if kind == "rows":
                sql = f"SELECT * FROM {view} WHERE {where}"
            elif kind == "page":
                sql = f"SELECT * FROM {view} WHERE {where} LIMIT {PAGE}"
            else:
                agg = f", sum({measure})" if measure else ""
                sql = f"SELECT count(*){agg} FROM {view} WHERE {where}"
            for group in groups:  # the view, then its old SQL in the same run
                out.append(Query(group, name, sql if group == view else inline(sql, old), values))
        if "change" in cols and "year" in cols:  # the change from the previous year, a whole year of it
            sql = "SELECT count(*), sum(change) FROM " + view + " WHERE year = %(year)s"
            for group in groups:
                out.append(Query(group, "year, change", sql if group == view else inline(sql, old), values))
    # paired: the same rows written by hand on the tables
    out.append(Query("by hand", "v_reports county+year", """
        SELECT r.id, a.id, a.name, a.kind, a.province, a.city, a.county, a.division_code, a.portal, r.year,
               r.edition, r.published, r.title, COALESCE(r.document_url, r.page_url), r.page_url, r.source_type,
               r.spider, r.status, r.checks, r.checks_failed, r.s3_new, r.s3_carried_in, r.s3_granted,
               r.s3_partial, r.s3_denied, r.s3_unavailable, r.s3_rejected, r.s3_other, r.s3_total,
               r.s3_carried_out, r.s4_review, r.s4_suit_direct, r.s4_suit_after_review, r.s4_suits
        FROM agencies a JOIN reports r ON r.agency_id = a.id
        WHERE a.county = %(county)s AND r.year = %(year)s""", values))
    out.append(Query("by hand", "v_s3_long county+year", """
        SELECT r.id, a.id, a.name, a.kind, a.province, a.city, a.county, a.division_code, r.year, r.edition,
               v.key, m.table_code, m.table_label, m.row_key,
               CASE WHEN r.edition = '2019' THEN m.row_label_2019 ELSE m.row_label END,
               m.column_key,
               CASE WHEN r.edition = '2019' THEN m.column_label_2019 ELSE m.column_label END,
               m.ordinal, v.value
        FROM agencies a JOIN reports r ON r.agency_id = a.id JOIN report_values v ON v.report_id = r.id
        JOIN metrics m ON m.key = v.key
        WHERE a.county = %(county)s AND r.year = %(year)s AND m.section = 's3'""", values))
    return out


def _plan_scans(plan: dict) -> set[str]:
    found = set()
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in BIG_TABLES:
        found.add(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found |= _plan_scans(child)
    return found


def server_run(cur, q: Query) -> tuple[float, set[str], int]:
    """Server ms (planning + execution), the big tables read whole, and the functions JIT compiled
    (0: no JIT; with ``TIMING OFF`` PostgreSQL does not say how long compiling took)."""
    cur.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + q.sql, q.params)
    raw = cur.fetchone()[0]
    plan = (raw if isinstance(raw, list) else json.loads(raw))[0]
    jit = plan.get("JIT", {}).get("Functions", 0)
    return plan["Execution Time"] + plan.get("Planning Time", 0.0), _plan_scans(plan["Plan"]), jit


def client_run(cur, q: Query) -> tuple[float, int]:
    started = time.perf_counter()
    cur.execute(q.sql, q.params)
    rows = cur.fetchall()
    return 1000 * (time.perf_counter() - started), len(rows)


def parse_settings(text: str | None) -> dict[str, str]:
    """``'jit=off, work_mem=64MB'`` -> ``{'jit': 'off', 'work_mem': '64MB'}``."""
    out = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise SystemExit(f"--settings: {item!r} is not name=value")
        out[name.strip()] = value.strip()
    return out


def set_session(cur, settings: dict[str, str]) -> None:  # noqa: ANN001 - a psycopg2 cursor
    """``settings`` set in the cursor's session (``set_config``, until reset or the session ends)."""
    for name, value in settings.items():
        cur.execute("SELECT set_config(%s, %s, false)", (name, value))


def timed(run, cur, q: Query, drop: str | None, settings: dict[str, str] | None = None):  # noqa: ANN001, ANN201
    """``run(cur, q)`` (server_run or client_run); with index ``drop`` dropped in a transaction
    rolled back after it; with ``settings`` set in the session for the run and reset after it."""
    if settings:
        set_session(cur, settings)
        try:
            return timed(run, cur, q, drop)
        finally:
            for name in settings:
                cur.execute(f"RESET {name}")
    if drop is None:
        return run(cur, q)
    cur.execute("BEGIN")
    try:
        cur.execute("SET LOCAL lock_timeout = '10s'")
        cur.execute(f"DROP INDEX {drop}")
        return run(cur, q)
    finally:
        cur.execute("ROLLBACK")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database", required=True)
    ap.add_argument("--server", default=SERVER)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--slow-ms", type=float, default=5000, help="a query slower than this is run once more, not --runs times")
    ap.add_argument("--only", help="regular expression on 'group name'")
    ap.add_argument("--explain", action="store_true", help="print each query's plan once")
    ap.add_argument("--before", metavar="REVISION", help="also time the views changed since REVISION with their old SQL")
    ap.add_argument("--without-index", metavar="NAME",
                    help="also time each query with index NAME dropped (rolled back; a private database only)")
    ap.add_argument("--settings", metavar="NAME=VALUE,…",
                    help="also time each query with these settings set in its session (same run, alternated)")
    args = ap.parse_args()
    settings = parse_settings(args.settings)
    conn = psycopg2.connect(f"{args.server}/{args.database}")
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM reports")
    n_reports = cur.fetchone()[0]
    # the planner's count: counting 158 million cells at 1M reports reads the table (minutes)
    cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'report_values'")
    n_values = cur.fetchone()[0]
    values = pick_values(cur)
    print(f"{args.database}: {n_reports:,} reports, ~{n_values:,} cells (planner's count); filters {values}; "
          f"median of {args.runs} runs after one warm-up; load {os.getloadavg()[0]:.2f}", flush=True)
    if settings:
        cur.execute("SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s) ORDER BY name",
                    (list(settings),))
        server = ", ".join(f"{n}={v}" for n, v in cur.fetchall())
        print(f"paired: the server's settings ({server}) against {args.settings}", flush=True)
    todo = [q for q in queries(cur, values, args.before) if not args.only or re.search(args.only, f"{q.group} {q.name}")]
    print("| group | query | rows | server ms | client ms | full scans |")
    print("|---|---|---:|---:|---:|---|")
    results = {}
    if args.without_index:  # each query, then the same without the index
        todo = [v for q in todo for v in (q, Query(f"{q.group} without {args.without_index}", q.name, q.sql, q.params))]
    if settings:  # each query at the server's settings, then with ``settings``
        todo = [v for q in todo for v in (q, Query(f"{q.group} with settings", q.name, q.sql, q.params))]
    for q in todo:
        drop = args.without_index if q.group.endswith(f" without {args.without_index}") else None
        tuned = settings if q.group.endswith(" with settings") else None
        if args.explain:
            cur.execute("EXPLAIN " + q.sql, q.params)
            print("\n".join(r[0] for r in cur.fetchall()), file=sys.stderr)
        try:
            warm_ms, rows = timed(client_run, cur, q, drop, tuned)  # warms the cache
        except (psycopg2.errors.UndefinedTable, psycopg2.errors.UndefinedColumn) as exc:  # newer than the schema
            print(f"| {q.group} | {q.name} | not run: {str(exc).splitlines()[0]} | | | |", flush=True)
            continue
        runs = args.runs if warm_ms < args.slow_ms else 1  # a slow query: one more run says enough
        server, client, scans, jit = [], [], set(), []
        for _ in range(runs):
            ms, seq, functions = timed(server_run, cur, q, drop, tuned)
            server.append(ms)
            scans |= seq
            jit.append(functions)
            ms, rows = timed(client_run, cur, q, drop, tuned)
            client.append(ms)
        results[(q.group, q.name)] = statistics.median(server)
        note = "" if runs == args.runs else f" (1 run after a {warm_ms / 1000:.0f} s warm-up)"
        if max(jit) > 0:  # the plan was JIT-compiled (its cost above jit_above_cost)
            note += f" (JIT, {max(jit)} functions)"
        print(f"| {q.group} | {q.name} | {rows:,} | {statistics.median(server):.1f}{note} | "
              f"{statistics.median(client):.1f} | {', '.join(sorted(scans)) or '—'} |", flush=True)
    for name in ("v_reports county+year", "v_s3_long county+year"):
        view, hand = results.get((name.split()[0], "county+year")), results.get(("by hand", name))
        if view and hand:
            print(f"paired {name}: view {view:.1f} ms, by hand {hand:.1f} ms, ratio {view / hand:.2f}")
    print(f"load after: {os.getloadavg()[0]:.2f}")
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
