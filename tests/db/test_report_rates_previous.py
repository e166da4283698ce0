"""``report_rates`` keeps each rate's previous year (migration 0036): ``prev_report_id`` and
``prev_value`` are the agency's report of the year before and its value of the rate, whatever
wrote the reports — a load, a replacement, a delete, a report moved to another year or agency,
the previous year's report arriving after the current one, several years in one statement, the
minimum base changed, a TRUNCATE — and ``v_rates_long`` reading them gives the rows of its 0034
SQL (the previous year's row joined). The 0036 upgrade fills them from stored reports; its
downgrade gives the join back, with the same rows.
"""

from __future__ import annotations

import random
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gxcrawler.db import Loader, current_revision, head_revision, reportrates, upgrade
from gxcrawler.db.migrate import downgrade
from gxcrawler.db.views import VIEWS_0034, inline, view_sql
from tests.fixtures.db import RENHE, YANSHAN
from tests.fixtures.histories import failing_report, rows, write

FILTERS = ("", "WHERE year = 2023", "WHERE year = 2023 AND change IS NOT NULL", "WHERE prev_report_id IS NULL",
           "WHERE county = '仁和区'", "WHERE agency LIKE '%蚌峨乡%'", "WHERE rate = 'applications' AND change < 0")


def kept(engine: Engine) -> dict[tuple[int, int, str], tuple]:
    """(agency, year, rate) -> (report_id, value, prev_report_id, prev_value)."""
    return {(r[0], r[1], r[2]): r[3:] for r in rows(
        engine, "SELECT agency_id, year, rate, report_id, value, prev_report_id, prev_value FROM report_rates")}


def assert_previous(engine: Engine) -> int:
    """Each row's previous-year columns are its previous year's row (or NULL), the table equals
    the rows computed from ``reports``, the view its 0034 SQL; returns the rows with a previous year."""
    table = kept(engine)
    for (agency, year, rate), (_, _, prev_id, prev_value) in table.items():
        before = table.get((agency, year - 1, rate))
        assert (prev_id, prev_value) == ((before[0], before[1]) if before else (None, None)), (agency, year, rate)
    assert Counter(rows(engine, "SELECT * FROM report_rates")) == Counter(rows(engine, reportrates.LIVE_SQL))
    old = {"v_rates_long": view_sql("v_rates_long", "postgresql", VIEWS_0034)}
    for where in FILTERS:
        sql = f"SELECT * FROM v_rates_long {where}"
        assert Counter(rows(engine, sql)) == Counter(rows(engine, inline(sql, old))), sql
    return sum(1 for r in table.values() if r[2] is not None)


def _base(engine: Engine, value: int) -> None:
    write(engine, ("UPDATE analytics_settings SET value = :v WHERE name = 'rate_min_base'", {"v": str(value)}))


def report_id(engine: Engine, agency: str, year: int) -> int | None:
    found = rows(engine, f"SELECT r.id FROM reports r JOIN agencies a ON a.id = r.agency_id "
                 f"WHERE a.name LIKE '%{agency}%' AND r.year = {year}")
    return found[0][0] if found else None


def previous_of(engine: Engine, agency: str, year: int) -> set[tuple]:
    """The (prev_report_id, prev_value) of the agency's report of ``year``, per rate (a set: all alike for the id)."""
    return set(rows(engine, f"SELECT t.prev_report_id FROM report_rates t JOIN agencies a ON a.id = t.agency_id "
                    f"WHERE a.name LIKE '%{agency}%' AND t.year = {year}"))


def test_previous_year_kept_through_every_kind_of_write(pg_engine):
    rnd = random.Random(12)
    loader = Loader(pg_engine)
    _base(pg_engine, 5)  # small generated numbers: most rates have a value
    assert assert_previous(pg_engine) == 0

    # the later year first, then the previous year arrives: the later year's rows get it
    assert loader.load(*failing_report(rnd, YANSHAN, "蚌峨乡", 2023)).status == "inserted"
    assert previous_of(pg_engine, "蚌峨乡", 2023) == {(None,)}
    assert loader.load(*failing_report(rnd, YANSHAN, "蚌峨乡", 2022)).status == "inserted"
    assert previous_of(pg_engine, "蚌峨乡", 2023) == {(report_id(pg_engine, "蚌峨乡", 2022),)}
    assert assert_previous(pg_engine) == 7

    # several years of agencies in one batch (one statement): each finds the one before it
    batch = [failing_report(rnd, region, agency, year) for region, agency in ((YANSHAN, "平远镇"), (RENHE, "仁和镇"))
             for year in (2024, 2021, 2022, 2023)]
    assert {o.status for o in loader.load_many(batch)} == {"inserted"}
    assert previous_of(pg_engine, "平远镇", 2024) == {(report_id(pg_engine, "平远镇", 2023),)}
    assert assert_previous(pg_engine) == 7 * (1 + 3 + 3)
    # by hand, three years in one INSERT, newest first, the previous years of stored ones too
    cols = [r[0] for r in rows(pg_engine, "SELECT column_name FROM information_schema.columns "
                               "WHERE table_name = 'reports' AND column_name <> 'id'")]
    same = ", ".join(f"r.{c}" if c != "year" else "y.year" for c in cols)
    write(pg_engine, f"INSERT INTO reports ({', '.join(cols)}) SELECT {same} FROM reports r "
          "CROSS JOIN (VALUES (2020), (2019), (2018)) y(year) "
          "WHERE r.agency_id = (SELECT id FROM agencies WHERE name LIKE '%仁和镇%') AND r.year = 2021 "
          "ORDER BY y.year DESC")
    assert previous_of(pg_engine, "仁和镇", 2021) == {(report_id(pg_engine, "仁和镇", 2020),)}
    assert previous_of(pg_engine, "仁和镇", 2019) == {(report_id(pg_engine, "仁和镇", 2018),)}
    assert assert_previous(pg_engine) == 7 * (1 + 3 + 6)

    # a replacement: the next year's previous value follows the new numbers
    before = kept(pg_engine)
    assert loader.load(*failing_report(rnd, YANSHAN, "平远镇", 2022)).status == "updated"
    assert assert_previous(pg_engine) == 7 * 10
    changed = {k for k, v in kept(pg_engine).items() if before.get(k) != v}
    assert {(k[1]) for k in changed} <= {2022, 2023} and any(k[1] == 2023 for k in changed)

    # a headline number changed by hand: the same
    gone = report_id(pg_engine, "仁和镇", 2022)
    write(pg_engine, f"UPDATE reports SET s3_granted = s3_granted + 9, s3_total = s3_total + 40 WHERE id = {gone}")
    assert assert_previous(pg_engine) == 7 * 10

    # deleted: the next year's rows lose their previous year
    write(pg_engine, f"DELETE FROM reports WHERE id = {gone}")
    assert previous_of(pg_engine, "仁和镇", 2023) == {(None,)}
    assert assert_previous(pg_engine) == 7 * 8

    # moved to another year (into the gap): both its old and its new next year follow
    moved = report_id(pg_engine, "仁和镇", 2024)
    write(pg_engine, f"UPDATE reports SET year = 2022 WHERE id = {moved}")
    assert previous_of(pg_engine, "仁和镇", 2023) == {(moved,)}
    assert previous_of(pg_engine, "仁和镇", 2022) == {(report_id(pg_engine, "仁和镇", 2021),)}
    assert assert_previous(pg_engine) == 7 * 9

    # moved to another agency (two reports in one statement): the old and the new agency's rows
    write(pg_engine, "UPDATE reports SET agency_id = (SELECT id FROM agencies WHERE name LIKE '%蚌峨乡%') "
          "WHERE agency_id = (SELECT id FROM agencies WHERE name LIKE '%平远镇%') AND year IN (2021, 2024)")
    assert previous_of(pg_engine, "蚌峨乡", 2022) == {(report_id(pg_engine, "蚌峨乡", 2021),)}
    assert previous_of(pg_engine, "蚌峨乡", 2024) == {(report_id(pg_engine, "蚌峨乡", 2023),)}
    assert previous_of(pg_engine, "平远镇", 2022) == {(None,)}
    assert assert_previous(pg_engine) == 7 * 9
    # an update of nothing a rate reads writes nothing
    before = rows(pg_engine, "SELECT ctid, * FROM report_rates ORDER BY ctid")
    write(pg_engine, "UPDATE reports SET listed = NOT listed")
    assert rows(pg_engine, "SELECT ctid, * FROM report_rates ORDER BY ctid") == before

    # the minimum base: values and previous values below it become NULL, and back
    _base(pg_engine, 10**6)
    assert assert_previous(pg_engine) == 7 * 9
    assert rows(pg_engine, "SELECT count(*) FROM report_rates WHERE prev_value IS NOT NULL "
                "AND rate <> 'applications'") == [(0,)]
    _base(pg_engine, 5)
    assert rows(pg_engine, "SELECT count(*) FROM report_rates WHERE prev_value IS NOT NULL "
                "AND rate <> 'applications'")[0][0] > 0
    assert assert_previous(pg_engine) == 7 * 9
    assert rows(pg_engine, "SELECT count(*) FROM v_rates_long WHERE change <> 0")[0][0] > 0

    write(pg_engine, "TRUNCATE reports CASCADE")
    assert assert_previous(pg_engine) == 0


def test_0036_fills_the_previous_year_from_stored_reports_and_downgrades(pg_engine):
    rnd = random.Random(35)
    _base(pg_engine, 5)
    downgrade(pg_engine, "0035")
    plan = [(region, agency, year) for region, agency in ((YANSHAN, "者腊乡"), (RENHE, "太平乡"))
            for year in (2020, 2021, 2023, 2024)]
    Loader(pg_engine).load_many([failing_report(rnd, *p) for p in plan])  # loaded by the 0029 triggers
    before = Counter(rows(pg_engine, "SELECT * FROM v_rates_long"))
    assert sum(before.values()) == 7 * 8

    upgrade(pg_engine)
    assert current_revision(pg_engine) == head_revision()
    assert assert_previous(pg_engine) == 7 * 4  # 2021 and 2024 of each
    assert Counter(rows(pg_engine, "SELECT * FROM v_rates_long")) == before
    assert any(v is not None for (_, y, _), (_, _, _, v) in kept(pg_engine).items() if y == 2021)

    downgrade(pg_engine, "0035")
    assert "prev_value" not in {c["name"] for c in sa.inspect(pg_engine).get_columns("report_rates")}
    assert Counter(rows(pg_engine, "SELECT * FROM v_rates_long")) == before
    Loader(pg_engine).load(*failing_report(rnd, YANSHAN, "者腊乡", 2022))  # the 0029 triggers again
    assert sum(Counter(rows(pg_engine, "SELECT * FROM v_rates_long")).values()) == 7 * 9
    upgrade(pg_engine)
    assert assert_previous(pg_engine) == 7 * 6
