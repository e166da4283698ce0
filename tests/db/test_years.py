"""Checks across years: stored with the later report, naming both, recomputed when either changes."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import sqlalchemy as sa

from gxcrawler import catalog
from gxcrawler.checks import across_years
from gxcrawler.db import Loader, upgrade
from gxcrawler.db.migrate import downgrade
from tests.fixtures.db import generated_values, make_report

COLS = [c.key for c in catalog.S3_COLUMNS]
D = Decimal


def _values(year: int, seed: int, carried_in: int, carried_out: int, in_force: tuple[int, int] | None) -> dict:
    """A generated report with chosen carried cells and (2021 edition) 规章/规范性文件 in force."""
    edition = "2021" if year >= 2021 else "2019"
    values = generated_values(edition, seed)
    for i, c in enumerate(COLS):
        values[f"s3.carried_in.{c}"] = D(carried_in + i)
        values[f"s3.carried_out.{c}"] = D(carried_out + i)
    if in_force is not None:
        for row, n in zip(("rules", "normative"), in_force, strict=True):
            values[f"s2.art20_1.{row}.in_force"] = D(n)
    return values


def expected_checks(reports: dict[int, dict]) -> set[tuple]:
    """(year, other year, rule, ok, left, right) of each consecutive pair, computed here."""
    out = set()
    for year, cur in reports.items():
        prev = reports.get(year - 1)
        if prev is None:
            continue  # no neighbour: not evaluated
        for c in COLS:
            a, b = prev[f"s3.carried_out.{c}"], cur[f"s3.carried_in.{c}"]
            out.add((year, year - 1, f"years.carried.{c}", a == b, a, b))
        for row in ("rules", "normative"):
            key = f"s2.art20_1.{row}"
            if f"{key}.in_force" in prev and f"{key}.in_force" in cur:
                left = cur[f"{key}.in_force"]
                right = prev[f"{key}.in_force"] + cur[f"{key}.issued"] - cur[f"{key}.repealed"]
                out.add((year, year - 1, f"years.in_force.{row}", left == right, left, right))
    return out


def stored(engine) -> set[tuple]:  # noqa: ANN001
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                'SELECT r.year, o.year, c.rule, c.ok, c."left", c."right" FROM check_results c '
                "JOIN reports r ON r.id = c.report_id JOIN reports o ON o.id = c.other_report_id "
                "WHERE c.rule LIKE 'years.%'"
            )
        )
        return {(y, oy, rule, bool(ok), D(str(a)), D(str(b))) for y, oy, rule, ok, a, b in rows}


def _plan() -> dict[int, dict]:
    """2019-edition 2020, then 2021, 2022 and (2023 missing) 2024: mixed editions, a gap."""
    v2020 = _values(2020, 1, carried_in=0, carried_out=4, in_force=None)
    v2021 = _values(2021, 2, carried_in=4, carried_out=3, in_force=(5, 40))
    v2022 = _values(2022, 3, carried_in=2, carried_out=1, in_force=(0, 0))  # carried: 2 ≠ 3
    for row, before in (("rules", 5), ("normative", 40)):
        key = f"s2.art20_1.{row}"
        v2022[f"{key}.issued"], v2022[f"{key}.repealed"] = D(3), D(1)
        v2022[f"{key}.in_force"] = D(before + 3 - 1 + (1 if row == "normative" else 0))  # normative off by 1
    v2024 = _values(2024, 4, carried_in=1, carried_out=0, in_force=(7, 42))
    return {2020: v2020, 2021: v2021, 2022: v2022, 2024: v2024}


def _load(loader: Loader, year: int, values: dict):  # noqa: ANN202
    return loader.load(*make_report("蚌峨乡", year, values=values))


def test_across_years_reads_blanks_as_zero_and_leaves_unread_cells_out():
    prev = {"s3.carried_out.natural": D(2)}
    cur = {"s3.carried_in.natural": D(2)}
    (check,) = [c for c in across_years((prev, []), (cur, [])) if c.rule == "years.carried.natural"]
    assert check.ok and (check.left, check.right) == (2, 2)
    # the later report printed the cell blank: 2 carried out, 0 carried in
    (check,) = across_years((prev, []), ({}, ["s3.carried_in.natural"]))
    assert not check.ok and (check.left, check.right) == (2, 0)
    assert across_years((prev, []), ({}, [])) == []  # not read: not evaluated
    assert across_years(({}, ["s3.carried_out.natural"]), ({}, ["s3.carried_in.natural"])) == []  # all blank
    # 2019 edition before: no 现行有效件数, no roll-forward
    old = {"s2.art20_1.rules.total_published": D(5)}
    new = {"s2.art20_1.rules.issued": D(1), "s2.art20_1.rules.repealed": D(0), "s2.art20_1.rules.in_force": D(6)}
    assert across_years((old, []), (new, [])) == []
    (check,) = across_years(({"s2.art20_1.rules.in_force": D(5)}, []), (new, []))
    assert check.rule == "years.in_force.rules" and check.ok and check.right == 6


def test_checks_across_years_are_stored_with_both_reports_and_follow_changes(db_engine):
    loader = Loader(db_engine)
    plan = _plan()
    ids = {year: _load(loader, year, values).report_id for year, values in plan.items()}
    want = expected_checks(plan)
    assert stored(db_engine) == want
    assert {(y, rule) for y, _, rule, ok, _, _ in want if not ok} == {
        (2022, "years.carried.natural"), *((2022, f"years.carried.{c}") for c in COLS[1:]),
        (2022, "years.in_force.normative"),
    }
    assert not any(y == 2024 for y, *_ in want)  # 2023 missing: 2024 not evaluated
    assert not any(rule.startswith("years.in_force") and y == 2021 for y, _, rule, *_ in want)  # 2019 edition before

    with db_engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM v_failed_checks WHERE kind = 'years'"))]
    assert {(r["year"], r["other_year"], r["rule"]) for r in rows} == {
        (y, oy, rule) for y, oy, rule, ok, *_ in want if not ok
    }
    assert all(r["report_id"] == ids[2022] and r["other_report_id"] == ids[2021] for r in rows)
    assert all(r["identity"] and r["other_url"] for r in rows)

    # the earlier report changes: the later one's checks are recomputed
    plan[2021] = dict(plan[2021], **{f"s3.carried_out.{c}": D(2 + i) for i, c in enumerate(COLS)})
    assert _load(loader, 2021, plan[2021]).status == "updated"
    assert stored(db_engine) == expected_checks(plan)
    assert all(ok for y, _, rule, ok, *_ in stored(db_engine) if rule.startswith("years.carried") and y == 2022)
    # the later report changes: its own checks again
    plan[2022] = dict(plan[2022], **{"s3.carried_in.natural": D(9)})
    assert _load(loader, 2022, plan[2022]).status == "updated"
    assert stored(db_engine) == expected_checks(plan)
    # the missing year arrives: both of its neighbours are evaluated
    plan[2023] = _values(2023, 5, carried_in=1, carried_out=1, in_force=(8, 44))
    assert _load(loader, 2023, plan[2023]).status == "inserted"
    got = stored(db_engine)
    assert got == expected_checks(plan)
    assert any(y == 2024 for y, *_ in got) and any(y == 2023 for y, *_ in got)
    # a deleted report takes the checks naming it along
    with db_engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM report_values WHERE report_id = :r"), {"r": ids[2021]})
        conn.execute(sa.text("DELETE FROM check_results WHERE report_id = :r"), {"r": ids[2021]})
        conn.execute(sa.text("DELETE FROM fetches WHERE report_id = :r"), {"r": ids[2021]})
        conn.execute(sa.text("DELETE FROM reports WHERE id = :r"), {"r": ids[2021]})
    del plan[2021]
    assert stored(db_engine) == expected_checks(plan)


def test_a_batch_of_new_reports_gets_its_checks_across_years(db_engine):
    """PostgreSQL loads a batch of new reports in one COPY: the checks follow all the same."""
    plan = _plan()
    outcomes = Loader(db_engine).load_many([make_report("蚌峨乡", y, values=v) for y, v in plan.items()])
    assert {o.status for o in outcomes} == {"inserted"}
    assert stored(db_engine) == expected_checks(plan)


def test_the_migration_computes_the_checks_of_reports_already_stored(db_engine):
    loader = Loader(db_engine)
    plan = _plan()
    for year, values in plan.items():
        _load(loader, year, values)
    want = expected_checks(plan)
    assert stored(db_engine) == want
    downgrade(db_engine, "0007")
    with db_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM check_results WHERE rule LIKE 'years.%'")).scalar_one() == 0
    upgrade(db_engine)
    assert stored(db_engine) == want


def test_a_report_with_an_unknown_edition_or_no_tables_is_not_compared(db_engine):
    loader = Loader(db_engine)
    plan = _plan()
    _load(loader, 2021, plan[2021])
    result, prov, region = make_report("蚌峨乡", 2022, values={})
    result = replace(result, status="no_tables", edition=None, checks=[])
    loader.load(result, prov, region)
    assert stored(db_engine) == set()


def test_db_recheck_recomputes_them(pg_engine):
    from gxcrawler.cli import main

    loader = Loader(pg_engine)
    plan = _plan()
    for year, values in plan.items():
        _load(loader, year, values)
    with pg_engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM check_results WHERE rule LIKE 'years.%'"))
    assert stored(pg_engine) == set()
    assert main(["db", "--url", pg_engine.url.render_as_string(hide_password=False), "recheck"]) == 0
    assert stored(pg_engine) == expected_checks(plan)


class _KilledBeforeRefresh(Loader):
    """A loader whose process dies right after the reports' commits, before the checks across years."""

    def _refresh_years(self, conn, outcomes, known=None) -> None:  # noqa: ANN001
        return None


def test_a_crawl_killed_between_the_reports_and_their_checks_gets_them_at_the_next_start(db_engine):
    from datetime import UTC, datetime, timedelta

    from gxcrawler.crawl import store
    from gxcrawler.db.runs import start_run
    from tests.fixtures.db import YANSHAN

    plan = _plan()
    killed_at = datetime.now(UTC) - timedelta(seconds=5)
    start_run(db_engine, YANSHAN.portal, started_at=killed_at)
    loader = _KilledBeforeRefresh(db_engine)
    for year, values in plan.items():
        _load(loader, year, values)
    assert stored(db_engine) == set()  # the kill's damage: reports without their checks across years
    # the next crawl of that spider closes the killed run — and computes what the kill left out
    assert store.close_abandoned_runs(db_engine, YANSHAN.portal, datetime.now(UTC)) == 1
    assert stored(db_engine) == expected_checks(plan)
    # reloading the same reports finds them unchanged and keeps the checks
    for year, values in plan.items():
        assert Loader(db_engine).load(*make_report("蚌峨乡", year, values=values)).status == "unchanged"
    assert stored(db_engine) == expected_checks(plan)


def _across_years_as_first_written(previous, current):  # noqa: ANN001, ANN202
    from gxcrawler.checks import YEAR_IDENTITIES, ZERO
    from gxcrawler.model import Check

    sides = {-1: previous, 0: current}
    known = {offset: set(values).union(blank) for offset, (values, blank) in sides.items()}
    checks = []
    for identity in YEAR_IDENTITIES:
        terms = identity.left + identity.right
        if any(key not in known[offset] for offset, key, _ in terms):
            continue
        if not any(key in sides[offset][0] for offset, key, _ in terms):
            continue

        def total(side):  # noqa: ANN001, ANN202
            return sum((sign * sides[o][0].get(k, ZERO) for o, k, sign in side), ZERO)  # noqa: B023

        left, right = total(identity.left), total(identity.right)
        checks.append(Check(identity.rule, left == right, left, right))
    return checks


def test_across_years_equals_its_first_writing_on_random_sides():
    """The loop written for speed gives the same checks, numbers spelled the same."""
    import random

    from gxcrawler.checks import YEAR_KEYS

    rnd = random.Random(5)
    keys = sorted(YEAR_KEYS)
    spellings = ["0", "-0", "1.50", "1E+2", "7", "0.000", "12"]
    for _ in range(2000):
        sides = []
        for _side in range(2):
            chosen = rnd.sample(keys, rnd.randint(0, len(keys)))
            values = {k: Decimal(rnd.choice(spellings)) if rnd.random() < 0.5 else Decimal(rnd.randint(0, 99)) for k in chosen}
            blank = rnd.sample(keys, rnd.randint(0, 4))
            sides.append((values, blank))
        got = across_years(*sides)
        want = _across_years_as_first_written(*sides)
        assert got == want
        assert [(str(c.left), str(c.right)) for c in got] == [(str(c.left), str(c.right)) for c in want]


def test_a_batch_checks_its_years_from_its_cells_in_memory_as_from_the_table(pg_engine):
    """A batch's new reports' checks across years come from the cells it just stored, not read
    back: they must be the rows a recomputation from the table gives, numbers spelled alike
    (exponents, -0, trailing zeros, as the table stores them)."""
    from gxcrawler.db import years

    odd = [D("1E+2"), D("-0"), D("1.50"), D("0.000"), D("7"), D("-0.00")]
    batch = []
    for n, year in enumerate((2021, 2022, 2023, 2024)):
        values = _values(year, n, carried_in=n, carried_out=n + 1, in_force=(n, 2 * n))
        for i, c in enumerate(COLS):
            values[f"s3.carried_in.{c}"] = odd[(i + n) % len(odd)]
            values[f"s3.carried_out.{c}"] = odd[(i + 2 * n) % len(odd)]
        values["s2.art20_1.rules.issued"] = D("2.0")
        batch.append(make_report("蚌峨乡", year, values=values))

    def rows() -> list[tuple]:
        with pg_engine.connect() as conn:
            return sorted(
                conn.execute(
                    sa.text(
                        'SELECT report_id, rule, ok, "left"::text, "right"::text, other_report_id '
                        "FROM check_results WHERE rule LIKE 'years.%'"
                    )
                ).all()
            )

    outcomes = Loader(pg_engine).load_many(batch)
    assert [o.status for o in outcomes] == ["inserted"] * 4
    loaded = rows()
    assert len(loaded) == 3 * (len(COLS) + 2)
    with pg_engine.begin() as conn:
        years.refresh_all(conn)  # from the table
    assert rows() == loaded
