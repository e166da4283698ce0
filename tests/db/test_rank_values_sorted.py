"""The rank triggers' plain sort (0041) gives the arrays 0027's merge gave, write by write.

Since 0041 ``rank_values_insert`` sorts a partition's values with the statement's (no window,
no count per value: nothing is taken out) and ``rank_values_update`` does so for each partition
it takes no value from (``gxcrawler.db.ranks``: ``FUNCTIONS`` against ``FUNCTIONS_0027``); the
arrays are stored uncompressed (``SORTED_STORAGE``). A database at head and one at the revision
before get the same seeded history — first loads in batches into partitions that already have
values, replacements one by one and in a batch, reports moved to another year, another county
and another city by multi-row UPDATEs (partitions that only gain, only lose, or both in one
statement), rates set to NULL and back, values swapped between two reports, deletions that
empty partitions, new loads into them, a partition of hundreds of values (stored out of line)
written by hand, an agency moved, the minimum base changed — and after every step
``rank_values_county`` / ``rank_values_city`` are the same rows in both (each array element by
element, as numbers and as text), equal to their live query, and the rank views the same rows.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
import sqlalchemy as sa

from gxcrawler.db import Loader, make_engine, ranks, upgrade
from gxcrawler.db.migrate import downgrade
from gxcrawler.model import Region
from tests.fixtures.db import RENHE, YANSHAN
from tests.fixtures.histories import CITY, YEARS, failing_report, load_in_batches, refusing, rows, write
from tests.fixtures.pg import create_database, drop_database

#: more agencies to a county than the shared histories have, so that partitions hold tens of
#: values (ties among them) and a batch meets values already stored; a second county in
#: 攀枝花市, and a city of its own
DONGQU = Region("四川省", "攀枝花市", "东区", None, "panzhihua")
HUIZE = Region("云南省", "曲靖市", "会泽县", None, "huize")
AGENCIES = tuple(
    (region, f"{name}{suffix}")
    for region, names in ((YANSHAN, "甲乙丙丁戊己"), (RENHE, "庚辛壬癸子丑"), (DONGQU, "寅卯辰巳"), (HUIZE, "午未申酉"))
    for name in names
    for suffix in ("乡", "镇")
) + ((CITY, "攀枝花市审计局"), (CITY, "攀枝花市财政局"))

TABLES = {scope: (ranks.table(scope), ", ".join((*ranks.SCOPES[scope], "year", "rate"))) for scope in ranks.SCOPES}


def stored(engine) -> dict[str, list[tuple]]:  # noqa: ANN001
    """Both tables' rows in key order, each array as numbers and as text."""
    return {
        table: rows(engine, f"SELECT *, sorted::text FROM {table} ORDER BY {key}") for table, key in TABLES.values()
    }


def assert_same(old, new) -> int:  # noqa: ANN001
    """The tables identical in both, equal to their live rows; the rank views the same rows.
    Returns how many values the tables hold."""
    before, after = stored(old), stored(new)
    assert before == after
    for (table, _), live in zip(TABLES.values(), (ranks.LIVE_COUNTY, ranks.LIVE_CITY), strict=True):
        assert Counter(r[:-1] for r in after[table]) == Counter(rows(new, live)), table
    for view in ("v_rate_ranks_county", "v_rate_ranks_city"):
        sql = f"SELECT * FROM {view}"
        assert Counter(rows(old, sql)) == Counter(rows(new, sql)), view
    return sum(r[-3] for r in after["rank_values_city"])


def functions(engine) -> dict[str, str]:  # noqa: ANN001
    with engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'rank\\_values\\_%'")).all())


def _installed(source: dict[str, str], bodies: dict[str, str]) -> bool:
    return all(bodies[name] in source[name] for name in bodies)


#: the revision before the sort (0041): 0027's functions, ``sorted`` stored EXTENDED
BEFORE = "0040"


def storage(engine) -> set[str]:  # noqa: ANN001
    """``sorted``'s storage in both tables (pg_attribute.attstorage: x EXTENDED, e EXTERNAL)."""
    with engine.connect() as conn:
        return set(conn.execute(sa.text(
            "SELECT attstorage FROM pg_attribute WHERE attname = 'sorted' "
            "AND attrelid IN ('rank_values_county'::regclass, 'rank_values_city'::regclass)")).scalars())


@pytest.fixture()
def old_engine(pg_server):  # noqa: ANN001
    """A second database at the revision before 0041."""
    url = create_database("gxc_test_ranks0027")
    engine = make_engine(url)
    try:
        upgrade(engine, BEFORE)
        yield engine
    finally:
        engine.dispose()
        drop_database(url)


@pytest.mark.parametrize("seed", [5, 6])
def test_sorted_when_nothing_goes_gives_the_merged_arrays(pg_engine, old_engine, seed):
    old, new = old_engine, pg_engine
    assert _installed(functions(old), ranks.FUNCTIONS_0027) and _installed(functions(new), ranks.FUNCTIONS)
    assert storage(old) == {"x"} and storage(new) == {"e"}
    assert ranks.FUNCTIONS["rank_values_insert"] != ranks.FUNCTIONS_0027["rank_values_insert"]
    engines = (old, new)
    loaders = {e: Loader(e) for e in engines}

    def each(*statements: str | tuple[str, dict]) -> int:
        for e in engines:
            write(e, *statements)
        return assert_same(old, new)

    rnd = random.Random(seed)
    each("UPDATE analytics_settings SET value = '5' WHERE name = 'rate_min_base'")
    plan = [(region, agency, year) for region, agency in AGENCIES for year in YEARS if rnd.random() < 0.8]
    rnd.shuffle(plan)  # a batch's reports spread over partitions that already have values
    first, later = plan[: len(plan) * 2 // 3], plan[len(plan) * 2 // 3 :]
    items = [failing_report(rnd, *p) for p in first]
    for e in engines:
        load_in_batches(loaders[e], items, 11)
    assert assert_same(old, new) > 300
    # the second crawl: new reports into full partitions, a batch at a time
    items = [failing_report(rnd, *p) for p in later]
    for e in engines:
        load_in_batches(loaders[e], items, 13)
    assert_same(old, new)
    assert max(r[-3] for r in stored(new)["rank_values_city"]) >= 15  # a city-year: ~20 values
    # replacements one by one (the UPDATE takes the old values out: the merge), then in a batch
    again = [failing_report(rnd, *p) for p in rnd.sample(plan, k=12)]
    for e in engines:
        assert {loaders[e].load(*item).status for item in again} == {"updated"}
    assert_same(old, new)
    mixed = [failing_report(rnd, *p) for p in rnd.sample(plan, k=8)]
    for e in engines:
        assert {o.status for o in loaders[e].load_many(mixed)} == {"updated"}
        assert refusing(e).load(*failing_report(random.Random(seed), *plan[0])).status == "failed"
    assert_same(old, new)

    ids = [r[0] for r in rows(new, "SELECT id FROM reports ORDER BY id")]
    assert ids == [r[0] for r in rows(old, "SELECT id FROM reports ORDER BY id")]
    picks = rnd.sample(ids, 24)
    # to years no report has: partitions that only gain (a plain sort, a new row) and only lose
    each(f"UPDATE reports SET year = year + 20 WHERE id IN ({', '.join(map(str, picks[:4]))})")
    # to an agency of another county and city with no report that year: both kinds in one statement
    each(*(
        (
            "UPDATE reports r SET agency_id = (SELECT a.id FROM agencies a WHERE a.name LIKE :name) WHERE r.id = :id "
            "AND NOT EXISTS (SELECT 1 FROM reports x JOIN agencies a ON a.id = x.agency_id "
            "WHERE a.name LIKE :name AND x.year = r.year)",
            {"id": i, "name": f"%{name}%"},
        )
        for i, name in zip(picks[4:8], ("午乡", "寅镇", "甲乡", "攀枝花市财政局"), strict=True)
    ))
    # one statement that moves some reports' year and changes others' numbers
    each(
        f"UPDATE reports SET year = CASE WHEN id IN ({picks[8]}, {picks[9]}) THEN year + 30 ELSE year END, "
        f"s3_granted = CASE WHEN id IN ({picks[10]}, {picks[11]}) THEN s3_granted + 3 ELSE s3_granted END "
        f"WHERE id IN ({', '.join(map(str, picks[8:12]))})"
    )
    # a rate's terms to NULL (values only taken out), then back (values only added)
    each(f"UPDATE reports SET s3_total = NULL, s3_new = NULL WHERE id IN ({', '.join(map(str, picks[12:16]))})")
    each(f"UPDATE reports SET s3_total = 77, s3_new = 41 WHERE id IN ({', '.join(map(str, picks[12:16]))})")
    # two reports' numbers swapped (what goes comes back), and a tie made
    a, b, c = picks[16:19]
    each(
        "UPDATE reports t SET s3_granted = o.s3_granted, s3_partial = o.s3_partial, s3_denied = o.s3_denied, "
        "s3_total = o.s3_total, s3_new = o.s3_new, s3_carried_in = o.s3_carried_in "
        f"FROM reports o WHERE (t.id, o.id) IN (({a}, {b}), ({b}, {a}), ({c}, {a}))"
    )
    each("UPDATE reports SET listed = NOT listed")  # no rate's column: nothing recomputed
    # deletions: some reports, then every report of a county (its partitions emptied, rows gone)
    each(f"DELETE FROM reports WHERE id IN ({', '.join(map(str, picks[19:24]))})")
    each("DELETE FROM reports WHERE agency_id IN (SELECT id FROM agencies WHERE county = '东区')")
    assert not [r for r in stored(new)["rank_values_county"] if r[0] == "东区"]
    # new loads into the emptied partitions
    items = [failing_report(rnd, DONGQU, agency, year) for region, agency in AGENCIES if region == DONGQU for year in YEARS]
    for e in engines:
        load_in_batches(loaders[e], items, 9)
    assert [r for r in stored(new)["rank_values_county"] if r[0] == "东区"]
    assert_same(old, new)
    # a partition of hundreds of values (an array stored out of line), by multi-row INSERTs by hand:
    # a new partition, then values into it, then some changed, some deleted
    each(
        "INSERT INTO agencies (name, short_name, kind, province, city, county) SELECT '攀枝花市第' || g || '局', "
        "'第' || g || '局', 'department', '四川省', '攀枝花市', CASE WHEN g % 3 = 0 THEN '东区' END "
        "FROM generate_series(1, 360) g"
    )
    numbers = (
        "s3_new, s3_carried_in, s3_total, s3_granted, s3_partial, s3_denied, s4_review, s4_review_corrected, "
        "s4_suits, s4_suits_corrected"
    )
    big = (
        f"INSERT INTO reports (agency_id, year, sha256, parsed_at, status, warnings, blank, checks_failed, listed, "
        f"fingerprint, {numbers}) SELECT a.id, 2040, (SELECT min(sha256) FROM documents), now(), 'ok', '[]', '[]', "
        "0, true, 'by hand ' || a.id, a.id % 97, a.id % 5, 30 + a.id % 71, a.id % 31, a.id % 7, a.id % 11, "
        "a.id % 40, a.id % 9, 30 + a.id % 13, a.id % 6 FROM agencies a WHERE a.name LIKE '攀枝花市第%局' "
        "AND a.id % 2 = {odd}"
    )
    each(big.format(odd=0))
    each(big.format(odd=1))
    assert max(r[-3] for r in stored(new)["rank_values_city"]) >= 300
    each("UPDATE reports SET s3_granted = s3_granted + 1, year = CASE WHEN id % 5 = 0 THEN 2041 ELSE year END "
         "WHERE year = 2040 AND id % 3 = 0")
    each("DELETE FROM reports WHERE year IN (2040, 2041) AND id % 4 = 0")
    each("UPDATE agencies SET county = '会泽县', city = '曲靖市', province = '云南省' WHERE name LIKE '%辰乡%'")
    each("UPDATE analytics_settings SET value = '20' WHERE name = 'rate_min_base'")
    items = [failing_report(rnd, HUIZE, agency, 2031) for region, agency in AGENCIES if region == HUIZE]
    for e in engines:
        load_in_batches(loaders[e], items, 5)
    assert assert_same(old, new) > 300


def test_0041_installs_the_sort_and_its_downgrade_the_merge(pg_engine):
    assert _installed(functions(pg_engine), ranks.FUNCTIONS) and storage(pg_engine) == {"e"}
    downgrade(pg_engine, BEFORE)
    assert _installed(functions(pg_engine), ranks.FUNCTIONS_0027) and storage(pg_engine) == {"x"}
    upgrade(pg_engine)
    assert _installed(functions(pg_engine), ranks.FUNCTIONS) and storage(pg_engine) == {"e"}
