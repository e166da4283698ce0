"""The same first load into two schema revisions, batch by batch alternated: what a migration saves the loader.

    python benchmarks/load_revisions.py [--reports 3000] [--cells random|synthetic] [--revisions 0037 head] [--functions] [--same-rows TABLE …] [--server postgresql://postgres@127.0.0.1:5432]

``load_speed.py`` times one revision per run, and on this shared machine the same code's first
load varies by a fifth between runs minutes apart, more than most changes to the schema are
worth. Here the loader's code is the same for both and only the schema differs: two throwaway
databases, one per revision, get the same reports (``load_speed.generate``, 40 agencies to a
county) in the pipeline's batches, each batch into one then the other (which goes first
alternates), so that both see the same minutes. Prints each revision's client + backend CPU
(summed over its batches), the median and quartiles of the batch-by-batch differences, and,
where ``pg_stat_statements`` is loaded and tracking (``pg_stat_statements.track = top``), each
statement's execution time per revision; then COPY of the value rows into each emptied
``report_values`` (twice each, alternated) and the loader's ratio to their mean (the aim:
<= 2x). With ``--functions``, each database tracks its PL/pgSQL functions (``track_functions =
pl``, set on the database) and each trigger function's calls and time are printed per revision
(``pg_stat_user_functions``, read after the loaders' connections are closed). ``--same-rows
rank_values_city …``: those tables' rows compared between the two databases after the loads (how
many each has that the other has not). The databases are dropped at the end.

``--settings NAME=VALUE,…``: both databases at the second revision (head), the second's
connections with these settings set in their sessions (``set_config`` as each connects): what
server settings cost or save the loader, batch by batch in the same minutes (the labels are
``server`` and ``settings``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from load_speed import generate, server_cpu  # noqa: E402
from query_speed import parse_settings, set_session  # noqa: E402

from gxcrawler import settings  # noqa: E402
from gxcrawler.db import Loader, make_engine, upgrade  # noqa: E402


def statement_times(admin, names: list[str]) -> list[tuple[str, str, int, float]]:  # noqa: ANN001
    """(database, statement's start, calls, ms) over 100 ms, if pg_stat_statements tracks."""
    with admin.cursor() as cur:
        try:
            cur.execute(
                "SELECT d.datname, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 48), s.calls, s.total_exec_time "
                "FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
                "WHERE d.datname = ANY(%s) AND s.total_exec_time > 100 ORDER BY 2, 1",
                (names,),
            )
        except psycopg2.Error:
            return []
        return cur.fetchall()


def function_times(dbs: dict) -> None:  # noqa: ANN001 - revision -> (name, engine, loader)
    """Each trigger function's calls, total and self time per revision (``pg_stat_user_functions``).

    The loaders' pooled connections are closed first: a backend reports its functions' times
    when idle (at most once a second) and when it exits."""
    times: dict[str, dict[str, tuple[int, float, float]]] = {}
    for rev, (_, engine, _) in dbs.items():
        engine.dispose()
        time.sleep(1.5)
        with engine.connect() as conn:
            times[rev] = {
                f: (calls, total, own)
                for f, calls, total, own in conn.exec_driver_sql(
                    "SELECT funcname, calls, total_time, self_time FROM pg_stat_user_functions"
                )
            }
    for f in sorted({f for t in times.values() for f in t}):
        cells = "  ".join(
            f"{rev}: {t[0]:5} x {t[1]:8.0f} ms (self {t[2]:8.0f})" if (t := times[rev].get(f)) else f"{rev}: -"
            for rev in dbs
        )
        print(f"  {f:32} {cells}")


def same_rows(dbs: dict, table: str) -> None:  # noqa: ANN001 - revision -> (name, engine, loader)
    """How many of ``table``'s rows each database has that the other has not (as EXCEPT ALL both
    ways would count them; an array compared element by element, as numbers)."""
    got = []
    for _, engine, _ in dbs.values():
        with engine.connect() as conn:
            got.append(Counter(
                tuple(tuple(v) if isinstance(v, list) else v for v in row)
                for row in conn.exec_driver_sql(f"SELECT * FROM {table}")
            ))
    first, second = got
    print(f"  same rows, {table}: {sum(first.values())} / {sum(second.values())} rows, "
          f"{sum((first - second).values())} / {sum((second - first).values())} differ")


def apply_settings(dbapi_conn, values: dict[str, str]) -> None:  # noqa: ANN001 - a psycopg2 connection
    """Session settings on a new connection, committed (a rolled-back ``set_config`` is undone)."""
    cur = dbapi_conn.cursor()
    set_session(cur, values)
    cur.close()
    dbapi_conn.commit()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=3000)
    ap.add_argument("--cells", choices=["random", "synthetic"], default="random")
    ap.add_argument("--revisions", nargs=2, default=["0037", "head"])
    ap.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    ap.add_argument("--functions", action="store_true", help="each trigger function's time (track_functions = pl)")
    ap.add_argument("--same-rows", nargs="*", default=[], metavar="TABLE",
                    help="after the loads, these tables' (or views') rows compared between the two databases")
    ap.add_argument("--settings", metavar="NAME=VALUE,…",
                    help="both at the second revision; the second database's sessions with these settings")
    args = ap.parse_args()
    tuned = parse_settings(args.settings)
    labels = ["server", "settings"] if tuned else args.revisions
    admin = psycopg2.connect(f"{args.server}/postgres")
    admin.autocommit = True
    dbs: dict[str, tuple[str, object, Loader]] = {}
    try:
        for rev in labels:
            name = f"gxc_rev_{rev}_{uuid.uuid4().hex[:6]}"
            admin.cursor().execute(f'CREATE DATABASE "{name}"')
            if args.functions:
                admin.cursor().execute(f'ALTER DATABASE "{name}" SET track_functions = pl')
            engine = make_engine(f"{args.server.replace('postgresql://', 'postgresql+psycopg2://')}/{name}")
            if tuned and rev == "settings":
                sa.event.listen(engine, "connect", lambda dbapi, _rec: apply_settings(dbapi, tuned))
            dbs[rev] = (name, engine, Loader(engine))
            upgrade(engine, args.revisions[1] if tuned else rev)
            with engine.connect() as conn:  # the pooled connection exists before the first clock
                conn.exec_driver_sql("SELECT 1")
        reports = generate(args.reports, per_county=40, cells=args.cells)
        with admin.cursor() as cur, contextlib.suppress(psycopg2.Error):  # not loaded: no statements' times
            cur.execute("SELECT pg_stat_statements_reset()")
        spent: dict[str, list[float]] = {rev: [] for rev in dbs}
        batch = settings.GXCRAWLER_LOAD_BATCH
        for k, start in enumerate(range(0, len(reports), batch)):
            for rev in list(dbs) if k % 2 == 0 else list(dbs)[::-1]:
                name, _, loader = dbs[rev]
                server, client = server_cpu(admin, name), time.process_time()
                outcomes = loader.load_many(reports[start : start + batch])
                spent[rev].append(time.process_time() - client + server_cpu(admin, name) - server)
                assert {o.status for o in outcomes} == {"inserted"}
        for name, statement, calls, ms in statement_times(admin, [n for n, _, _ in dbs.values()]):
            print(f"  {name:24} {calls:4} x {statement:48} {ms:8.0f} ms")
        if args.functions:
            function_times(dbs)
        for table in args.same_rows:
            same_rows(dbs, table)
        old, new = labels
        diffs = sorted(b - a for a, b in zip(spent[old], spent[new], strict=True))
        quart = [1000 * diffs[len(diffs) * q // 4] for q in (1, 2, 3)]
        print(f"batch by batch, {new} - {old}: median {quart[1]:+.1f} ms, quartiles {quart[0]:+.1f} / {quart[2]:+.1f} ms "
              f"a batch of {batch}")
        copies: dict[str, list[float]] = {rev: [] for rev in dbs}
        for round_ in range(2):
            for rev in list(dbs) if round_ % 2 == 0 else list(dbs)[::-1]:
                name, engine, _ = dbs[rev]
                raw = engine.raw_connection()
                try:
                    cur = raw.cursor()
                    cur.execute("SELECT report_id, key, value FROM report_values")
                    buffer = io.StringIO("".join("\t".join(map(str, row)) + "\n" for row in cur))
                    cur.execute("TRUNCATE report_values")
                    raw.commit()
                    server, client = server_cpu(admin, name), time.process_time()
                    cur.copy_expert("COPY report_values (report_id, key, value) FROM STDIN", buffer)
                    raw.commit()
                    copies[rev].append(time.process_time() - client + server_cpu(admin, name) - server)
                finally:
                    raw.close()
        mean_copy = sum(sum(c) for c in copies.values()) / sum(len(c) for c in copies.values())
        for rev in dbs:
            total = sum(spent[rev])
            print(f"{rev:>5}: loader {total:6.2f} CPU s ({1000 * total / len(reports):.2f} ms a report); COPY "
                  f"{' / '.join(f'{c:.2f}' for c in copies[rev])} CPU s; ratio to the mean COPY ({mean_copy:.2f} s) "
                  f"{total / mean_copy:.2f}x")
        change = sum(spent[new]) - sum(spent[old])
        print(f"{new} - {old}: {change:+.2f} CPU s ({1000 * change / len(reports):+.3f} ms a report, "
              f"{100 * change / sum(spent[old]):+.1f} %); load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    finally:
        for name, engine, _ in dbs.values():
            engine.dispose()
            admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
