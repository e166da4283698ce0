"""``failed_identities`` always equals the failed identities of the stored checks, whatever
wrote them (migration 0026), and worked query 5 reading it gives the rows its old texts gave.

A seeded random sequence of loads (batch, one by one), replacements (the failures fixed,
others broken), an unchanged reload, a rolled-back load, a re-check across years, deletes of
reports and of checks, checks updated by hand, reports moved to another agency or year
(0029), a TRUNCATE; after every step the table is compared with the same rows computed
from ``check_results`` and ``reports``, and worked query 5 with its texts as of 0016, 0023
and 0026 over the views as of 0016.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
import sqlalchemy as sa

from gxcrawler.db import Loader
from gxcrawler.db.failures import LIVE_SQL, rebuild
from gxcrawler.db.views import VIEWS_0016, changed_since, inline
from tests.analytics.test_queries import QUERIES
from tests.fixtures.histories import AGENCIES, failing_report, load_in_batches, planned, refusing, rows, write


def assert_current(engine) -> int:  # noqa: ANN001
    """The table equals the live rows; query 5 equals its old texts. Returns the rows."""
    stored = Counter(rows(engine, "SELECT report_id, agency_id, year, identities_failed, details FROM failed_identities"))
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

    # reports moved to another year, another agency, both, several in one statement; a report
    # without failures moved; an UPDATE naming agency and year without changing them (0031)
    failing = [r[0] for r in rows(pg_engine, "SELECT report_id FROM failed_identities ORDER BY report_id")]
    passing = rows(pg_engine, "SELECT id FROM reports WHERE id NOT IN (SELECT report_id FROM failed_identities) "
                              "ORDER BY id LIMIT 1")
    to_year, to_agency, to_both, *rest = rnd.sample(failing, 6)
    with pg_engine.begin() as conn:
        other = conn.execute(sa.text("SELECT min(id) FROM agencies WHERE id <> (SELECT agency_id FROM reports "
                                     "WHERE id = :id)"), {"id": to_agency}).scalar()
        conn.execute(sa.text("UPDATE reports SET year = 2018 WHERE id = :id"), {"id": to_year})
        conn.execute(sa.text("UPDATE reports SET agency_id = :a, year = 2030 WHERE id = :id"),
                     {"a": other, "id": to_agency})
        conn.execute(sa.text("UPDATE reports SET agency_id = :a, year = 2031 WHERE id = :id"),
                     {"a": other, "id": to_both})
        conn.execute(sa.text("UPDATE reports SET year = year + 100 WHERE id = ANY(:ids)"), {"ids": rest})
        conn.execute(sa.text("UPDATE reports SET year = 2040 WHERE id = :id"), {"id": passing[0][0]})
        conn.execute(sa.text("UPDATE reports SET agency_id = agency_id, year = year, listed = listed "
                             "WHERE id = ANY(:ids)"), {"ids": failing})
    assert_current(pg_engine)
    moved = rows(pg_engine, f"SELECT report_id, agency_id, year FROM failed_identities "
                            f"WHERE report_id IN ({to_year}, {to_agency}) ORDER BY report_id")
    assert {(r, y) for r, _, y in moved} == {(to_year, 2018), (to_agency, 2030)}
    assert [a for r, a, _ in moved if r == to_agency] == [other]
    # moved back
    with pg_engine.begin() as conn:
        conn.execute(sa.text("UPDATE reports SET year = year - 100 WHERE id = ANY(:ids)"), {"ids": rest})
    assert_current(pg_engine)

    # a rebuild from the checks gives the same table; TRUNCATE empties it
    before = Counter(rows(pg_engine, "SELECT * FROM failed_identities"))
    with pg_engine.begin() as conn:
        rebuild(conn)
    assert Counter(rows(pg_engine, "SELECT * FROM failed_identities")) == before
    write(pg_engine, "TRUNCATE check_results")
    assert assert_current(pg_engine) == 0


def test_0031_keeps_agency_and_year_and_downgrades_to_0026s_table(pg_engine):
    """Migration 0031 on a loaded database: the rows get their reports' agency and year and
    equal the live rows; downgraded, the table and triggers are 0026's and still kept current;
    upgraded again, the same rows as before."""
    from gxcrawler.db import upgrade
    from gxcrawler.db.failures import COLUMNS_0026, _grouped
    from gxcrawler.db.migrate import downgrade

    rnd = random.Random(29)
    plan = planned(rnd, AGENCIES, 1.0)
    assert {o.status for o in Loader(pg_engine).load_many([failing_report(rnd, *p) for p in plan])} == {"inserted"}
    head = Counter(rows(pg_engine, "SELECT report_id, agency_id, year, identities_failed, details FROM failed_identities"))
    assert len(head) > 3 and head == Counter(rows(pg_engine, LIVE_SQL))

    downgrade(pg_engine, "0030")
    cols = rows(pg_engine, "SELECT column_name FROM information_schema.columns WHERE table_name = 'failed_identities'")
    assert {c for (c,) in cols} == set(COLUMNS_0026)
    old_live = _grouped("", COLUMNS_0026)
    assert Counter(rows(pg_engine, "SELECT * FROM failed_identities")) == Counter(rows(pg_engine, old_live))
    fixed = rnd.choice([r for r, *_ in head])
    with pg_engine.begin() as conn:  # 0026's triggers keep the table; no trigger on reports is left
        conn.execute(sa.text('UPDATE check_results SET ok = true, "left" = "right" WHERE report_id = :id'), {"id": fixed})
        conn.execute(sa.text("UPDATE reports SET year = year + 100 WHERE id = :id"), {"id": fixed})
    assert Counter(rows(pg_engine, "SELECT * FROM failed_identities")) == Counter(rows(pg_engine, old_live))
    assert rows(pg_engine, "SELECT tgname FROM pg_trigger WHERE tgname = 'failed_identities_move'") == []

    upgrade(pg_engine)
    after = Counter(rows(pg_engine, "SELECT report_id, agency_id, year, identities_failed, details FROM failed_identities"))
    assert after == Counter(rows(pg_engine, LIVE_SQL))
    assert after == Counter({r: n for r, n in head.items() if r[0] != fixed})
    moved = rnd.choice([r for r, *_ in after])
    with pg_engine.begin() as conn:
        conn.execute(sa.text("UPDATE reports SET year = 1999 WHERE id = :id"), {"id": moved})
    assert rows(pg_engine, f"SELECT year FROM failed_identities WHERE report_id = {moved}") == [(1999,)]
    assert Counter(rows(pg_engine, "SELECT report_id, agency_id, year, identities_failed, details "
                                   "FROM failed_identities")) == Counter(rows(pg_engine, LIVE_SQL))
