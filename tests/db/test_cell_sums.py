"""``cell_sums`` always equals the sums of the stored cells, whatever wrote them (migration 0016).

A seeded random sequence of loads (batch, one by one), replacements (other values, another
edition), a rolled-back load, deletes of reports and of cells, changed values, a report
moved to another year and an agency moved to another county; after every step the table
is compared with the same sums computed from ``report_values``, and the worked queries
that read ``v_cell_sums`` with their old text over the cells.
"""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal

import pytest
import sqlalchemy as sa

from gxcrawler.db import Loader
from gxcrawler.db.cellsums import GROUP, LIVE_SQL, rebuild, view_sql
from gxcrawler.model import Region
from tests.fixtures.db import RENHE, YANSHAN, generated_values, make_report

PANZHIHUA_CITY = Region("四川省", "攀枝花市", None, None, "panzhihua")  # city-level agencies
AGENCIES = (
    (YANSHAN, "蚌峨乡"), (YANSHAN, "平远镇"), (YANSHAN, "阿猛镇"),
    (RENHE, "仁和镇"), (RENHE, "太平乡"), (PANZHIHUA_CITY, "攀枝花市审计局"),
)  # fmt: skip
YEARS = range(2019, 2025)

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
GROUP BY coalesce(county, city), row_key, row_label
HAVING sum(value) FILTER (WHERE column_key = 'total') > 0
ORDER BY area, min(ordinal)""",
}


def rows(engine, sql: str) -> list[tuple]:  # noqa: ANN001
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


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
    content = f"{agency}{year}{tag}{rnd.random()}".encode()
    return make_report(
        agency, year, edition=edition, values=some_values(rnd, edition), content=content, region=region,
        page_url=f"https://example.gov.cn/{region.portal}/{agency}/{year}.html",
    )


class Refused(Exception):
    pass


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cell_sums_equal_the_cells_after_every_kind_of_write(pg_engine, seed):
    rnd = random.Random(seed)
    loader = Loader(pg_engine)
    assert_sums_current(pg_engine)  # empty

    # a first crawl: batches (one transaction and a COPY per batch)
    plan = [(region, agency, year) for region, agency in AGENCIES for year in YEARS if rnd.random() < 0.8]
    first = [report(rnd, *p) for p in plan]
    for i in range(0, len(first), 7):
        assert {o.status for o in loader.load_many(first[i : i + 7])} == {"inserted"}
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
    for region, agency, year in [(YANSHAN, "者腊乡", 2023), (PANZHIHUA_CITY, "攀枝花市财政局", 2022)]:
        assert loader.load(*report(rnd, region, agency, year)).status == "inserted"
    assert_sums_current(pg_engine)

    # a replacement that fails before its commit changes nothing
    def refuse(conn, report_id):  # noqa: ANN001
        raise Refused

    region, agency, year = plan[0]
    failing = Loader(pg_engine, before_commit=refuse).load(*report(rnd, region, agency, year, tag="v4"))
    assert failing.status == "failed"
    assert_sums_current(pg_engine)

    ids = [r[0] for r in rows(pg_engine, "SELECT id FROM reports ORDER BY id")]
    gone, trimmed, changed, moved = rnd.sample(ids, 4)
    with pg_engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM reports WHERE id = :id"), {"id": gone})  # its cells by cascade
    assert_sums_current(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM report_values WHERE report_id = :id AND key LIKE 's4.%'"), {"id": trimmed})
        conn.execute(sa.text("UPDATE report_values SET value = value + 2 WHERE report_id = :id"), {"id": changed})
        conn.execute(sa.text("UPDATE reports SET year = year + 10 WHERE id = :id"), {"id": moved})
    assert_sums_current(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(sa.text("UPDATE agencies SET county = '新设区' WHERE name LIKE '%阿猛镇%'"))
        conn.execute(sa.text("UPDATE agencies SET city = '另一市' WHERE county IS NULL"))
    assert_sums_current(pg_engine)

    # every report of a county gone: its groups go too
    with pg_engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM reports WHERE agency_id IN (SELECT id FROM agencies WHERE county = '仁和区')"))
        assert conn.execute(sa.text("SELECT count(*) FROM cell_sums WHERE county = '仁和区'")).scalar_one() == 0
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
