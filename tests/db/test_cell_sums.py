"""``cell_sums`` always equals the sums of the stored cells, whatever wrote them (migration 0016).

A seeded random sequence of loads (batch, one by one), replacements (other values, another
edition), a rolled-back load, deletes of reports and of cells, changed values, a report
moved to another year and an agency moved to another county; after every step the table
is compared with the same sums computed from ``report_values``, and the worked queries
that read ``v_cell_sums`` with their old text over the cells.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from decimal import Decimal

import pytest
import sqlalchemy as sa

from gxcrawler.db import Loader
from gxcrawler.db.cellsums import GROUP, LIVE_SQL, TOTAL, rebuild, view_sql
from gxcrawler.db.regions import cells_sql
from gxcrawler.db.views import VIEWS_0037
from gxcrawler.db.views import view_sql as view_sql_of
from gxcrawler.model import Region
from tests.fixtures.db import RENHE, YANSHAN, generated_values
from tests.fixtures.histories import CITY, load_in_batches, placed, planned, refusing, rows, write

AGENCIES = (
    (YANSHAN, "蚌峨乡"), (YANSHAN, "平远镇"), (YANSHAN, "阿猛镇"),
    (RENHE, "仁和镇"), (RENHE, "太平乡"), (CITY, "攀枝花市审计局"),
)  # fmt: skip

#: the worked queries 2 and 3 as written before 0016, over every cell (v_s3_long, v_s4_long)
OLD_QUERIES = {
    "2": """
SELECT row_label AS reason, sum(value) AS requests,
       round(100 * sum(value) / nullif(sum(sum(value)) OVER (), 0), 1) AS pct
FROM v_s3_long WHERE row_key LIKE 'denied.%' AND column_key = 'total'
GROUP BY row_key, row_label ORDER BY min(ordinal)""",
    "3": """
SELECT coalesce(county, city) AS area, row_label AS body,
       sum(value) FILTER (WHERE column_key = 'total') AS cases,
       sum(value) FILTER (WHERE column_key = 'upheld') AS upheld,
       sum(value) FILTER (WHERE column_key = 'corrected') AS corrected,
       sum(value) FILTER (WHERE column_key = 'pending') AS pending
FROM v_s4_long WHERE year BETWEEN 2021 AND 2024
GROUP BY province, city, coalesce(county, city), row_key, row_label
HAVING sum(value) FILTER (WHERE column_key = 'total') > 0
ORDER BY area, city, min(ordinal)""",
}


def assert_sums_current(engine) -> None:  # noqa: ANN001
    stored = Counter(rows(engine, f"SELECT {', '.join(GROUP)}, reports, value FROM cell_sums"))
    assert stored == Counter(rows(engine, LIVE_SQL))
    assert Counter(rows(engine, "SELECT * FROM v_cell_sums")) == Counter(
        rows(engine, view_sql("sqlite"))  # the same view, summing the cells when read
    )
    from tests.analytics.test_queries import QUERIES

    for name, old in OLD_QUERIES.items():
        new = next(QUERIES.glob(f"{name}_*.sql")).read_text(encoding="utf-8")
        assert rows(engine, new) == rows(engine, old), name
    # v_rollup_cells (0038: the editions added by numeric_total before the labels' join): the
    # cells summed, and to the printed digit what the 0037 SQL's sum() gives over the same table
    assert Counter(rows(engine, "SELECT * FROM v_rollup_cells")) == Counter(rows(engine, cells_sql("postgresql")))
    printed = "SELECT province, city, county, year, key, reports, value::text FROM {}"
    old_view = f"({view_sql_of('v_rollup_cells', 'postgresql', VIEWS_0037)}) o"
    assert Counter(rows(engine, printed.format("v_rollup_cells"))) == Counter(rows(engine, printed.format(old_view)))


def some_values(rnd: random.Random, edition: str) -> dict[str, Decimal]:
    """A report's cells, a few left out (blank), some with decimals."""
    values = generated_values(edition, rnd.randrange(10**6))
    for key in rnd.sample(sorted(values), k=len(values) // 5):
        del values[key]
    for key in rnd.sample(sorted(values), k=3):
        values[key] += Decimal(rnd.choice(("0.5", "0.25", "1.50")))
    return values


def report(rnd: random.Random, region: Region, agency: str, year: int, edition: str | None = None, tag: str = ""):  # noqa: ANN201
    edition = edition or ("2021" if year >= 2021 else "2019")
    unique = f"{tag}{rnd.random()}"  # drawn before the cells: a seed's history as it was
    return placed(region, agency, year, edition, some_values(rnd, edition), unique)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cell_sums_equal_the_cells_after_every_kind_of_write(pg_engine, seed):
    rnd = random.Random(seed)
    loader = Loader(pg_engine)
    assert_sums_current(pg_engine)  # empty

    # a first crawl: batches (one transaction and a COPY per batch)
    plan = planned(rnd, AGENCIES, 0.8)
    load_in_batches(loader, [report(rnd, *p) for p in plan], 7)
    assert_sums_current(pg_engine)

    # a re-crawl: unchanged, replaced (other values; another edition), and new ones one by one
    again = []
    for region, agency, year in plan:
        change = rnd.random()
        if change < 0.3:
            again.append(report(rnd, region, agency, year, tag="v2"))
        elif change < 0.4:
            again.append(report(rnd, region, agency, year, edition="2019" if year >= 2021 else "2021", tag="v3"))
    statuses = Counter(loader.load(*item).status for item in again)
    assert statuses["updated"] == len(again)
    for region, agency, year in [(YANSHAN, "者腊乡", 2023), (CITY, "攀枝花市财政局", 2022)]:
        assert loader.load(*report(rnd, region, agency, year)).status == "inserted"
    assert_sums_current(pg_engine)

    # a replacement that fails before its commit changes nothing
    region, agency, year = plan[0]
    assert refusing(pg_engine).load(*report(rnd, region, agency, year, tag="v4")).status == "failed"
    assert_sums_current(pg_engine)

    ids = [r[0] for r in rows(pg_engine, "SELECT id FROM reports ORDER BY id")]
    gone, trimmed, changed, moved = rnd.sample(ids, 4)
    write(pg_engine, ("DELETE FROM reports WHERE id = :id", {"id": gone}))  # its cells by cascade
    assert_sums_current(pg_engine)
    write(
        pg_engine,
        ("DELETE FROM report_values WHERE report_id = :id AND key LIKE 's4.%'", {"id": trimmed}),
        ("UPDATE report_values SET value = value + 2 WHERE report_id = :id", {"id": changed}),
        ("UPDATE reports SET year = year + 10 WHERE id = :id", {"id": moved}),
    )
    assert_sums_current(pg_engine)
    write(pg_engine, "UPDATE agencies SET county = '新设区' WHERE name LIKE '%阿猛镇%'",
          "UPDATE agencies SET city = '另一市' WHERE county IS NULL")
    assert_sums_current(pg_engine)

    # every report of a county gone: its groups go too
    write(pg_engine, "DELETE FROM reports WHERE agency_id IN (SELECT id FROM agencies WHERE county = '仁和区')")
    assert rows(pg_engine, "SELECT count(*) FROM cell_sums WHERE county = '仁和区'") == [(0,)]
    assert_sums_current(pg_engine)

    # a rebuild from the cells gives the same table
    before = Counter(rows(pg_engine, "SELECT * FROM cell_sums"))
    with pg_engine.begin() as conn:
        rebuild(conn)
    assert Counter(rows(pg_engine, "SELECT * FROM cell_sums")) == before


def test_cell_sums_on_sqlite_are_the_stored_cells_summed_when_read(sqlite_engine):
    """SQLite has no table and no triggers: ``v_cell_sums`` sums the cells with the query the
    PostgreSQL triggers use (numbered places), which must give each group's count and sum
    (SQLite adds decimals as binary floating point: to within 1e-6)."""
    rnd = random.Random(4)
    loaded = [report(rnd, region, agency, year) for region, agency in AGENCIES for year in (2020, 2021, 2022)]
    assert {o.status for o in Loader(sqlite_engine).load_many(loaded)} == {"inserted"}
    expected: Counter = Counter()
    counts: Counter = Counter()
    for result, _prov, region in loaded:
        for key, value in result.values.items():
            group = (region.county, region.city, region.province, result.year, result.edition, key)
            expected[group] += value
            counts[group] += 1
    got = rows(sqlite_engine, f"SELECT {', '.join(GROUP)}, reports, value FROM v_cell_sums")
    assert len(got) == len(expected)
    assert {g[:6]: g[6] for g in got} == counts
    assert all(abs(Decimal(str(g[7])) - expected[g[:6]]) < Decimal("1e-6") for g in got)


def test_a_year_of_v_rollup_cells_is_read_in_its_grouping_order(pg_engine):
    """Migration 0030: a year's sums come from ``ix_cell_sums_year`` in the view's grouping
    order — grouped as they come, no sort — and the rows are the cells summed."""
    rnd = random.Random(5)
    load_in_batches(Loader(pg_engine), [report(rnd, *p) for p in planned(rnd, AGENCIES, 0.8)], 9)
    with pg_engine.connect() as conn:
        for kind in ("seqscan", "bitmapscan", "sort"):  # a few rows: the table itself, sorted, would be cheaper
            conn.execute(sa.text(f"SET enable_{kind} = off"))
        (plan,) = conn.execute(sa.text(
            "EXPLAIN (FORMAT JSON) SELECT count(*), sum(value) FROM v_rollup_cells WHERE year = 2022"
        )).scalar_one()
    text = json.dumps(plan)
    assert '"Index Name": "ix_cell_sums_year"' in text and 'Sort"' not in text.replace('"Sorted"', ""), text
    # 0038: the sums grouped as the index gives them, the labels joined to the groups after
    (grouping,) = [n for n in plan_nodes(plan["Plan"]) if n.get("Group Key")]
    assert [child["Node Type"] for child in grouping["Plans"]] == ["Index Only Scan"], text
    summed = rows(pg_engine, "SELECT a.county, a.city, a.province, v.key, count(*), sum(v.value) FROM report_values v "
                  "JOIN reports r ON r.id = v.report_id JOIN agencies a ON a.id = r.agency_id WHERE r.year = 2022 "
                  "GROUP BY 1, 2, 3, 4")
    assert Counter(rows(pg_engine, "SELECT county, city, province, key, reports, value FROM v_rollup_cells "
                        "WHERE year = 2022")) == Counter(summed) and summed


def plan_nodes(node: dict) -> list[dict]:
    return [node, *(n for child in node.get("Plans", ()) for n in plan_nodes(child))]


def test_numeric_total_is_sum_to_the_printed_digit(pg_engine):
    """Migration 0038: ``numeric_total`` gives ``sum``'s number and scale — one value, several
    of different scales, negatives, a NULL among them, none at all — also as a parallel plan's
    partial totals added (its combine function)."""
    groups = {
        1: ["1.50"], 2: ["1.5", "2.25", "-0.75"], 3: ["10", "0.001", "-10"], 4: ["7", None, "1.10"],
        5: ["0.1"] * 30 + ["1e20", "-1e20"], 6: [None],
    }
    values = ", ".join(f"({g}, {'NULL' if v is None else v}::numeric)" for g, vs in groups.items() for v in vs)
    both = f"SELECT g, sum(v)::text, {TOTAL}(v)::text FROM (VALUES {values}) t(g, v) GROUP BY g ORDER BY g"
    got = rows(pg_engine, both)
    assert [r[0] for r in got] == sorted(groups) and all(r[1] == r[2] for r in got), got
    assert got[0][2] == "1.50" and got[2][2] == "0.001" and got[5][2] is None
    with pg_engine.connect() as conn:  # partial totals added by the combine function, in workers
        for setting in ("parallel_setup_cost = 0", "parallel_tuple_cost = 0", "min_parallel_table_scan_size = 0",
                        "max_parallel_workers_per_gather = 2"):
            conn.execute(sa.text(f"SET {setting}"))
        conn.execute(sa.text("CREATE TABLE many AS SELECT (i * 0.37 - 500)::numeric AS v FROM generate_series(1, 20000) i"))
        conn.execute(sa.text("ANALYZE many"))
        both = f"SELECT sum(v)::text, {TOTAL}(v)::text FROM many"
        plan = json.dumps(conn.execute(sa.text(f"EXPLAIN (FORMAT JSON) {both}")).scalar_one())
        summed = conn.execute(sa.text(both)).one()
        conn.execute(sa.text("DROP TABLE many"))
        conn.commit()
    assert '"Partial Mode": "Partial"' in plan, plan
    assert summed[0] == summed[1], summed
