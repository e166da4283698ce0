"""Migrations from an empty database, the catalog sync, and ensure_schema."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from gxcrawler import catalog
from gxcrawler.db import SchemaError, current_revision, ensure_schema, head_revision, make_engine, upgrade
from gxcrawler.db.migrate import downgrade, sync_metrics
from gxcrawler.db.models import metadata

TABLES = {
    "agencies",
    "agency_aliases",
    "reports",
    "report_values",
    "report_pictures",
    "check_results",
    "metrics",
    "documents",
    "fetches",
    "fetch_aliases",  # migration 0022: redirecting document links
    "crawl_runs",
    "analytics_settings",
    "check_reviews",
}


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_engine(request, tmp_path):
    if request.param == "postgresql":
        engine = make_engine(request.getfixturevalue("pg_url"))
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    yield engine
    engine.dispose()


def expected_tables(engine) -> set[str]:
    """Cell sums, failed identities, rank values: tables kept by triggers on PostgreSQL (cell
    sums computed when read on SQLite, ranks by a window)."""
    kept = {"cell_sums", "failed_identities", "rank_values_county", "rank_values_city", "report_rates"}
    return TABLES | (kept if engine.dialect.name == "postgresql" else set())


def tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_creates_every_table_and_fills_metrics(empty_engine):
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert tables(empty_engine) == expected_tables(empty_engine)
    with empty_engine.connect() as conn:
        rows = {r.key: r for r in conn.execute(sa.text("SELECT * FROM metrics"))}
    assert set(rows) == set(catalog.METRICS)
    m = catalog.METRICS["s3.denied.state_secret.total"]
    got = rows[m.key]
    assert (got.section, got.row_key, got.column_key) == ("s3", "denied.state_secret", "total")
    assert (got.row_label, got.column_label, got.table_label) == (m.row_label, m.column_label, m.table_label)
    assert bool(got.in_2019) and bool(got.in_2021)
    old_only = rows["s2.art20_9.procurement.amount"]
    assert old_only.editions == "2019" and not old_only.in_2021
    assert rows["s2.art20_1.normative.new_made"].row_label_2019 == "规范性文件"


def test_downgrade_then_upgrade_round_trip(empty_engine):
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert tables(empty_engine) == set()
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert tables(empty_engine) == expected_tables(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM metrics")).scalar_one() == len(catalog.METRICS)


def test_upgrade_resyncs_metric_labels(empty_engine):
    upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(sa.text("UPDATE metrics SET row_label = 'stale' WHERE key = 's4.review.total'"))
        conn.execute(sa.text("DELETE FROM metrics WHERE key = 's4.review.upheld'"))
    assert sync_metrics(empty_engine) == 2
    with empty_engine.connect() as conn:
        label = conn.execute(
            sa.text("SELECT row_label FROM metrics WHERE key = 's4.review.total'")
        ).scalar_one()
        assert conn.execute(sa.text("SELECT count(*) FROM metrics")).scalar_one() == len(catalog.METRICS)
    assert label == catalog.METRICS["s4.review.total"].row_label
    assert sync_metrics(empty_engine) == 0


def test_models_and_migrations_agree(pg_url):
    """The migrated PostgreSQL schema is exactly the models' (no missing column or index)."""
    engine = make_engine(pg_url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    engine.dispose()
    assert diff == []


def test_ensure_schema_refuses_or_migrates(empty_engine):
    with pytest.raises(SchemaError, match="gxcrawler db upgrade"):
        ensure_schema(empty_engine, auto=False)
    assert tables(empty_engine) == set()
    ensure_schema(empty_engine, auto=True)
    assert current_revision(empty_engine) == head_revision()
    ensure_schema(empty_engine, auto=False)  # up to date: no error


def test_ensure_schema_reads_the_environment(empty_engine, monkeypatch):
    monkeypatch.setenv("GXCRAWLER_AUTO_MIGRATE", "0")
    with pytest.raises(SchemaError):
        ensure_schema(empty_engine)
    monkeypatch.setenv("GXCRAWLER_AUTO_MIGRATE", "1")
    ensure_schema(empty_engine)
    assert current_revision(empty_engine) == head_revision()


def test_ensure_schema_rejects_a_database_from_newer_code(empty_engine):
    upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    with pytest.raises(SchemaError, match="unknown to this version"):
        ensure_schema(empty_engine, auto=True)


def test_parallel_crawls_migrate_once(empty_engine):
    """Several crawl processes start at once on an empty database: one migrates, none fails."""
    errors: list[BaseException] = []

    def start():
        try:
            ensure_schema(make_engine(empty_engine.url.render_as_string(hide_password=False)), auto=True)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert current_revision(empty_engine) == head_revision()
    with empty_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM metrics")).scalar_one() == len(catalog.METRICS)


def test_0003_upgrades_a_loaded_database_in_place_and_downgrades_to_0002(empty_engine):
    """Headlines computed by the migration from stored cells equal the loader's; the
    downgrade gives 0002's report_values columns and views back, with the same numbers."""
    from gxcrawler.db import Loader
    from tests.analytics.expected import HEADLINES  # the headlines of 0002-0003 (0009 adds two)
    from tests.db.test_loader import expected_headlines, stored_headlines
    from tests.fixtures.db import make_report

    upgrade(empty_engine)
    batch = [make_report(agency, year, seed=seed) for seed, (agency, year) in enumerate(
        [("蚌峨乡", 2019), ("蚌峨乡", 2021), ("平远镇", 2022), ("阿猛镇", 2023)]
    )]
    del batch[1][0].values["s3.denied.state_secret.total"]  # a group with a cell missing
    for key in [k for k in batch[2][0].values if k.startswith("s4.")]:
        del batch[2][0].values[key]  # no section 四: its headlines are NULL, not 0
    batch.append(make_report("八嘎乡", 2021, values={}, status="no_tables"))
    no_totals = {k: v for k, v in batch[3][0].values.items() if not k.endswith(".total")}
    batch.append(make_report("稼依镇", 2023, values=no_totals))  # checks, but no headline cell
    outcomes = Loader(empty_engine).load_many(batch)
    assert {o.status for o in outcomes} == {"inserted"}
    ids = [o.report_id for o in outcomes]
    loaded = {i: stored_headlines(empty_engine, i) for i in ids}
    assert [loaded[i] for i in ids] == [expected_headlines(r) for r, _, _ in batch]
    assert loaded[ids[2]]["s4_review"] is None and loaded[ids[4]]["s3_total"] is None
    assert loaded[ids[5]]["checks"] > 0 and loaded[ids[5]]["s3_new"] is None

    downgrade(empty_engine, "0002")
    assert current_revision(empty_engine) == "0002"
    with empty_engine.connect() as conn:
        cells = conn.execute(sa.text('SELECT key, section, "row", "column" FROM report_values')).all()
        old_view = {
            r.report_id: {c: None if r._mapping[c] is None else Decimal(str(r._mapping[c])) for c in HEADLINES}
            for r in conn.execute(sa.text("SELECT * FROM v_reports"))
        }
    assert cells and all(
        (s, r, c) == (catalog.METRICS[k].section, catalog.METRICS[k].row, catalog.METRICS[k].column)
        for k, s, r, c in cells
    )
    assert old_view == {i: {c: v for c, v in loaded[i].items() if c != "checks"} for i in ids}

    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert {i: stored_headlines(empty_engine, i) for i in ids} == loaded
    with empty_engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("report_values")}
    assert columns == {"report_id", "key", "value", "ocr", "picture"}  # ocr: migration 0013; picture: 0021
