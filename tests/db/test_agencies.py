"""Agency names: the pure canonicalization, and aliases joining one agency in the database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gxcrawler.agencies import canonical_agency, division_code, normalize, region_prefix
from gxcrawler.db import Loader
from gxcrawler.model import Region
from tests.fixtures.db import RENHE, YANSHAN, make_report

XINYE = Region("河南省", "南阳市", "新野县", None, "xinye")
ZIBO = Region("山东省", "淄博市", "淄博经济开发区", None, "zibo")
DONGQU = Region("四川省", "攀枝花市", "东区", None, "panzhihua")
PANZHIHUA_CITY = Region("四川省", "攀枝花市", None, None, "panzhihua")
MIYI = Region("四川省", "攀枝花市", "米易县", None, "panzhihua")
LUONING = Region("河南省", "洛阳市", "洛宁县", None, "luoning")

# (raw spelling, region, canonical name, kind) — spellings from docs/spec/portals.md
CASES = [
    ("蚌峨乡", YANSHAN, "砚山县蚌峨乡人民政府", "township"),
    ("蚌峨乡人民政府", YANSHAN, "砚山县蚌峨乡人民政府", "township"),
    ("砚山县蚌峨乡人民政府", YANSHAN, "砚山县蚌峨乡人民政府", "township"),
    ("平远镇", YANSHAN, "砚山县平远镇人民政府", "township"),
    ("砚山县机关事务管理局", YANSHAN, "砚山县机关事务管理局", "department"),
    ("砚山县", YANSHAN, "砚山县人民政府", "county"),
    ("区政府办", RENHE, "攀枝花市仁和区人民政府办公室", "department"),
    ("仁和区人民政府办公室", RENHE, "攀枝花市仁和区人民政府办公室", "department"),
    ("攀枝花市仁和区人民政府办公室", RENHE, "攀枝花市仁和区人民政府办公室", "department"),
    ("仁和镇", RENHE, "攀枝花市仁和区仁和镇人民政府", "township"),
    ("攀枝花市仁和区仁和镇", RENHE, "攀枝花市仁和区仁和镇人民政府", "township"),
    ("攀枝花市仁和区太平乡", RENHE, "攀枝花市仁和区太平乡人民政府", "township"),
    ("攀枝花市仁和区中坝乡人民政府", RENHE, "攀枝花市仁和区中坝乡人民政府", "township"),
    ("攀枝花市仁和区", RENHE, "攀枝花市仁和区人民政府", "county"),
    ("攀枝花市东区银江镇", DONGQU, "攀枝花市东区银江镇人民政府", "township"),
    ("攀枝花市东区行政审批局", DONGQU, "攀枝花市东区行政审批局", "department"),
    ("米易县普威镇人民政府", MIYI, "米易县普威镇人民政府", "township"),
    ("麻陇彝族乡", MIYI, "米易县麻陇彝族乡人民政府", "township"),
    ("攀枝花市人民政府办公室", PANZHIHUA_CITY, "攀枝花市人民政府办公室", "department"),
    ("市政府办", PANZHIHUA_CITY, "攀枝花市人民政府办公室", "department"),
    ("新野县人民政府办公室", XINYE, "新野县人民政府办公室", "department"),
    ("县统计局", XINYE, "新野县统计局", "department"),
    ("新野县王庄镇人民政府", XINYE, "新野县王庄镇人民政府", "township"),
    ("新野县人民政府汉华街道办事处", XINYE, "新野县汉华街道办事处", "township"),
    ("汉华街道", XINYE, "新野县汉华街道办事处", "township"),
    ("经开区办公室", ZIBO, "淄博经济开发区管理委员会办公室", "department"),
    ("淄博经济开发区管理委员会办公室", ZIBO, "淄博经济开发区管理委员会办公室", "department"),
    ("淄博经济开发区 管委会办公室", ZIBO, "淄博经济开发区管理委员会办公室", "department"),
    ("洛宁县人民政府", LUONING, "洛宁县人民政府", "county"),
    ("洛宁县政府信息中心", LUONING, "洛宁县政府信息中心", "department"),
]


@pytest.mark.parametrize(("raw", "region", "name", "kind"), CASES)
def test_canonical_names(raw, region, name, kind):
    got = canonical_agency(raw, region)
    assert (got.name, got.kind) == (name, kind)
    assert got.name.endswith(got.short)


@pytest.mark.parametrize(("raw", "region", "name", "kind"), CASES)
def test_canonicalization_is_idempotent(raw, region, name, kind):
    assert canonical_agency(canonical_agency(raw, region).name, region).name == name


def test_the_same_township_in_two_counties_stays_two_agencies():
    other = Region("云南省", "文山壮族苗族自治州", "丘北县")
    assert canonical_agency("蚌峨乡", YANSHAN).name != canonical_agency("蚌峨乡", other).name


def test_districts_keep_their_city_so_east_districts_differ():
    assert region_prefix(DONGQU) == "攀枝花市东区"
    assert region_prefix(YANSHAN) == "砚山县"
    assert region_prefix(ZIBO) == "淄博经济开发区"
    assert region_prefix(PANZHIHUA_CITY) == "攀枝花市"


def test_full_width_and_spaces_are_folded():
    assert normalize(" 蚌峨乡\u3000人民政府 ") == "蚌峨乡人民政府"
    assert canonical_agency("蚌峨乡 人民政府", YANSHAN).name == "砚山县蚌峨乡人民政府"


def test_division_codes():
    assert division_code(RENHE) == "510411"
    assert division_code(YANSHAN) == "532622"
    assert division_code(XINYE) == "411329"
    assert division_code(LUONING) == "410328"
    assert division_code(DONGQU) == "510402"
    assert division_code(PANZHIHUA_CITY) == "510400"
    assert division_code(ZIBO) is None  # a development zone has no GB/T 2260 code
    assert division_code(Region("江苏省", "某市", "东区")) is None  # another city's 东区
    assert division_code(Region(county="砚山县", division_code="999999")) == "999999"  # the spider's wins


def test_three_spellings_load_as_one_agency(db_engine):
    loader = Loader(db_engine)
    outcomes = loader.load_many(
        [
            make_report("蚌峨乡", 2021),
            make_report("蚌峨乡人民政府", 2022),
            make_report("砚山县蚌峨乡人民政府", 2023),
        ]
    )
    assert [o.status for o in outcomes] == ["inserted"] * 3
    assert len({o.agency_id for o in outcomes}) == 1
    with db_engine.connect() as conn:
        agency = conn.execute(sa.text("SELECT * FROM agencies")).one()
        aliases = set(
            conn.execute(
                sa.text("SELECT alias FROM agency_aliases WHERE agency_id = :a"), {"a": agency.id}
            ).scalars()
        )
        years = conn.execute(sa.text("SELECT year FROM reports ORDER BY year")).scalars().all()
    assert (agency.name, agency.kind, agency.county, agency.division_code) == (
        "砚山县蚌峨乡人民政府",
        "township",
        "砚山县",
        "532622",
    )
    assert aliases == {"蚌峨乡", "蚌峨乡人民政府", "砚山县蚌峨乡人民政府"}
    assert years == [2021, 2022, 2023]


def test_renhe_names_group_into_agencies(db_engine):
    loader = Loader(db_engine)
    spellings = [
        ("区政府办", 2020),
        ("仁和区人民政府办公室", 2021),
        ("攀枝花市仁和区人民政府办公室", 2022),
        ("仁和镇", 2020),
        ("攀枝花市仁和区仁和镇", 2021),
        ("攀枝花市仁和区", 2023),
    ]
    outcomes = loader.load_many([make_report(a, y, region=RENHE) for a, y in spellings])
    assert [o.status for o in outcomes] == ["inserted"] * 6
    with db_engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT a.name, a.kind, count(*) FROM reports r JOIN agencies a ON a.id = r.agency_id "
                "GROUP BY a.name, a.kind"
            )
        ).all()
    assert {(n, k): c for n, k, c in rows} == {
        ("攀枝花市仁和区人民政府办公室", "department"): 3,
        ("攀枝花市仁和区仁和镇人民政府", "township"): 2,
        ("攀枝花市仁和区人民政府", "county"): 1,
    }


def test_an_alias_row_merges_a_spelling_the_rules_cannot(db_engine):
    """麻陇乡 vs 麻陇彝族乡: an analyst adds one alias row; later loads join the agency."""
    loader = Loader(db_engine)
    first = loader.load(*make_report("麻陇彝族乡", 2020, region=MIYI))
    with db_engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO agency_aliases (alias, agency_id) VALUES (:a, :i)"),
            {"a": "米易县麻陇乡人民政府", "i": first.agency_id},
        )
    second = Loader(db_engine).load(*make_report("米易县麻陇乡", 2021, region=MIYI))
    assert second.status == "inserted"
    assert second.agency_id == first.agency_id
    assert second.agency == "米易县麻陇彝族乡人民政府"


def _alias_inserts(engine, work) -> int:  # noqa: ANN001
    """How many statements inserting alias rows ``work()`` sent."""
    sent: list[str] = []

    def listen(conn, cursor, statement, *args):  # noqa: ANN001, ANN002
        sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        work()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    return sum("INSERT INTO agency_aliases" in s for s in sent)


def test_a_new_loader_inserts_no_alias_row_it_finds_stored(pg_engine):
    """A re-crawl's new ``Loader`` (its agency cache empty) resolves its batch's agencies with the
    stored alias rows of their spellings, and sends no INSERT when every (spelling, agency) row is
    stored; a new spelling, or a spelling stored only for another agency, is still inserted."""
    batch = [make_report("蚌峨乡", 2021), make_report("蚌峨乡人民政府", 2022)]
    assert _alias_inserts(pg_engine, lambda: Loader(pg_engine).load_many(batch)) == 1
    again = [make_report("蚌峨乡", 2021), make_report("蚌峨乡人民政府", 2022)]
    outcomes: list = []
    assert _alias_inserts(pg_engine, lambda: outcomes.extend(Loader(pg_engine).load_many(again))) == 0
    assert [o.status for o in outcomes] == ["unchanged"] * 2

    with pg_engine.begin() as conn:  # a spelling stored for another agency only: its row for this one is new
        other = conn.execute(sa.text(
            "INSERT INTO agencies (name, short_name, kind) VALUES ('另一个机关', '另一个机关', 'other') RETURNING id")).scalar()
        conn.execute(sa.text("INSERT INTO agency_aliases (alias, agency_id) VALUES ('砚山县蚌峨乡政府', :a)"),
                     {"a": other})
    newer = [make_report("蚌峨乡", 2021), make_report("砚山县蚌峨乡政府", 2023)]
    outcomes = []
    assert _alias_inserts(pg_engine, lambda: outcomes.extend(Loader(pg_engine).load_many(newer))) == 1
    assert [o.status for o in outcomes] == ["unchanged", "inserted"]
    with pg_engine.connect() as conn:
        rows = set(conn.execute(sa.text("SELECT alias, agency_id FROM agency_aliases")).all())
    agency = outcomes[0].agency_id
    assert {("蚌峨乡", agency), ("蚌峨乡人民政府", agency), ("砚山县蚌峨乡人民政府", agency),
            ("砚山县蚌峨乡政府", agency), ("砚山县蚌峨乡政府", other)} == rows
