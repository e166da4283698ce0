"""``report_rates`` keeps the previous year right when two loaders write an agency's consecutive
years at the same time (review5, migration 0042).

Each writer's trigger reads ``reports`` as its own transaction sees it: without a lock, a loader
inserting year N+1 while another's year N is not yet committed stored N+1 without its previous
year, and the other's update of the next year's rows found none to update — once both committed,
``v_rates_long`` showed no ``prev_value`` and no ``change`` for N+1 although N is stored (a
distributed crawl loads one portal from several workers). Both orders are tried: the earlier year
held open while the later one loads, and the other way round.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from gxcrawler.db import Loader, reportrates
from tests.fixtures.db import RENHE, make_report
from tests.fixtures.histories import rows


@pytest.mark.parametrize("held, other", [(2021, 2022), (2022, 2021)])
def test_previous_year_kept_when_two_loaders_write_consecutive_years_at_once(pg_engine, held, other):
    Loader(pg_engine).load_many([make_report("仁和镇", 2020, region=RENHE)])  # the agency exists
    entered, release = threading.Event(), threading.Event()

    def hold(conn, report_id):  # noqa: ANN001, ARG001 - the loader's before_commit hook
        entered.set()
        release.wait(60)

    first = threading.Thread(
        target=lambda: Loader(pg_engine, before_commit=hold).load_many([make_report("仁和镇", held, region=RENHE)])
    )
    first.start()
    assert entered.wait(60)  # the held year is written, not committed
    second = threading.Thread(target=lambda: Loader(pg_engine).load_many([make_report("仁和镇", other, region=RENHE)]))
    second.start()
    second.join(3)  # done (no lock), or waiting for the first to commit (locked): either way go on
    release.set()
    first.join(60)
    second.join(60)

    by_year = {y: (rid, prev) for y, rid, prev in rows(
        pg_engine, "SELECT year, report_id, prev_report_id FROM v_rates_long WHERE rate = 'disclosure_rate'")}
    assert sorted(by_year) == [2020, 2021, 2022]
    assert by_year[2022][1] == by_year[2021][0]  # 2022 beside 2021
    assert by_year[2021][1] == by_year[2020][0]
    assert Counter(rows(pg_engine, "SELECT * FROM report_rates")) == Counter(rows(pg_engine, reportrates.LIVE_SQL))
