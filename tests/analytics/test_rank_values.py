"""The rank views read from each partition's sorted values (migration 0027) and each report's
kept rates (0029) give the rows their window SQL gave, ``v_rates_long`` reading the kept rates
the rows it computed, whatever wrote the reports, and the tables equal the values at any time.

A seeded random history — batches, replacements one by one, an unchanged reload, a
rolled-back load, deleted reports, headline numbers and years changed by hand, agencies
moved to another county, to no county and to no city, the minimum base changed, a TRUNCATE —
and after every step ``rank_values_county`` / ``rank_values_city`` / ``report_rates`` are
compared with the same rows computed from ``reports`` and each rank view with its window SQL,
``v_rates_long`` with its computing SQL (as of 0023, inlined) under the analysts' filters, on
partitions with ties and with NULL values. Migration 0029 fills ``report_rates`` from stored
reports and its downgrade gives the computing views back, with the same rows.
"""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
import sqlalchemy as sa

from gxcrawler.db import Loader, current_revision, head_revision, reportrates, upgrade
from gxcrawler.db.migrate import downgrade
from gxcrawler.db.ranks import _RATE_COLUMNS, LIVE_CITY, LIVE_COUNTY
from gxcrawler.db.views import VIEWS_0023, VIEWS_0029, changed_since, inline, view_sql
from tests.fixtures.histories import AGENCIES, YEARS, load_in_batches, planned
from tests.fixtures.histories import failing_report as _report

FILTERS = (
    "", "WHERE county = '仁和区'", "WHERE agency LIKE '%蚌峨乡%'", "WHERE county = '砚山县' AND year = 2022",
    "WHERE city = '攀枝花市'", "WHERE year = 2023", "WHERE rate = 'applications' AND rank = 1", "WHERE county IS NULL",
    "WHERE city IS NULL", "WHERE ranked > 1",
)  # fmt: skip


class Refused(Exception):
    pass


def rows(engine, sql: str) -> list[tuple]:  # noqa: ANN001
    """The rows, a sorted array as a tuple (hashable)."""
    with engine.connect() as conn:
        return [tuple(tuple(v) if isinstance(v, list) else v for v in r) for r in conn.execute(sa.text(sql))]


def assert_current(engine) -> int:  # noqa: ANN001
    """Tables equal the live rows, views equal their window SQL; returns the ranked rows."""
    for table, live in (
        ("rank_values_county", LIVE_COUNTY), ("rank_values_city", LIVE_CITY), ("report_rates", reportrates.LIVE_SQL)
    ):
        assert Counter(rows(engine, f"SELECT * FROM {table}")) == Counter(rows(engine, live)), table
    old = changed_since(VIEWS_0023, "postgresql")
    rate_views = ("v_rates_long", "v_rate_ranks_county", "v_rate_ranks_city")
    assert set(rate_views) <= set(old)  # v_compare changed since too (0032): tests/analytics/test_rewrites.py
    ranked = 0
    for view in rate_views:
        for where in FILTERS + (("WHERE year = 2023 AND change IS NOT NULL",) if view == "v_rates_long" else ()):
            if view == "v_rates_long" and "rank" in where:
                continue
            sql = f"SELECT * FROM {view} {where}"
            new = rows(engine, sql)
            assert Counter(new) == Counter(rows(engine, inline(sql, old))), sql
            ranked += sum(1 for r in new if r[-2] is not None) if not where and view != "v_rates_long" else 0
    # 0033 joins the previous year by year + 1 too: the rows of 0029's join by year - 1 alone
    sql_0029 = view_sql("v_rates_long", "postgresql", VIEWS_0029)
    for where in FILTERS[:-1] + ("WHERE year = 2023 AND change IS NOT NULL", "WHERE prev_report_id IS NULL"):
        if "rank" not in where:
            sql = f"SELECT * FROM v_rates_long {where}"
            assert Counter(rows(engine, sql)) == Counter(rows(engine, inline(sql, {"v_rates_long": sql_0029}))), sql
    return ranked


def _base(engine, value: int) -> None:  # noqa: ANN001
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE analytics_settings SET value = :v WHERE name = 'rate_min_base'"), {"v": str(value)})


@pytest.mark.parametrize("seed", [1, 2])
def test_rank_values_give_the_window_rows_after_every_kind_of_write(pg_engine, seed):
    rnd = random.Random(seed)
    loader = Loader(pg_engine)
    _base(pg_engine, 5)  # small generated numbers: most rates have a value, some do not
    assert assert_current(pg_engine) == 0

    plan = [(region, agency, year) for region, agency in AGENCIES for year in YEARS if rnd.random() < 0.85]
    items = [_report(rnd, *p) for p in plan]
    for i in range(0, len(items), 9):
        assert {o.status for o in loader.load_many(items[i : i + 9])} == {"inserted"}
    assert assert_current(pg_engine) > 50
    # ties: two reports of a county with the same numbers
    assert rows(pg_engine, "SELECT count(*) FROM v_rate_ranks_county r JOIN v_rate_ranks_county s "
                "ON s.county = r.county AND s.year = r.year AND s.rate = r.rate AND s.rank = r.rank "
                "AND s.report_id < r.report_id")[0][0] >= 0  # (exercised when present)

    # a filter on the agency alone reaches the agencies' index: no window over every report
    for view in ("v_rate_ranks_county", "v_rate_ranks_city"):
        with pg_engine.connect() as conn:
            (explained,) = conn.execute(
                sa.text(f"EXPLAIN (FORMAT JSON) SELECT * FROM {view} WHERE agency LIKE '%平远镇%'")
            ).scalar_one()
        text = json.dumps(explained)
        assert "WindowAgg" not in text and '"Relation Name": "rank_values_' in text, view
    # a year's rates and ranks are read from the kept rates, not computed from every report
    for view in ("v_rates_long", "v_rate_ranks_county", "v_rate_ranks_city"):
        with pg_engine.connect() as conn:
            (explained,) = conn.execute(
                sa.text(f"EXPLAIN (FORMAT JSON) SELECT count(*), sum(value), max(rank) FROM {view} WHERE year = 2023"
                        if "rank" in view else f"EXPLAIN (FORMAT JSON) SELECT count(*), sum(value) FROM {view} WHERE year = 2023")
            ).scalar_one()
        text = json.dumps(explained)
        assert '"Relation Name": "report_rates"' in text and '"Relation Name": "reports"' not in text, view

    again = [_report(rnd, *p) for p in rnd.sample(plan, k=len(plan) // 3)]
    assert {loader.load(*item).status for item in again} == {"updated"}
    assert loader.load(*again[0]).status == "unchanged"

    def refuse(conn, report_id):  # noqa: ANN001
        raise Refused

    assert Loader(pg_engine, before_commit=refuse).load(*_report(rnd, *plan[1])).status == "failed"
    assert_current(pg_engine)

    ids = [r[0] for r in rows(pg_engine, "SELECT id FROM reports ORDER BY id")]
    gone, changed, moved, tied, other = rnd.sample(ids, 5)
    with pg_engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM reports WHERE id = :id"), {"id": gone})
    assert_current(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(sa.text("UPDATE reports SET s3_granted = s3_granted + 7, s3_total = s3_total + 40 WHERE id = :id"),
                     {"id": changed})
        conn.execute(sa.text("UPDATE reports SET year = year + 10 WHERE id = :id"), {"id": moved})
        # a tie made by hand: the same numbers as another report
        conn.execute(sa.text(
            "UPDATE reports t SET s3_granted = o.s3_granted, s3_partial = o.s3_partial, s3_denied = o.s3_denied, "
            "s3_total = o.s3_total, s3_new = o.s3_new, s3_carried_in = o.s3_carried_in, year = o.year, "
            "agency_id = (SELECT id FROM agencies a WHERE a.county IS NOT DISTINCT FROM "
            "(SELECT county FROM agencies WHERE id = o.agency_id) AND a.id <> o.agency_id AND NOT EXISTS "
            "(SELECT 1 FROM reports x WHERE x.agency_id = a.id AND x.year = o.year) LIMIT 1) "
            "FROM reports o WHERE t.id = :t AND o.id = :o AND EXISTS (SELECT 1 FROM agencies a WHERE "
            "a.county IS NOT DISTINCT FROM (SELECT county FROM agencies WHERE id = o.agency_id) AND a.id <> o.agency_id "
            "AND NOT EXISTS (SELECT 1 FROM reports x WHERE x.agency_id = a.id AND x.year = o.year))"),
            {"t": tied, "o": other})
        conn.execute(sa.text("UPDATE reports SET listed = NOT listed"))  # no rate column: nothing recomputed
    assert_current(pg_engine)
    # each column a rate reads changed alone, on its own report (and an edition)
    with pg_engine.begin() as conn:
        for column, report_id in zip(_RATE_COLUMNS, rnd.sample(ids, len(_RATE_COLUMNS)), strict=True):
            conn.execute(sa.text(f"UPDATE reports SET {column} = COALESCE({column}, 0) + 31 WHERE id = :id"),
                         {"id": report_id})
        conn.execute(sa.text("UPDATE reports SET edition = '2019' WHERE id = :id"), {"id": other})
    assert_current(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(sa.text("UPDATE agencies SET county = '新设区' WHERE name LIKE '%阿猛镇%'"))
        conn.execute(sa.text("UPDATE agencies SET county = NULL WHERE name LIKE '%平远镇%'"))
        conn.execute(sa.text("UPDATE agencies SET city = NULL WHERE name LIKE '%审计局%'"))
    assert_current(pg_engine)
    _base(pg_engine, 30)
    assert_current(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM reports WHERE agency_id IN (SELECT id FROM agencies WHERE county = '仁和区')"))
    assert_current(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE reports CASCADE"))
    assert assert_current(pg_engine) == 0


def test_0029_fills_report_rates_from_stored_reports_and_downgrades(pg_engine):
    rnd = random.Random(3)
    _base(pg_engine, 5)
    plan = planned(rnd, AGENCIES, 0.7)
    load_in_batches(Loader(pg_engine), [_report(rnd, *p) for p in plan], 9)
    views = ("v_rates_long", "v_rate_ranks_county", "v_rate_ranks_city")
    before = {view: Counter(rows(pg_engine, f"SELECT * FROM {view}")) for view in views}
    assert sum(before["v_rates_long"].values()) == 7 * len(plan)

    downgrade(pg_engine, "0028")
    with pg_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT to_regclass('report_rates')")).scalar_one() is None
    assert {view: Counter(rows(pg_engine, f"SELECT * FROM {view}")) for view in views} == before
    rnd2 = random.Random(4)  # loaded without the table: the migration reads what is stored
    again = [_report(rnd2, *p) for p in rnd2.sample(plan, k=5)]
    assert {o.status for o in Loader(pg_engine).load_many(again)} <= {"updated", "unchanged"}

    upgrade(pg_engine)
    assert current_revision(pg_engine) == head_revision()
    assert assert_current(pg_engine) > 20
