"""``failed_identities`` always equals the failed identities of the stored checks, whatever
wrote them (migration 0026), and worked query 5 reading it gives the rows its old texts gave.

A seeded random sequence of loads (batch, one by one), replacements (the failures fixed,
others broken), an unchanged reload, a rolled-back load, a re-check across years, deletes of
reports and of checks, checks updated by hand, a TRUNCATE; after every step the table is
compared with the same rows computed from ``check_results``, and worked query 5 with its
texts as of 0016 and 0023 over the views as of 0016.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from gxcrawler.db import Loader
from gxcrawler.db.failures import LIVE_SQL, rebuild
from gxcrawler.db.views import VIEWS_0016, changed_since, inline
from tests.analytics.test_queries import QUERIES
from tests.fixtures.histories import AGENCIES, failing_report, load_in_batches, planned, refusing, rows, write


def assert_current(engine) -> int:  # noqa: ANN001
    """The table equals the live rows; query 5 equals its old texts. Returns the rows."""
    stored = Counter(rows(engine, "SELECT report_id, identities_failed, details FROM failed_identities"))
    assert stored == Counter(rows(engine, LIVE_SQL))
    old = changed_since(VIEWS_0016, "postgresql")
    new = rows(engine, (QUERIES / "5_failing_arithmetic.sql").read_text(encoding="utf-8"))
    for path in sorted((QUERIES / "before").glob("5_*.sql")):
        assert new == rows(engine, inline(path.read_text(encoding="utf-8"), old)), path.name
    return len(stored)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_failed_identities_equal_the_checks_after_every_kind_of_write(pg_engine, seed):
    rnd = random.Random(seed)
    loader = Loader(pg_engine)
    assert assert_current(pg_engine) == 0

    plan = planned(rnd, AGENCIES, 0.8)
    load_in_batches(loader, [failing_report(rnd, *p) for p in plan], 7)
    assert assert_current(pg_engine) > 3

    # a re-crawl: some replaced (other failures, or none), some unchanged, one by one
    again = [(p, failing_report(rnd, *p)) for p in rnd.sample(plan, k=len(plan) // 3)]
    assert {loader.load(*item).status for _, item in again} == {"updated"}
    p0 = again[0][0]
    assert loader.load(*again[0][1]).status == "unchanged"
    assert_current(pg_engine)

    # a replacement that fails before its commit changes nothing
    assert refusing(pg_engine).load(*failing_report(rnd, *p0)).status == "failed"
    assert_current(pg_engine)

    failing = [r[0] for r in rows(pg_engine, "SELECT report_id FROM failed_identities ORDER BY report_id")]
    gone, trimmed, fixed, broken = rnd.sample(failing, 4)
    write(pg_engine, ("DELETE FROM reports WHERE id = :id", {"id": gone}))  # its checks by cascade
    assert_current(pg_engine)
    write(
        pg_engine,
        ("DELETE FROM check_results WHERE ctid = (SELECT min(ctid) FROM check_results "
         "WHERE report_id = :id AND NOT ok AND rule LIKE 's%')", {"id": trimmed}),
        ('UPDATE check_results SET ok = true, "left" = "right" WHERE report_id = :id', {"id": fixed}),
        ('UPDATE check_results SET ok = false, "left" = "left" + 1.5 WHERE report_id = :id AND rule LIKE \'s4.%\'',
         {"id": broken}),
        # a narrative check failing is no identity: the report's row stays as it was
        ("UPDATE check_results SET ok = false WHERE rule LIKE 'narrative.%' AND report_id = :id", {"id": trimmed}),
    )
    assert_current(pg_engine)
    assert rows(pg_engine, f"SELECT count(*) FROM failed_identities WHERE report_id = {fixed}") == [(0,)]

    # a rebuild from the checks gives the same table; TRUNCATE empties it
    before = Counter(rows(pg_engine, "SELECT * FROM failed_identities"))
    with pg_engine.begin() as conn:
        rebuild(conn)
    assert Counter(rows(pg_engine, "SELECT * FROM failed_identities")) == before
    write(pg_engine, "TRUNCATE check_results")
    assert assert_current(pg_engine) == 0
