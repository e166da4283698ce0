"""Views and worked queries rewritten for speed give exactly the rows they gave before (issue 12).

On seeded random histories — reports of several counties and a city over six years, some
missing, some breaking identities, some with a wrong number in their text, checks across
years, reviews confirmed or dismissed, one on a check across years — every view changed
since migration 0016 is compared with its 0016 SQL (inlined: ``views.inline``) under the
analysts' filters, and each worked query with its old texts (``queries/before/``: as of 0016, and
``*.0023.sql`` as of 0023) over the old views. Views on PostgreSQL and SQLite; the worked queries are PostgreSQL's.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import pytest
import sqlalchemy as sa

from gxcrawler.db import Loader
from gxcrawler.db.reviews import mark
from gxcrawler.db.views import VIEWS_0016, changed_since, inline
from gxcrawler.model import Check, Region
from tests.analytics.test_queries import QUERIES
from tests.fixtures.db import RENHE, YANSHAN, generated_values, make_report

CITY = Region("四川省", "攀枝花市", None, None, "panzhihua")  # city-level agencies: no county
AGENCIES = (
    (YANSHAN, "蚌峨乡"), (YANSHAN, "平远镇"), (YANSHAN, "阿猛镇"), (YANSHAN, "者腊乡"),
    (RENHE, "仁和镇"), (RENHE, "太平乡"), (RENHE, "大龙潭乡"), (CITY, "攀枝花市审计局"), (CITY, "攀枝花市财政局"),
)  # fmt: skip
YEARS = range(2019, 2025)

#: filters analysts put on the changed views (each must keep the rows the old SQL gave)
FILTERS = {
    "v_failed_checks": (
        "", "WHERE county = '仁和区'", "WHERE year = 2022", "WHERE county IS NULL", "WHERE review <> 'open'",
        "WHERE kind = 'years' AND other_year = 2021", "WHERE agency LIKE '%蚌峨乡%'",
    ),
    "v_rollup_cells": ("", "WHERE year = 2022", "WHERE county = '砚山县'", "WHERE city = '攀枝花市'",
                       "WHERE key LIKE 's3.denied.%' AND year BETWEEN 2020 AND 2023"),
    "v_compare": ("", "WHERE county = '仁和区' AND year = 2022", "WHERE city = '攀枝花市'", "WHERE prev_report_id IS NULL",
                  "WHERE agency LIKE '%蚌峨乡%' AND key = 's3.new.total'", "WHERE edition <> prev_edition"),
}  # fmt: skip


def rows(engine, sql: str) -> list[tuple]:  # noqa: ANN001
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def _report(rnd: random.Random, region: Region, agency: str, year: int):  # noqa: ANN202
    """A report of random cells; one in three breaks 1–3 identities, one in five its text."""
    edition = "2021" if year >= 2021 else "2019"
    values = generated_values(edition, rnd.randrange(10**6))
    if rnd.random() < 0.35:
        for key in rnd.sample(sorted(k for k in values if k.startswith("s3.")), k=rnd.randint(1, 3)):
            values[key] += rnd.randint(1, 9)
    result, prov, region = make_report(
        agency, year, edition=edition, values=values, region=region,
        content=f"{agency}{year}{rnd.random()}".encode(),
        page_url=f"https://example.gov.cn/{region.portal}/{agency}/{year}.html",
    )  # fmt: skip
    if rnd.random() < 0.2:
        new = values["s3.new.total"]
        sentence = f"本年度收到政府信息公开申请{new + 1}件"
        result = replace(result, narrative=[Check("narrative.received", False, new + 1, new, sentence=sentence)])
    return result, prov, region


def _history(engine, seed: int) -> tuple[list[tuple], int]:  # noqa: ANN001
    """Load a random history and review some failures; (the marked checks, the report changed after)."""
    rnd = random.Random(seed)
    plan = [(region, agency, year) for region, agency in AGENCIES for year in YEARS if rnd.random() < 0.8]
    items = [_report(rnd, *p) for p in plan]
    Loader(engine).load_many(items)
    failed = rows(
        engine, "SELECT report_id, rule, kind, other_report_id FROM v_failed_checks ORDER BY report_id, rule"
    )
    across = [f for f in failed if f[2] == "years"]
    assert across and any(f[2] == "identity" for f in failed) and any(f[2] == "narrative" for f in failed)
    marked = sorted({*rnd.sample(failed, k=len(failed) // 4), across[0]})
    with engine.begin() as conn:
        for report_id, rule, *_ in marked:
            status = rnd.choice(("confirmed", "dismissed"))
            mark(conn, report_id, rule, status, note="misread" if status == "dismissed" else None, reviewer="t")
    # a reviewed report published again, the same numbers in another file: its marks no longer apply
    changed = marked[0][0]
    ((year, agency),) = rows(
        engine, f"SELECT r.year, a.name FROM reports r JOIN agencies a ON a.id = r.agency_id WHERE r.id = {changed}"
    )
    result, prov, region = next(i for i in items if i[0].year == year and i[0].agency in agency)
    assert Loader(engine).load(result, replace(prov, content=prov.content + b" v2"), region).status == "updated"
    return marked, changed


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rewritten_views_and_queries_give_the_rows_they_gave_before(db_engine, seed):
    _history(db_engine, seed)
    old = changed_since(VIEWS_0016, db_engine.dialect.name)
    assert "v_failed_checks" in old  # (v_rollup_cells, v_compare: PostgreSQL only; SQLite as before)
    for view, filters in FILTERS.items():
        if view not in old:
            continue
        for where in filters:
            sql = f"SELECT * FROM {view} {where}"
            new = rows(db_engine, sql)
            assert new or where, sql
            assert Counter(new) == Counter(rows(db_engine, inline(sql, old))), sql
    if db_engine.dialect.name != "postgresql":
        return  # the worked queries are PostgreSQL's (string_agg … ORDER BY)
    for path in sorted((QUERIES / "before").glob("*.sql")):  # 5_….sql, 5_….0023.sql: each older text
        new_text = next(QUERIES.glob(path.name.split(".")[0] + ".sql")).read_text(encoding="utf-8")
        got = rows(db_engine, new_text)
        assert got, path.name
        assert got == rows(db_engine, inline(path.read_text(encoding="utf-8"), old)), path.name


def test_reviews_follow_their_check_not_another(pg_engine):
    """The review columns, looked up per row since 0023, belong to the check's own rule and
    report as they stand: a mark on a report (or the other report of a check across years)
    since changed no longer shows."""
    marked, changed = _history(pg_engine, 4)
    expected = {(report, rule) for report, rule, _, other in marked if changed not in (report, other)}
    reviewed = rows(pg_engine, "SELECT report_id, rule FROM v_failed_checks WHERE review <> 'open'")
    assert len(reviewed) == len(expected) > 1 and set(reviewed) == expected
