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
from decimal import Decimal, InvalidOperation

import pytest

from gxcrawler.db import Loader
from gxcrawler.db.reviews import mark
from gxcrawler.db.views import VIEWS_0016, changed_since, inline
from tests.analytics.test_queries import QUERIES
from tests.fixtures.histories import AGENCIES, failing_report, planned, rows

#: filters analysts put on the changed views (each must keep the rows the old SQL gave)
FILTERS = {
    "v_failed_checks": (
        "", "WHERE county = '仁和区'", "WHERE year = 2022", "WHERE county IS NULL", "WHERE review <> 'open'",
        "WHERE kind = 'years' AND other_year = 2021", "WHERE agency LIKE '%蚌峨乡%'",
    ),
    "v_rollup_cells": ("", "WHERE year = 2022", "WHERE county = '砚山县'", "WHERE city = '攀枝花市'",
                       "WHERE key LIKE 's3.denied.%' AND year BETWEEN 2020 AND 2023"),
    "v_compare": ("", "WHERE county = '仁和区' AND year = 2022", "WHERE city = '攀枝花市'", "WHERE prev_report_id IS NULL",
                  "WHERE agency LIKE '%蚌峨乡%' AND key = 's3.new.total'", "WHERE edition <> prev_edition",
                  "WHERE key = 's3.new.total'", "WHERE city = '攀枝花市' AND key LIKE 's3.denied.%'",
                  "WHERE year = 2021 AND key IN ('s2.art20_9.procurement.amount', 's4.review.total')",
                  "WHERE prev_value IS NULL AND year = 2021", "WHERE value IS NULL"),
    # 0034 (PostgreSQL): the headlines from v_coverage's own join to reports
    "v_rollup_county": ("", "WHERE year = 2022", "WHERE year = 2019", "WHERE county = '仁和区'",
                        "WHERE city = '攀枝花市'", "WHERE county = '砚山县' AND year = 2021",
                        "WHERE agencies_missing > 0", "WHERE reports = 0"),
    "v_rollup_city": ("", "WHERE year = 2022", "WHERE city = '攀枝花市'", "WHERE city = '攀枝花市' AND year = 2023",
                      "WHERE agencies_missing > 0"),
    # 0040 (PostgreSQL): the section's cells chosen by its keys named as constants
    **{view: ("", "WHERE year = 2022", "WHERE county = '仁和区'", "WHERE city = '攀枝花市' AND year = 2021",
              "WHERE edition = '2019'", "WHERE key IN ('s2.art20_9.procurement.amount', 's4.review.total')")
       for view in ("v_s2_long", "v_s4_long")},
}  # fmt: skip


def _history(engine, seed: int) -> tuple[list[tuple], int]:  # noqa: ANN001
    """Load a random history and review some failures; (the marked checks, the report changed after)."""
    rnd = random.Random(seed)
    items = [failing_report(rnd, *p) for p in planned(rnd, AGENCIES, 0.8)]
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


def _as_numbers(found: list[tuple]) -> list[tuple]:
    """Each number, or decimal string, as a Decimal (SQLite: 0044 casts what 0016 showed as text)."""

    def number(x: object) -> object:
        if isinstance(x, bool) or x is None or isinstance(x, bytes):
            return x
        try:
            return Decimal(str(x))
        except InvalidOperation:
            return x

    return [tuple(number(x) for x in row) for row in found]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rewritten_views_and_queries_give_the_rows_they_gave_before(db_engine, seed):
    _history(db_engine, seed)
    old = changed_since(VIEWS_0016, db_engine.dialect.name)
    assert "v_failed_checks" in old  # (v_rollup_cells, v_compare, v_rollup_*: PostgreSQL only; SQLite as before)
    if db_engine.dialect.name == "postgresql":
        assert {"v_rollup_county", "v_rollup_city", "v_s2_long", "v_s4_long"} <= set(old)
    for view, filters in FILTERS.items():
        if view not in old:
            continue
        for where in filters:
            sql = f"SELECT * FROM {view} {where}"
            new = rows(db_engine, sql)
            assert new or where, sql
            before = rows(db_engine, inline(sql, old))
            if db_engine.dialect.name == "sqlite":  # 0044: SQLite's views show numbers, 0016's the strings
                new, before = _as_numbers(new), _as_numbers(before)
            assert Counter(new) == Counter(before), sql
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
