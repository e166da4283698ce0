"""Region tree, roll-ups per county and city, missing reports: computed here from the known inputs."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa

from gxcrawler.agencies import canonical_agency, division_code
from gxcrawler.db.headlines import HEADLINES
from tests.fixtures.analytics import Known

D = Decimal


def query(engine, sql: str, **params) -> list[dict]:  # noqa: ANN001
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]


def num(value) -> Decimal | None:  # noqa: ANN001
    return None if value is None else D(str(value))


def kind(k: Known) -> str:
    return canonical_agency(k.result.agency, k.region).kind


def years_of(known: list[Known]) -> list[int]:
    """v_coverage's years: 2019 (the national tables) to the last, and earlier years with a report."""
    national = range(2019, max(k.year for k in known) + 1)
    return sorted(set(national) | {k.year for k in known})


def headline_sum(reports: list[Known], column: str) -> Decimal | None:
    cells = [k.result.values[key] for k in reports for key in HEADLINES[column] if key in k.result.values]
    return sum(cells, D(0)) if cells else None


def expected_rollup(known: list[Known], scope: str) -> dict[tuple, dict]:
    agencies = {k.agency: k for k in known}
    reported = {(k.agency, k.year): k for k in known}
    out = {}
    for year in years_of(known):
        groups: dict[tuple, list[str]] = defaultdict(list)
        for name, k in agencies.items():
            if any(a == name and y <= year for a, y in reported):  # known by this year
                area = (k.region.province, k.region.city) + ((k.region.county,) if scope == "county" else ())
                groups[area].append(name)
        for area, names in groups.items():
            here = [reported[(n, year)] for n in names if (n, year) in reported]
            missing = [agencies[n] for n in names if (n, year) not in reported]
            row = {
                "reports": len(here),
                "agencies_known": len(names),
                "agencies_missing": len(missing),
                "townships_missing": sum(kind(k) == "township" for k in missing),
                "departments_missing": sum(kind(k) == "department" for k in missing),
            }
            row |= {c: headline_sum(here, c) for c in HEADLINES}
            out[(*area, year)] = row
    return out


def test_region_tree_from_codes_and_kinds(analytics_pg):
    engine, known = analytics_pg
    rows = query(engine, "SELECT * FROM v_region_tree")
    got = {(r["level"], r["name"], r["code"], r["parent"], r["parent_code"], r["agency_kind"]) for r in rows}
    want = set()
    for k in known:
        code = division_code(k.region)
        province_code = code[:2] + "0000" if code else None
        city_code = code[:4] + "00" if code else None
        want |= {
            ("province", k.region.province, province_code, None, None, None),
            ("city", k.region.city, city_code, k.region.province, province_code, None),
            ("county", k.region.county, code, k.region.city, city_code, None),
            ("agency", k.agency, None, k.region.county, code, kind(k)),
        }
    assert got == want
    assert ("county", "仁和区", "510411", "攀枝花市", "510400", None) in got
    assert ("province", "云南省", "530000", None, None, None) in got
    assert {r["agency_kind"] for r in rows if r["level"] == "agency"} >= {"township", "department"}


def test_rollups_per_county_and_city_count_reports_coverage_and_sums(analytics_pg):
    engine, known = analytics_pg
    for scope in ("county", "city"):
        area = ("province", "city", "county") if scope == "county" else ("province", "city")
        rows = query(engine, f"SELECT * FROM v_rollup_{scope}")
        got = {
            tuple(r[c] for c in (*area, "year")): {
                c: (num(v) if c in HEADLINES else v) for c, v in r.items() if c not in (*area, "year", "division_code", "identities_failed")
            }
            for r in rows
        }
        want = expected_rollup(known, scope)
        assert got == want, scope
    # the set has gaps: an agency known from earlier years without a report
    assert any(r["agencies_missing"] for r in want.values())
    assert any(r["townships_missing"] for r in want.values())


def test_missing_reports_name_the_last_year_an_agency_reported(analytics_pg):
    engine, known = analytics_pg
    rows = query(engine, "SELECT agency, year, last_report_year, agency_kind FROM v_missing_reports")
    got = {(r["agency"], r["year"], r["last_report_year"]) for r in rows}
    reported = {(k.agency, k.year) for k in known}
    want = set()
    for agency in {a for a, _ in reported}:
        for year in years_of(known):
            earlier = [y for a, y in reported if a == agency and y < year]
            if earlier and (agency, year) not in reported:
                want.add((agency, year, max(earlier)))
    assert want and got == want


def test_rollup_cells_sum_every_cell_per_county_and_year(analytics_pg):
    engine, known = analytics_pg
    rows = query(engine, "SELECT county, year, key, reports, value FROM v_rollup_cells")
    got = {(r["county"], r["year"], r["key"]): (r["reports"], num(r["value"])) for r in rows}
    want: dict[tuple, tuple[int, Decimal]] = {}
    for k in known:
        for key, value in k.result.values.items():
            n, total = want.get((k.region.county, k.year, key), (0, D(0)))
            want[(k.region.county, k.year, key)] = (n + 1, total + value)
    assert got == want


def test_regions_on_sqlite(analytics_sqlite):
    engine, known = analytics_sqlite
    rows = query(engine, "SELECT * FROM v_rollup_county")
    got = {
        (r["province"], r["city"], r["county"], r["year"]): (r["reports"], r["agencies_known"], r["agencies_missing"], num(r["s3_new"]))
        for r in rows
    }
    want = {
        key: (v["reports"], v["agencies_known"], v["agencies_missing"], v["s3_new"])
        for key, v in expected_rollup(known, "county").items()
    }
    assert got == want
    assert {r["level"] for r in query(engine, "SELECT level FROM v_region_tree")} == {"province", "city", "county", "agency"}
