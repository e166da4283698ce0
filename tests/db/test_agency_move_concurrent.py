"""An agency's region changed while a loader writes one of its reports: ``cell_sums`` and the rank
values follow the agency whichever commits first (review5, migration 0043).

The agency's triggers moved the cells and partitions of the reports their transaction saw, and the
loader's added its report's to the region its transaction saw; the update of the region columns and
the foreign key's lock on the agency row do not conflict, so neither waited for the other: the
report's cells stayed in the old county's ``v_cell_sums`` rows and its rates in the old county's
ranking. Both orders: the load held open while the region changes, and the other way round.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from gxcrawler.db import Loader, cellsums, ranks
from tests.fixtures.db import RENHE, make_report
from tests.fixtures.histories import rows, write

MOVE = "UPDATE agencies SET county = '新区' WHERE name LIKE '%仁和镇%'"


def assert_current(engine) -> None:  # noqa: ANN001
    cells = "SELECT county, city, province, year, edition, key, reports, value FROM cell_sums"
    assert Counter(rows(engine, cells)) == Counter(rows(engine, cellsums.LIVE_SQL))
    assert Counter(rows(engine, "SELECT * FROM rank_values_county")) == Counter(rows(engine, ranks.LIVE_COUNTY))
    assert Counter(rows(engine, "SELECT * FROM rank_values_city")) == Counter(rows(engine, ranks.LIVE_CITY))
    # 2021: 太平乡 alone in 仁和区, 仁和镇 in 新区
    assert rows(engine, "SELECT county, reports FROM v_cell_sums WHERE key = 's3.new.total' AND year = 2021 "
                "ORDER BY county") == [("仁和区", 1), ("新区", 1)]


def _loaded(engine) -> None:  # noqa: ANN001
    Loader(engine).load_many([make_report("仁和镇", 2020, region=RENHE), make_report("太平乡", 2021, region=RENHE)])


def test_region_changed_while_a_report_of_the_agency_loads(pg_engine):
    _loaded(pg_engine)
    entered, release = threading.Event(), threading.Event()

    def hold(conn, report_id):  # noqa: ANN001, ARG001 - the loader's before_commit hook
        entered.set()
        release.wait(60)

    load = threading.Thread(
        target=lambda: Loader(pg_engine, before_commit=hold).load_many([make_report("仁和镇", 2021, region=RENHE)])
    )
    load.start()
    assert entered.wait(60)  # the report and its cells written, not committed
    move = threading.Thread(target=lambda: write(pg_engine, MOVE))
    move.start()
    move.join(3)  # done (nothing waits), or waiting for the load to commit: either way go on
    release.set()
    load.join(60)
    move.join(60)
    assert_current(pg_engine)


@pytest.mark.parametrize("commit", [True, False])
def test_report_loaded_while_the_agency_region_changes(pg_engine, commit):
    _loaded(pg_engine)
    with pg_engine.connect() as conn:
        conn.begin()
        conn.execute(sa.text(MOVE))  # the region changed, not committed
        load = threading.Thread(target=lambda: Loader(pg_engine).load_many([make_report("仁和镇", 2021, region=RENHE)]))
        load.start()
        load.join(3)  # done (nothing waits), or waiting for the change to end: either way go on
        if commit:
            conn.commit()
        else:
            conn.rollback()
    load.join(60)
    if commit:
        assert_current(pg_engine)
    else:  # the change rolled back: 仁和镇 still in 仁和区
        cells = "SELECT county, city, province, year, edition, key, reports, value FROM cell_sums"
        assert Counter(rows(pg_engine, cells)) == Counter(rows(pg_engine, cellsums.LIVE_SQL))
        assert Counter(rows(pg_engine, "SELECT * FROM rank_values_county")) == Counter(rows(pg_engine, ranks.LIVE_COUNTY))
        assert rows(pg_engine, "SELECT county, reports FROM v_cell_sums WHERE key = 's3.new.total' AND year = 2021") \
            == [("仁和区", 2)]
