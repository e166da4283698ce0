"""``load_many``: a batch loads together, yet every report stays all-or-nothing on its own."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from gxcrawler.db import Loader
from tests.fixtures.db import make_report

from .test_loader import count, stored_checks, stored_values


def report_ids(engine) -> dict[tuple[str, int], int]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT r.agency_raw, r.year, r.id FROM reports r ORDER BY r.id")).all()
    return {(agency, year): report_id for agency, year, report_id in rows}


def test_one_bad_report_fails_alone_and_the_rest_of_the_batch_loads(db_engine):
    batch = [make_report(a, y) for a in ("蚌峨乡", "平远镇", "阿猛镇") for y in (2021, 2022)]
    bad_result = batch[3][0]
    bad_result.checks.append(bad_result.checks[0])  # (report_id, rule) clash: the batch statement fails

    outcomes = Loader(db_engine).load_many(batch)

    assert [o.status for o in outcomes] == ["inserted"] * 3 + ["failed"] + ["inserted"] * 2
    assert "unique" in outcomes[3].message.lower() or "duplicate" in outcomes[3].message.lower()
    assert count(db_engine, "reports") == 5
    assert ("平远镇", 2022) not in report_ids(db_engine)
    for (result, _, _), outcome in zip(batch, outcomes, strict=True):
        if outcome.status == "inserted":
            assert stored_values(db_engine, outcome.report_id) == result.values
            assert len(stored_checks(db_engine, outcome.report_id)) == len(result.checks)
    assert count(db_engine, "report_values") == 5 * len(batch[0][0].values)
    assert count(db_engine, "documents") == 6  # the failed report's bytes too
    with db_engine.connect() as conn:
        outcome_of = dict(conn.execute(sa.text("SELECT url, outcome FROM fetches")).all())
    assert outcome_of[batch[3][1].page_url] == "failed"


def test_a_mixed_batch_gets_the_outcome_of_loading_one_by_one(db_engine):
    loader = Loader(db_engine)
    kept, changed, broken = (make_report("蚌峨乡", y) for y in (2021, 2022, 2023))
    assert [o.status for o in loader.load_many([kept, changed, broken])] == ["inserted"] * 3
    before = report_ids(db_engine)

    new_changed = make_report("蚌峨乡", 2022, seed=50, content=b"v2 of 2022")
    new_broken = make_report("蚌峨乡", 2023, seed=51, content=b"v2 of 2023")
    new_broken[0].checks.append(new_broken[0].checks[0])
    fresh = make_report("平远镇", 2022)
    fresh_again = make_report("平远镇", 2022, seed=52, content=b"a second copy, later in the batch")
    fresh_twice = make_report("平远镇", 2023)
    skipped = make_report("平远镇", 2024, status="not_a_report")
    batch = [kept, new_changed, new_broken, fresh, fresh_again, fresh_twice, fresh_twice, skipped]

    statuses = [o.status for o in loader.load_many(batch)]

    assert statuses == [
        "unchanged", "updated", "failed", "inserted", "updated", "inserted", "unchanged", "skipped",
    ]  # fmt: skip
    ids = report_ids(db_engine)
    assert {k: ids[k] for k in before} == before  # replaced in place
    assert stored_values(db_engine, ids[("蚌峨乡", 2021)]) == kept[0].values
    assert stored_values(db_engine, ids[("蚌峨乡", 2022)]) == new_changed[0].values
    assert stored_values(db_engine, ids[("蚌峨乡", 2023)]) == broken[0].values  # the old version
    assert stored_values(db_engine, ids[("平远镇", 2022)]) == fresh_again[0].values
    with db_engine.connect() as conn:
        sha = dict(conn.execute(sa.text("SELECT id, sha256 FROM reports")).all())
    assert sha[ids[("蚌峨乡", 2023)]] == broken[1].sha256
    assert sha[ids[("平远镇", 2022)]] == fresh_again[1].sha256
    assert count(db_engine, "reports") == 5


def test_concurrent_loaders_of_the_same_new_reports_insert_each_once(db_engine):
    """Two crawls meeting the same reports in opposite orders: no duplicate, no deadlock lost."""
    batch = [make_report(a, y) for a in ("蚌峨乡", "平远镇", "阿猛镇", "者腊乡") for y in (2021, 2022, 2023)]
    results: dict[str, list] = {}

    def run(name: str, part: list) -> None:
        results[name] = Loader(db_engine).load_many(part)

    threads = [
        threading.Thread(target=run, args=("forward", batch)),
        threading.Thread(target=run, args=("backward", batch[::-1])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    forward, backward = results["forward"], results["backward"][::-1]
    for a, b in zip(forward, backward, strict=True):
        assert sorted((a.status, b.status)) == ["inserted", "unchanged"]
        assert a.report_id == b.report_id and a.agency_id == b.agency_id
    assert count(db_engine, "reports") == len(batch)
    assert count(db_engine, "agencies") == 4
    assert count(db_engine, "report_values") == sum(len(r.values) for r, _, _ in batch)


def test_an_unchanged_batch_rewrites_no_row_but_its_fetches(pg_engine):
    """A re-crawl of unchanged reports: one query settles them; no document, report, cell,
    check or cell sum is written again (their row versions stay the same)."""
    batch = [make_report(a, y) for a in ("蚌峨乡", "平远镇") for y in (2021, 2022, 2023)]
    loader = Loader(pg_engine)
    assert {o.status for o in loader.load_many(batch)} == {"inserted"}
    tables = ("documents", "reports", "report_values", "check_results", "cell_sums")

    def versions() -> dict[str, list]:
        with pg_engine.connect() as conn:
            return {t: conn.execute(sa.text(f"SELECT xmin::text FROM {t} ORDER BY ctid")).scalars().all() for t in tables}

    before = versions()
    assert all(before.values())
    assert {o.status for o in loader.load_many(batch)} == {"unchanged"}
    assert versions() == before
    with pg_engine.connect() as conn:
        outcomes = conn.execute(sa.text("SELECT outcome FROM fetches")).scalars().all()
    assert outcomes == ["unchanged"] * len(batch)  # the fetch rows are the re-crawl's record


def test_copy_text_of_cells_is_the_row_by_row_text():
    """The batch's COPY of values, written by joins over cached key columns, gives the text the
    row-by-row writer gave: every number's ``str``, NULL for no OCR mark, marks escaped."""
    from decimal import Decimal

    from gxcrawler.db import batch

    class Capture:
        def __init__(self) -> None:
            self.sent: dict[str, str] = {}

        def copy_expert(self, sql: str, buffer) -> None:  # noqa: ANN001
            self.sent[sql] = buffer.read()

    reports = []
    for n, (agency, year) in enumerate([("蚌峨乡", 2021), ("平远镇", 2022), ("阿猛镇", 2023)]):
        result = make_report(agency, year)[0]
        result.values["s2.art20_8.fees.amount"] = Decimal("12.3400")
        result.values["s3.new.natural"] = Decimal("1E+2")
        if n == 1:  # an OCR'd report: its marks go row by row
            result.ocr = {k: "read" for k in list(result.values)[:5]} | {"s3.new.natural": "a\tb"}
        reports.append((100 + n, result))
    captured = Capture()
    batch.copy_cells(captured, reports)
    expected = "".join(
        f"{rid}\t{key}\t{value}\t{batch._copy_text(result.ocr.get(key))}\n"
        for rid, result in reports
        for key, value in result.values.items()
    )
    assert captured.sent[batch.COPY_VALUES] == expected
    assert "a\\tb" in expected and "\t12.3400\t\\N\n" in expected
    from gxcrawler.model import Check

    reports[2][1].checks.append(Check("narrative.odd\trule", False, None, Decimal("-0.50"), "一句\n话"))
    captured = Capture()
    batch.copy_cells(captured, reports)
    expected = "".join(
        f"{rid}\t{batch._escape(c.rule)}\t{'t' if c.ok else 'f'}\t{batch._copy_number(c.left)}\t{batch._copy_number(c.right)}"
        f"\t{batch._copy_text(c.sentence)}\t\\N\n"
        for rid, result in reports
        for c in result.stored_checks
    )
    assert captured.sent[batch.COPY_CHECKS] == expected
    assert "\tnarrative.odd\\trule\tf\t\\N\t-0.50\t一句\\n话\t\\N\n" in expected


def test_documents_by_copy_fall_back_when_a_concurrent_loader_stored_one(pg_engine):
    """A batch's new documents go in by COPY, which knows no ON CONFLICT: when another loader
    stored one of them after the batch looked (``have`` stale), the COPY fails whole and the
    INSERT stores the others; every document is stored once, byte for byte."""
    batch = [make_report(a, 2021) for a in ("蚌峨乡", "平远镇", "阿猛镇")]
    provs = [prov for _, prov, _ in batch]
    loader = Loader(pg_engine)
    with pg_engine.connect() as conn:
        assert loader._store_documents(conn, provs[:1], set())  # the other loader's
        assert loader._store_documents(conn, provs, set())  # stale: none known stored
    with pg_engine.connect() as conn:
        stored = {sha: bytes(content) for sha, content in conn.execute(sa.text("SELECT sha256, content FROM documents"))}
    assert stored == {p.sha256: p.content for p in provs}


def test_documents_by_binary_copy_are_stored_as_by_insert(pg_engine):
    """COPY's binary format stores what the INSERT does: the bytes, content type, size, URL
    (non-ASCII, or none) and fetch time (any zone, to the microsecond); a time without zone
    sends the batch as text, which the server reads in its own zone, as the INSERT does."""
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta, timezone

    from gxcrawler.db import batch
    from gxcrawler.db.loader import _store_documents

    reports = [make_report(a, 2021) for a in ("蚌峨乡", "平远镇", "阿猛镇", "者兔乡")]
    east8 = timezone(timedelta(hours=8))
    provs = [
        replace(reports[0][1], content=b"\x00\xff\\x\t\n" + bytes(range(256)) * 40, content_type=None),
        replace(reports[1][1], page_url="https://例子.gov.cn/年报 2021.html", document_url=None,
                fetched_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=east8)),
        replace(reports[2][1], content=b"", page_url=None, document_url=None,
                fetched_at=datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        replace(reports[3][1], fetched_at=None),
    ]
    naive = [replace(reports[0][1], content=b"naive", fetched_at=datetime(2026, 5, 6, 7, 8, 9, 10))]

    def stored(engine):
        with engine.connect() as conn:
            return {
                row[0]: (bytes(row[1]), *row[2:])
                for row in conn.execute(sa.text(
                    "SELECT sha256, content, content_type, size, url, first_fetched_at FROM documents"))
            }

    with pg_engine.begin() as conn, conn.connection.driver_connection.cursor() as cursor:
        batch.copy_documents(cursor, provs + provs[:1])  # a sha256 twice: once
    by_copy = stored(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM documents"))
        _store_documents(conn, provs)
    by_insert = stored(pg_engine)
    assert len(by_copy) == 4
    assert {k: v[:4] for k, v in by_copy.items()} == {k: v[:4] for k, v in by_insert.items()}
    for sha, row in by_copy.items():
        if sha != provs[3].sha256:  # no fetch time: each path's own "now"
            assert row[4] == by_insert[sha][4]
    assert by_copy[provs[1].sha256][4] == datetime(2026, 1, 1, 19, 4, 5, 678901, tzinfo=UTC)
    with pg_engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM documents"))
        with conn.connection.driver_connection.cursor() as cursor:
            batch.copy_documents(cursor, naive)
    by_text = stored(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM documents"))
        _store_documents(conn, naive)
    assert by_text == stored(pg_engine)


def test_an_unchanged_reload_updates_its_fetch_rows_in_place(pg_engine):
    """Migration 0039 leaves half of each ``fetches`` page free: a re-crawl's fetch rows keep their
    page (heap-only updates, no new index entries), and still record the new ``last_seen`` and
    outcome. With full pages (PostgreSQL's default) every row moved to another page."""
    towns = [f"第{n}测试乡" for n in range(40)]
    batch = [make_report(town, year) for town in towns for year in (2021, 2022)]
    assert {o.status for o in Loader(pg_engine).load_many(batch)} == {"inserted"}
    query = sa.text("SELECT url, (ctid::text::point)[0] AS page, last_seen, outcome FROM fetches ORDER BY url")
    with pg_engine.connect() as conn:
        before = conn.execute(query).all()

    again = [make_report(town, year) for town in towns for year in (2021, 2022)]
    for _, prov, _ in again:
        prov.fetched_at = before[0].last_seen + timedelta(days=1)
    assert {o.status for o in Loader(pg_engine).load_many(again)} == {"unchanged"}

    with pg_engine.connect() as conn:
        after = conn.execute(query).all()
    assert len(after) == len(before) == len(batch)
    assert [(r.url, r.page) for r in after] == [(r.url, r.page) for r in before]
    assert {r.last_seen for r in after} == {before[0].last_seen + timedelta(days=1)}
    assert {r.outcome for r in after} == {"unchanged"}


def test_the_stored_versions_are_looked_up_by_their_keys(pg_engine):
    """The batch's one query for stored reports and documents (``batch.STORED_SQL``) finds the
    same rows as before, each (agency, year) and each sha256 through its index: the ``IN`` /
    ``ANY`` form read ``reports`` and ``documents`` whole while they were small enough."""
    from gxcrawler.db import batch as pg_batch

    towns = [f"第{n}测试乡" for n in range(100)]
    outcomes = Loader(pg_engine).load_many([make_report(town, year) for town in towns for year in (2021, 2022, 2023)])
    assert {o.status for o in outcomes} == {"inserted"}
    wanted = outcomes[::3]
    params = {
        "agency_id": [o.agency_id for o in wanted] + [-1],  # and one pair not stored
        "year": [o.year for o in wanted] + [2021],
        "sha256": sorted({o.sha256 for o in wanted} | {"0" * 64}),
    }
    with pg_engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE reports")
        conn.exec_driver_sql("ANALYZE documents")
        rows = conn.exec_driver_sql(pg_batch.STORED_SQL, params).all()
        plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + pg_batch.STORED_SQL, params))
    assert sorted((r[0], r[3]) for r in rows if r[0] is not None) == sorted((o.report_id, o.sha256) for o in wanted)
    assert sorted(r[3] for r in rows if r[0] is None) == sorted(o.sha256 for o in wanted)
    assert "Seq Scan on reports" not in plan and "Seq Scan on documents" not in plan, plan


def test_a_fetch_row_locked_for_a_moment_is_recorded_after_a_retry(pg_engine, pg_url):
    """The batch's fetch rows wait on a lock another writer holds: with ``lock_timeout`` the upsert
    fails (55P03), and is tried again until the lock goes; before, that failure was logged and the
    rows kept the previous crawl's ``last_seen`` and outcome."""
    from urllib.parse import quote

    from gxcrawler.db import make_engine

    towns = [f"第{n}锁定乡" for n in range(4)]
    assert {o.status for o in Loader(pg_engine).load_many([make_report(t, 2022) for t in towns])} == {"inserted"}
    with pg_engine.connect() as conn:
        first = conn.execute(sa.text("SELECT max(last_seen) FROM fetches")).scalar_one()

    again = [make_report(t, 2022) for t in towns]
    for _, prov, _ in again:
        prov.fetched_at = first + timedelta(days=1)
    impatient = make_engine(f"{pg_url}?options={quote('-c lock_timeout=100')}")
    holder = pg_engine.connect()
    holder.begin()
    holder.execute(sa.text("SELECT 1 FROM fetches ORDER BY url DESC LIMIT 1 FOR UPDATE"))
    release = threading.Timer(0.5, lambda: (holder.rollback(), holder.close()))
    release.start()
    try:
        retries: list[str] = []
        assert {o.status for o in Loader(impatient, on_retry=retries.append).load_many(again)} == {"unchanged"}
    finally:
        release.join()
        impatient.dispose()
    assert retries and set(retries) == {"55P03"}  # each retry told (the crawl counts them in gx/db/retries)
    with pg_engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT last_seen, outcome FROM fetches")).all()
    assert len(rows) == len(towns)
    assert {(r.last_seen, r.outcome) for r in rows} == {(first + timedelta(days=1), "unchanged")}
