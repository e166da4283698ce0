"""Several workers loading the same agency and year at once (separate processes, real PostgreSQL).

Distributed crawls (docs/notes/distributed.md) have one loader per worker process. Two of
them meeting the same report must never store it twice, and two meeting different
versions must never lose one: the stored version is the one committed last, whole
(its values and checks, never a mix of two versions).
"""

from __future__ import annotations

import multiprocessing as mp
import time

import pytest
import sqlalchemy as sa

from gxcrawler.db import Loader, make_engine
from tests.db.test_loader import count, stored_checks, stored_values
from tests.fixtures.db import make_report

WORKERS = 4
AGENCY, YEAR = "蚌峨乡", 2023
PAGE = "https://example.gov.cn/view/xxgknb/concurrent.html"


def _version(i: int):
    """Version ``i`` of the one report: its own bytes and values, the same URL and publication date."""
    return make_report(AGENCY, YEAR, seed=100 + i, content=f"version {i}".encode(), page_url=PAGE)


def _load(db_url: str, i: int, same: bool, hooked: bool, barrier, out) -> None:
    engine = make_engine(db_url)
    order: list[int] = []

    def stamp(conn, report_id) -> None:  # under the report's row lock: commit order = stamp order
        order.append(time.time_ns())

    loader = Loader(engine, before_commit=stamp if hooked else None)
    item = _version(0 if same else i)
    barrier.wait()
    outcome = loader.load_many([item])[0]
    out.put((i, outcome.status, outcome.report_id, item[1].sha256, order[-1] if order else None))
    engine.dispose()


def _run(db_url: str, *, same: bool, hooked: bool) -> list[tuple]:
    ctx = mp.get_context("fork")
    barrier, out = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [ctx.Process(target=_load, args=(db_url, i, same, hooked, barrier, out)) for i in range(WORKERS)]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return sorted(results)


def _stored(engine) -> sa.Row:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, sha256 FROM reports")).all()
    assert len(rows) == 1, f"{len(rows)} report rows for one agency and year"
    return rows[0]


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_loads_of_the_same_report_store_it_once(pg_engine, pg_url, round_):
    results = _run(pg_url, same=True, hooked=False)
    statuses = sorted(status for _, status, *_ in results)
    assert statuses == ["inserted"] + ["unchanged"] * (WORKERS - 1)
    row = _stored(pg_engine)
    assert {report_id for _, _, report_id, *_ in results} == {row.id}
    result = _version(0)[0]
    assert stored_values(pg_engine, row.id) == result.values
    assert count(pg_engine, "report_values") == len(result.values)
    assert count(pg_engine, "agencies") == 1


@pytest.mark.parametrize("hooked", [True, False], ids=["ordered", "fast_paths"])
def test_concurrent_loads_of_different_versions_lose_no_update(pg_engine, pg_url, hooked):
    results = _run(pg_url, same=False, hooked=hooked)
    statuses = sorted(status for _, status, *_ in results)
    assert statuses == ["inserted"] + ["updated"] * (WORKERS - 1), results
    row = _stored(pg_engine)
    versions = {sha: i for i, _, _, sha, _ in results}
    assert row.sha256 in versions
    final = _version(versions[row.sha256])[0]
    # whole: the values and checks of one version, never a mix
    assert stored_values(pg_engine, row.id) == final.values
    assert len(stored_checks(pg_engine, row.id)) == len(final.checks)
    assert count(pg_engine, "report_values") == len(final.values)
    if hooked:  # the version committed last is the one stored
        last = max(results, key=lambda r: r[4])
        assert last[3] == row.sha256
    with pg_engine.connect() as conn:  # every version's bytes are kept
        assert conn.execute(sa.text("SELECT count(*) FROM documents")).scalar() == WORKERS
