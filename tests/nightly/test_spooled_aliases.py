"""Redirect aliases still waiting to be written when the database is gone at the end of a crawl are
spooled with the run's other pending rows and written by the next start, with the time they were
followed (not the time they were written), so the links are not due again a night late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scrapy.utils.test import get_crawler

from gxcrawler.crawl import store
from gxcrawler.crawl.incremental import IncrementalState
from gxcrawler.crawl.spool import Spool, replay_rows
from spiders.yanshan import YanshanSpider


def test_an_alias_not_written_at_the_end_is_spooled_and_written_by_the_next_start(pg_engine, tmp_path):
    state = IncrementalState.of(get_crawler(YanshanSpider))
    state.engine, state.spider_name = pg_engine, "yanshan"  # as open() sets them; nothing is flushed yet
    link, target = "http://www.yanshan.gov.cn/view/1.html", "https://yanshan.gov.cn/view/1.html"
    before = datetime.now(UTC)
    state.record_alias(link, target)
    pending = state.unwritten()
    assert [(r["url"], r["target"]) for r in pending["aliases"]] == [(link, target)]

    spool = Spool(tmp_path, "yanshan")  # what the runner does with unwritten() when the database is gone
    for what, rows in pending.items():
        if rows:
            spool.put_rows(what, {"run_id": None, "rows": rows})
    assert not store.known_aliases(pg_engine, "yanshan")

    assert replay_rows(spool, pg_engine) == 1  # the next start
    (alias,) = store.known_aliases(pg_engine, "yanshan").values()
    assert (alias.url, alias.target) == (link, target)
    assert before <= alias.checked_at <= before + timedelta(seconds=5)
    assert spool.empty()
