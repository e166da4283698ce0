"""A column whose side navigation links the column itself (Yanshan's general and year columns) is a list
page like any other: recorded when read, so an unchanged night asks only the sub-lists due tonight
(issue 16, the cost of a night). Such pages were taken for "a list page that is also a document" and
never recorded, so every night read them and all their sub-lists."""

from __future__ import annotations

import subprocess

import pytest

from spiders.yanshan import YanshanSpider
from tests.fixtures.nightly import ROOT, Nightly, query, serve
from tests.fixtures.sim import DEFAULT_NIGHTS

pytestmark = pytest.mark.slow


@pytest.fixture()
def yanshan(tmp_path):
    yield from serve("yanshan", tmp_path)


def _lists(night: Nightly) -> set[str]:
    return {url for _, url, _ in night.responses() if "/pc/list" in url}


def _crawl(night: Nightly, db_url: str) -> None:
    proc = subprocess.run(night.command("--spider", "yanshan", settings=DEFAULT_NIGHTS), cwd=ROOT,
                          env=night.env(db_url), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]


def test_self_linked_columns_are_recorded_and_read_on_their_turn(yanshan, pg_url):
    _crawl(yanshan, pg_url)
    read = _lists(yanshan)
    assert len(read) >= 4, read  # the general column, its second page and the year columns
    recorded = {r.url for r in query(pg_url, "SELECT url FROM fetches WHERE kind = 'list'")}
    assert read <= recorded, read - recorded

    yanshan.reset()
    _crawl(yanshan, pg_url)
    again = _lists(yanshan)
    # the start page every night; of the others, the share due tonight (1 in GX_LIST_REVISIT_EVERY, dealt evenly)
    every = int(DEFAULT_NIGHTS["GX_LIST_REVISIT_EVERY"])
    assert len(again - set(YanshanSpider.columns)) <= -(-(len(read) - 1) // every), sorted(again)
    run = query(pg_url, "SELECT * FROM crawl_runs ORDER BY id")[-1]
    assert (run.outcome, run.reports_new, run.reports_changed) == ("success", 0, 0)
    assert run.reports_found == run.reports_unchanged == len(yanshan.sim.expected_reports())
