"""On SQLite the views show their values as numbers (review5, migration 0044).

``ExactDecimal`` stores a decimal string on SQLite (exactness) in a column of TEXT affinity; a view
showing it as it is compared text with a number literal ('10' > '5' is false) and ``max``/``min``
picked the highest-sorting string ('99' over '550'). Since 0044 the SQLite views cast every such
column to ``NUMERIC`` (``views.number``); the tables, and so the models, the loader and the exports,
still hold the exact strings. PostgreSQL's views are unchanged.
"""

from __future__ import annotations

import csv
from decimal import Decimal

import sqlalchemy as sa

from gxcrawler.db import Loader, make_engine, upgrade
from gxcrawler.db.migrate import downgrade
from gxcrawler.db.models import ReportValue
from gxcrawler.db.views import VIEWS, VIEWS_0040, changed_since
from gxcrawler.exports import LONG_NAME
from tests.analytics.test_exports import run_export
from tests.fixtures.db import RENHE, generated_values, make_report

#: amounts in 万元 whose float is not the decimal: they must come back exactly where Python reads them
AMOUNTS = {"s2.art20_8.fees.amount": Decimal("1287.35"), "s2.art20_9.procurement.amount": Decimal("209512.943")}

#: view columns that are text holding digits (codes, editions, dates), not numbers
TEXT_COLUMNS = {"division_code", "edition", "prev_edition", "published", "code", "parent_code"}


def _load(engine: sa.Engine) -> list:
    reports = [make_report("仁和镇", y, region=RENHE, seed=y) for y in (2021, 2022)]
    reports.append(make_report("仁和镇", 2023, region=RENHE, values={**generated_values("2021", 2023), **AMOUNTS}))
    Loader(engine).load_many(reports)
    return reports


def _number(x: object) -> Decimal | None:
    return None if x is None else Decimal(str(x))


def test_sqlite_views_compare_values_as_numbers(sqlite_engine):
    reports = _load(sqlite_engine)
    cells = sorted(v for r, _, _ in reports for k, v in r.values.items() if k.startswith("s3."))
    news = sorted(r.values["s3.new.total"] for r, _, _ in reports)
    with sqlite_engine.connect() as conn:
        def one(sql: str) -> object:
            return conn.execute(sa.text(sql)).scalar()

        def column(sql: str) -> list[Decimal | None]:
            return [_number(x) for x in conn.execute(sa.text(sql)).scalars()]

        assert one("SELECT count(*) FROM v_s3_long WHERE value > 5") == sum(1 for v in cells if v > 5)
        assert (_number(one("SELECT max(value) FROM v_s3_long")), _number(one("SELECT min(value) FROM v_s3_long"))) == (
            max(cells), min(cells))
        assert column("SELECT value FROM v_s3_long ORDER BY value") == cells
        # v_reports' headlines (s3_new is s3.new.total)
        assert one("SELECT count(*) FROM v_reports WHERE s3_new > 100") == sum(1 for v in news if v > 100)
        assert column("SELECT s3_new FROM v_reports ORDER BY s3_new") == news
        assert (_number(one("SELECT max(s3_new) FROM v_reports")), _number(one("SELECT min(s3_new) FROM v_reports"))) == (
            news[-1], news[0])
        # v_compare: both sides; v_failed_checks: both sides
        assert column("SELECT value FROM v_compare WHERE key LIKE 's3.%' ORDER BY value") == cells
        previous = sorted(v for r, _, _ in reports[:2] for k, v in r.values.items() if k.startswith("s3."))
        assert column("SELECT prev_value FROM v_compare WHERE key LIKE 's3.%' AND prev_value IS NOT NULL "
                      "ORDER BY prev_value") == previous
        failed = conn.execute(sa.text('SELECT "left", "right" FROM check_results WHERE NOT ok')).all()
        assert failed  # generated reports fail some identities
        lefts = sorted(Decimal(x) for x, _ in failed)
        assert column('SELECT "left" FROM v_failed_checks ORDER BY "left"') == lefts
        assert one('SELECT count(*) FROM v_failed_checks WHERE "right" > 5') == sum(1 for _, y in failed if Decimal(y) > 5)
        # the sums (one report per county, year and key: the sum is the cell) were numbers already
        assert one("SELECT count(*) FROM v_cell_sums WHERE section = 's3' AND value > 5") == sum(1 for v in cells if v > 5)
        assert one("SELECT count(*) FROM v_rollup_county WHERE s3_new > 100") == sum(1 for v in news if v > 100)
        assert _number(one("SELECT max(value) FROM v_rollup_cells WHERE key LIKE 's3.%'")) == max(cells)
        # a decimal amount: the view's number is the float nearest it, Python's repr of it the decimal
        assert _number(one("SELECT value FROM v_s2_long WHERE value = 1287.35")) == Decimal("1287.35")
        # no view shows a number as text any more
        for view in VIEWS:
            names = [row[1] for row in conn.exec_driver_sql(f"PRAGMA table_info({view})")]
            for name in set(names) - TEXT_COLUMNS:
                texts = one(f"SELECT count(*) FROM {view} WHERE typeof(\"{name}\") = 'text' "
                            f"AND trim(\"{name}\", '0123456789.-+eE') = ''")
                assert texts == 0, (view, name)


def test_python_reads_the_exact_values_on_sqlite(sqlite_engine, tmp_path):
    """The models, the loader and the exports read ``report_values``, not the views: exact."""
    _load(sqlite_engine)
    with sqlite_engine.connect() as conn:
        stored = dict(conn.execute(sa.select(ReportValue.key, ReportValue.value).where(ReportValue.key.in_(AMOUNTS))).all())
    assert stored == AMOUNTS and all(isinstance(v, Decimal) for v in stored.values())
    run_export(sqlite_engine, tmp_path, "csv")
    with (tmp_path / f"{LONG_NAME}.csv").open(encoding="utf-8", newline="") as f:
        exported = {r["key"]: r["value"] for r in csv.DictReader(f) if r["key"] in AMOUNTS}
    assert exported == {k: str(v) for k, v in AMOUNTS.items()}  # '1287.35', not 1287.3500000000001


def test_postgresql_views_are_unchanged(pg_url):
    """0044 changes SQLite's views only: PostgreSQL's definitions are those of 0043, byte for byte."""
    assert changed_since(VIEWS_0040, "postgresql") == {}
    engine = make_engine(pg_url)
    try:
        def definitions() -> dict[str, str]:
            with engine.connect() as conn:
                return dict(conn.execute(sa.text(
                    "SELECT viewname, pg_get_viewdef(viewname::regclass) FROM pg_views WHERE schemaname = 'public'"
                )).all())

        upgrade(engine, "0043")
        before = definitions()
        upgrade(engine)
        after = definitions()
        downgrade(engine, "0043")
        assert after == before == definitions() and set(VIEWS) <= set(before)
    finally:
        engine.dispose()


def test_sqlite_downgrade_gives_back_the_strings(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'gx.sqlite3'}")
    try:
        upgrade(engine)
        _load(engine)
        sql = "SELECT typeof(value) FROM v_s3_long LIMIT 1"
        with engine.connect() as conn:
            assert conn.exec_driver_sql(sql).scalar() == "integer"
        downgrade(engine, "0043")
        with engine.connect() as conn:
            assert conn.exec_driver_sql(sql).scalar() == "text"
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.exec_driver_sql(sql).scalar() == "integer"
    finally:
        engine.dispose()
