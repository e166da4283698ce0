"""Rates, their change from the previous year and rankings: computed here from the known inputs."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from gxcrawler.db.rates import DEFAULT_MIN_BASE
from tests.analytics.expected import headline

D = Decimal
NAMES = (
    "applications", "disclosure_rate", "substantive_rate", "denial_rate",
    "review_correction_rate", "suit_correction_rate", "dispute_rate",
)  # fmt: skip


def query(engine, sql: str, **params) -> list[dict]:  # noqa: ANN001
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]


def num(value) -> Decimal | None:  # noqa: ANN001
    return None if value is None else D(str(value))


def _add(*terms: Decimal | None) -> Decimal | None:
    return None if any(t is None for t in terms) else sum(terms, D(0))  # type: ignore[arg-type]


MIN_BASE = D(DEFAULT_MIN_BASE)


def expected_rates(values: dict[str, Decimal], min_base: Decimal = MIN_BASE) -> dict[str, Decimal | None]:
    """Every rate of one report's cells, by the documented formulas."""
    h = {c: headline(values, c) for c in ("s3_new", "s3_carried_in", "s3_granted", "s3_partial", "s3_denied",
                                           "s3_total", "s4_review", "s4_suits")}
    corrected_review = values.get("s4.review.corrected")
    suit_cells = [values[k] for k in ("s4.suit_direct.corrected", "s4.suit_after_review.corrected") if k in values]
    corrected_suits = sum(suit_cells, D(0)) if suit_cells else None

    def rate(numerator: Decimal | None, base: Decimal | None) -> Decimal | None:
        if numerator is None or base is None or base < min_base or base == 0:
            return None
        return (numerator / base).quantize(D("0.0001"), rounding=ROUND_HALF_UP)

    return {
        "applications": _add(h["s3_new"], h["s3_carried_in"]),
        "disclosure_rate": rate(h["s3_granted"], h["s3_total"]),
        "substantive_rate": rate(_add(h["s3_granted"], h["s3_partial"]), h["s3_total"]),
        "denial_rate": rate(h["s3_denied"], h["s3_total"]),
        "review_correction_rate": rate(corrected_review, h["s4_review"]),
        "suit_correction_rate": rate(corrected_suits, h["s4_suits"]),
        "dispute_rate": rate(_add(h["s4_review"], h["s4_suits"]), h["s3_new"]),
    }


def close(a: Decimal | None, b: Decimal | None) -> bool:
    """Equal on PostgreSQL (exact); within rounding on SQLite (REAL)."""
    if a is None or b is None:
        return a is b
    return abs(a - b) < D("0.00005")


def test_v_rates_follow_the_formulas_and_the_minimum_base(analytics_pg):
    engine, known = analytics_pg
    rows = {r["report_id"]: r for r in query(engine, "SELECT * FROM v_rates")}
    assert set(rows) == {k.report_id for k in known}
    shown = hidden = 0
    for k in known:
        want = expected_rates(k.result.values)
        for name in NAMES:
            assert num(rows[k.report_id][name]) == want[name], (k.agency, k.year, name)
        shown += sum(v is not None for n, v in want.items() if n != "applications")
        hidden += sum(
            v is None and rows[k.report_id][f"{n}_base"] is not None for n, v in want.items() if n != "applications"
        )
    assert shown and hidden  # the known set has rates above and below the minimum base


def test_the_minimum_base_is_a_setting(analytics_sqlite):
    engine, known = analytics_sqlite
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE analytics_settings SET value = '5' WHERE name = 'rate_min_base'"))
    rows = {r["report_id"]: r for r in query(engine, "SELECT * FROM v_rates")}
    more = 0
    for k in known:
        want = expected_rates(k.result.values, D(5))
        for name in NAMES:
            assert close(num(rows[k.report_id][name]), want[name]), (k.agency, k.year, name)
        more += sum(v is not None for v in want.values()) - sum(
            v is not None for v in expected_rates(k.result.values).values()
        )
    assert more > 0


def test_v_rates_long_sets_each_rate_beside_the_previous_year(analytics_pg):
    engine, known = analytics_pg
    by_key = {(k.agency, k.year): k for k in known}
    rows = query(engine, "SELECT * FROM v_rates_long")
    assert len(rows) == len(known) * len(NAMES)
    changes = 0
    for r in rows:
        k = by_key[(r["agency"], r["year"])]
        prev = by_key.get((k.agency, k.year - 1))
        value = expected_rates(k.result.values)[r["rate"]]
        before = expected_rates(prev.result.values)[r["rate"]] if prev else None
        assert (num(r["value"]), num(r["prev_value"])) == (value, before), (k.agency, k.year, r["rate"])
        assert r["prev_report_id"] == (prev.report_id if prev else None)
        assert num(r["change"]) == (None if value is None or before is None else value - before)
        changes += r["change"] is not None
        assert r["label"] and r["formula"]
    assert changes


def _ranks(known, scope: str) -> dict[tuple[int, str], tuple[int | None, int]]:  # noqa: ANN001
    """(report, rate) -> (rank, ranked) among the same county (or city), year and rate."""
    groups: dict[tuple, list] = defaultdict(list)
    for k in known:
        if scope == "county" and k.region.county is None:
            continue
        area = (k.region.province, k.region.city) + ((k.region.county,) if scope == "county" else ())
        for name, value in expected_rates(k.result.values).items():
            groups[(area, k.year, name)].append((k.report_id, value))
    out = {}
    for (_, _, name), members in groups.items():
        values = [v for _, v in members if v is not None]
        for report_id, value in members:
            rank = None if value is None else 1 + sum(v > value for v in values)
            out[(report_id, name)] = (rank, len(values))
    return out


def test_rankings_within_the_county_and_the_city(analytics_pg):
    engine, known = analytics_pg
    for scope in ("county", "city"):
        rows = query(engine, f"SELECT * FROM v_rate_ranks_{scope}")
        got = {(r["report_id"], r["rate"]): (r["rank"], r["ranked"]) for r in rows}
        want = _ranks(known, scope)
        assert got == want, scope
        assert any(rank and rank > 1 for rank, _ in got.values())
    # a filter on one county and year gives that county's ranks (computed after the filter reaches the tables)
    county = query(
        engine,
        "SELECT report_id, rank FROM v_rate_ranks_county WHERE county = :c AND year = :y AND rate = 'disclosure_rate'",
        c="仁和区", y=2022,
    )
    assert county and {(r["report_id"], r["rank"]) for r in county} == {
        (rid, rank) for (rid, rate), (rank, _) in _ranks(known, "county").items()
        if rate == "disclosure_rate" and any(k.report_id == rid and k.year == 2022 and k.region.county == "仁和区" for k in known)
    }


def test_rates_on_sqlite(analytics_sqlite):
    engine, known = analytics_sqlite
    rows = {r["report_id"]: r for r in query(engine, "SELECT * FROM v_rates")}
    for k in known:
        want = expected_rates(k.result.values)
        for name in NAMES:
            assert close(num(rows[k.report_id][name]), want[name]), (k.agency, k.year, name)
    ranks = {(r["report_id"], r["rate"]): (r["rank"], r["ranked"]) for r in query(engine, "SELECT * FROM v_rate_ranks_city")}
    assert ranks == _ranks(known, "city")


def test_the_migration_fills_the_correction_numerators_of_stored_reports(db_engine):
    from gxcrawler.db import Loader, upgrade
    from gxcrawler.db.migrate import downgrade
    from tests.fixtures.db import make_report

    loader = Loader(db_engine)
    items = [make_report(a, y, seed=s) for s, (a, y) in enumerate([("蚌峨乡", 2021), ("平远镇", 2022), ("阿猛镇", 2023)])]
    del items[1][0].values["s4.suit_direct.corrected"]  # one lawsuit row unread: the other still counts
    ids = [loader.load(*item).report_id for item in items]
    columns = "s4_review_corrected, s4_suits_corrected"
    before = query(db_engine, f"SELECT id, {columns} FROM reports ORDER BY id")
    want = [
        {
            "id": rid,
            "s4_review_corrected": item[0].values["s4.review.corrected"],
            "s4_suits_corrected": sum(
                (item[0].values[k] for k in ("s4.suit_direct.corrected", "s4.suit_after_review.corrected") if k in item[0].values),
                D(0),
            ),
        }
        for rid, item in zip(ids, items, strict=True)
    ]
    assert [{k: num(v) if k != "id" else v for k, v in r.items()} for r in before] == want
    downgrade(db_engine, "0008")
    upgrade(db_engine)
    after = query(db_engine, f"SELECT id, {columns} FROM reports ORDER BY id")
    assert [{k: num(v) if k != "id" else v for k, v in r.items()} for r in after] == want
    assert num(query(db_engine, "SELECT value FROM analytics_settings WHERE name = 'rate_min_base'")[0]["value"]) == 30
