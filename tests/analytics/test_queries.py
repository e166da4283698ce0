"""The worked queries of the README (``tests/analytics/queries/*.sql``) answer their questions.

Each query runs on the known reports; its answer is recomputed here from the inputs.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import sqlalchemy as sa

from gxcrawler import catalog
from gxcrawler.agencies import canonical_agency
from tests.analytics.expected import headline

QUERIES = Path(__file__).with_name("queries")


def run(engine, name: str) -> list[tuple]:  # noqa: ANN001
    sql = next(QUERIES.glob(f"{name}_*.sql")).read_text(encoding="utf-8")
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def total(values) -> Decimal | None:  # noqa: ANN001
    values = [v for v in values if v is not None]
    return sum(values, Decimal(0)) if values else None


def test_1_township_trend(analytics_pg):
    engine, known = analytics_pg
    by_year = defaultdict(list)
    for k in known:
        if k.region.county == "仁和区" and canonical_agency(k.result.agency, k.region).kind == "township":
            by_year[k.year].append(k.result.values)
    expected = [
        (
            year,
            len(vs),
            total(headline(v, "s3_new") for v in vs),
            total(headline(v, "s3_granted") for v in vs),
            total(headline(v, "s3_denied") for v in vs),
            total(v.get("s3.denied.state_secret.total") for v in vs),
        )
        for year, vs in sorted(by_year.items())
    ]
    assert len(expected) >= 4
    assert run(engine, "1") == expected


def test_2_refusal_reasons(analytics_pg):
    engine, known = analytics_pg
    rows = [r for r in catalog.S3_ROWS if r.key.startswith("denied.")]
    sums = [sum((k.result.values.get(f"s3.{r.key}.total", 0) for k in known), Decimal(0)) for r in rows]
    got = run(engine, "2")
    assert [(reason, n) for reason, n, _ in got] == [(r.label, s) for r, s in zip(rows, sums, strict=True)]
    grand = sum(sums)
    assert grand > 0
    # PostgreSQL's round() takes halves away from zero
    assert [pct for *_, pct in got] == [(100 * s / grand).quantize(Decimal("0.1"), ROUND_HALF_UP) for s in sums]


def test_3_litigation(analytics_pg):
    engine, known = analytics_pg
    cells: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for k in known:
        if 2021 <= k.year <= 2024:
            for row in catalog.S4_ROWS:
                for col in ("total", "upheld", "corrected", "pending"):
                    value = k.result.values.get(f"s4.{row.key}.{col}")
                    if value is not None:
                        cells[(k.region.county or k.region.city, row.key)][col] += value
    order = [r.key for r in catalog.S4_ROWS]
    labels = {r.key: r.label for r in catalog.S4_ROWS}
    expected = [
        (area, labels[row], c["total"], c["upheld"], c["corrected"], c["pending"])
        for (area, row), c in sorted(cells.items(), key=lambda i: (i[0][0], order.index(i[0][1])))
        if c["total"] > 0
    ]
    assert expected and run(engine, "3") == expected


def test_4_missing_this_year(analytics_pg):
    engine, known = analytics_pg
    last = max(k.year for k in known)
    have = {(k.agency, k.year) for k in known}
    county = {k.agency: k.region.county for k in known}
    expected = sorted(
        (county[a], a, last) for a, y in have if y == last - 1 and (a, last) not in have
    )
    assert expected and run(engine, "4") == expected


def test_5_failing_arithmetic(analytics_pg):
    engine, known = analytics_pg
    failing = [(k, k.result.failed_checks) for k in known if k.result.failed_checks]
    got = run(engine, "5")
    assert sorted((a, y, n) for a, y, n, _ in got) == sorted((k.agency, k.year, len(f)) for k, f in failing)
    assert [n for _, _, n, _ in got] == sorted((n for _, _, n, _ in got), reverse=True)
    details = {(a, y): d for a, y, _, d in got}
    for k, failed in failing:
        for c in failed:
            assert f"{c.rule} {c.left}≠{c.right}" in details[(k.agency, k.year)]


def test_6_rate_ranking(analytics_pg):
    from tests.analytics.test_rates import expected_rates

    engine, known = analytics_pg
    here = [k for k in known if k.region.county == "仁和区" and k.year == 2023]
    prev = {(k.agency, k.year): k for k in known}
    rates = {k.agency: expected_rates(k.result.values)["disclosure_rate"] for k in here}
    ranked = [v for v in rates.values() if v is not None]
    rows = []
    for k in here:
        value = rates[k.agency]
        before = prev.get((k.agency, 2022))
        old = expected_rates(before.result.values)["disclosure_rate"] if before else None
        rows.append((
            None if value is None else 1 + sum(v > value for v in ranked),
            k.agency,
            canonical_agency(k.result.agency, k.region).kind,
            headline(k.result.values, "s3_granted"),
            headline(k.result.values, "s3_total"),
            value,
            old,
            None if value is None or old is None else value - old,
        ))
    expected = sorted(rows, key=lambda r: (r[0] is None, r[0] or 0, r[1]))
    assert len(expected) >= 3
    assert run(engine, "6") == expected


def test_7_cross_year_failures(analytics_pg):
    from tests.analytics.expected import years_checks

    engine, known = analytics_pg
    by_id = {k.report_id: k for k in known}
    groups: dict[tuple, list] = defaultdict(list)
    for report_id, other_id, rule, ok, left, right in years_checks(known):
        k = by_id[report_id]
        if not ok and k.region.county == "仁和区":
            groups[(k.agency, by_id[other_id].year, k.year)].append((rule, left, right))
    expected = []
    for (agency, first, last), failed in sorted(groups.items()):
        shown = sorted(
            (r, a, b) for r, a, b in failed if not r.startswith("years.carried.") or r == "years.carried.total"
        )
        details = "; ".join(f"{r} {a}≠{b}" for r, a, b in shown) or None
        expected.append((agency, first, last, len(failed), details))
    assert expected and run(engine, "7") == expected


def test_3_litigation_keeps_same_named_counties_of_two_cities_apart(pg_engine):
    """鼓楼区 is a district of 南京市 and of 福州市 (and 徐州市, 开封市): each its own rows (review5)."""
    from gxcrawler.db import Loader
    from gxcrawler.model import Region
    from tests.fixtures.db import make_report

    nanjing = Region("江苏省", "南京市", "鼓楼区", None, "nanjing")
    fuzhou = Region("福建省", "福州市", "鼓楼区", None, "fuzhou")
    reports = [make_report("华侨路街道", 2022, region=nanjing, seed=1), make_report("鼓东街道", 2022, region=fuzhou, seed=2)]
    Loader(pg_engine).load_many(reports)
    got = run(pg_engine, "3")
    review = [r for r in got if r[1] == "行政复议"]
    expected = sorted(r.values["s4.review.total"] for r, _, _ in reports)
    assert sorted(r[2] for r in review) == expected  # two rows, one per city: not one of both summed
