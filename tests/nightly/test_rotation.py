"""The nightly rotation dealt evenly, and dead links asked on a rotation (issue 16: the cost of a night)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from gxcrawler.crawl import store
from gxcrawler.crawl.incremental import SKIP, decide, due_for_revalidation, rotation_slots, rotation_start

DAY = 20_000  # days since the epoch
#: the project's rotations (gxcrawler/settings.py): documents with validators, without, dead links, lists
ROTATIONS = {"GX_REVALIDATE_EVERY": 28, "GX_REFETCH_EVERY": 7, "GX_GONE_RETRY_EVERY": 7, "GX_LIST_REVISIT_EVERY": 7}


def test_each_night_gets_its_even_share_and_each_url_comes_once_a_period():
    urls = [f"http://a.gov.cn/zfxxgk/{i}.shtml" for i in range(110)]
    slots = rotation_slots(((u, 28) for u in urls), "panzhihua")
    nights = [[u for u in urls if due_for_revalidation(u, 28, DAY + d, slots[u])] for d in range(28)]
    assert {len(n) for n in nights} <= {3, 4}  # 110 / 28, never more; by the hash alone some nights had 9
    assert Counter(u for n in nights for u in n) == Counter(urls)  # every URL exactly once in 28 nights
    by_hash = [sum(due_for_revalidation(u, 28, DAY + d) for u in urls) for d in range(28)]
    assert max(by_hash) > 4  # what the dealing fixes (this set of URLs)


def test_periods_are_dealt_apart_and_a_period_of_one_is_every_night():
    slots = rotation_slots([("http://a/1", 7), ("http://a/2", 28), ("http://a/3", 1)], "a")
    assert set(slots) == {"http://a/1", "http://a/2"}
    assert due_for_revalidation("http://a/3", 1, DAY, slots.get("http://a/3"))


def _portal(rnd: random.Random, name: str) -> tuple[dict[str, store.Known], dict[str, store.KnownList]]:
    """A portal's store: documents with and without validators, a few dead links, list pages."""
    host = f"http://{name}.gov.cn"
    known = {}
    for i in range(rnd.randint(5, 150)):
        url = f"{host}/xxgk/{i}.html"
        known[url] = store.Known(url=url, etag='"e"' if rnd.random() < 0.6 else None, last_modified=None,
                                 sha256="ab", settled=True, gone=rnd.random() < 0.03)
    lists = {f"{host}/list_{i}.html": store.KnownList(f"{host}/list_{i}.html", "cd", (), None, False)
             for i in range(rnd.randint(1, 12))}
    return known, lists


def _nights(state, known: dict[str, store.Known], lists: dict[str, store.KnownList]) -> list[list[str]]:
    """The URLs each of 28 nights asks, by the slots the crawl dealt (``state``)."""
    every = ROTATIONS["GX_LIST_REVISIT_EVERY"]
    return [[u for u, k in known.items() if due_for_revalidation(u, state.period(k), DAY + d, state.slots.get(u))]
            + [u for u in lists if due_for_revalidation(u, every, DAY + d, state.list_slots.get(u))]
            for d in range(28)]


def test_the_portals_heavy_nights_do_not_fall_together():
    """Each portal's rotations start on a night of their own (a hash of the spider's name): over 300
    portals the busiest night asks 1 % more than the mean night. Dealt from the same night, every
    portal's ⌈n/N⌉ nights — and the one night in 7 its few dead links are asked — fell together: the
    busiest night asked a fifth more than the mean. Each portal's rotation still asks each of its URLs
    once in each of its periods."""
    from scrapy.utils.test import get_crawler

    from gxcrawler.crawl.incremental import IncrementalState
    from spiders.yanshan import YanshanSpider

    state = IncrementalState.of(get_crawler(YanshanSpider, {**ROTATIONS, "GX_FETCH_FLUSH_SECONDS": 0}))
    rnd = random.Random(16)
    total, together = Counter(), Counter()
    for i in range(300):
        name = f"portal_{i:03d}"
        known, lists = _portal(rnd, name)
        state.open(object(), SimpleNamespace(name=name), None, known, lists)  # as a crawl starts: slots dealt
        nights = _nights(state, known, lists)
        for url, times in Counter(u for night in nights for u in night).items():
            every = state.period(known[url]) if url in known else ROTATIONS["GX_LIST_REVISIT_EVERY"]
            assert times == 28 // every, url  # once in each period (28 nights: 1 or 4 periods)
        assert len({u for night in nights for u in night}) == len(known) + len(lists)
        total.update({d: len(night) for d, night in enumerate(nights)})
        # the same portal dealt from night 0, as before the offsets
        state.slots = {u: (s - rotation_start(name, state.period(known[u]))) % state.period(known[u])
                       for u, s in state.slots.items()}
        state.list_slots = {u: (s - rotation_start(f"{name} lists", 7)) % 7 for u, s in state.list_slots.items()}
        together.update({d: len(night) for d, night in enumerate(_nights(state, known, lists))})
    mean = sum(total.values()) / 28
    assert sum(together.values()) == sum(total.values())
    assert max(total.values()) / mean <= 1.05  # 1.010 (this history)
    assert max(together.values()) / mean > 1.15  # 1.202: what the offsets fix


def test_an_overdue_document_is_checked_whatever_its_slot():
    now = datetime(2026, 11, 30, 2, tzinfo=UTC)
    day = int(now.timestamp() // 86400)
    known = store.Known(url="http://a/1", etag='"e"', last_modified=None, sha256="ab", settled=True,
                        checked_at=now - timedelta(days=1))
    slot_tomorrow = (-(day + 1)) % 28
    assert decide(known, revalidate_every=28, refetch_every=7, now=now, slot=slot_tomorrow) == SKIP
    old = store.Known(url="http://a/1", etag='"e"', last_modified=None, sha256="ab", settled=True,
                      checked_at=now - timedelta(days=28))
    assert decide(old, revalidate_every=28, refetch_every=7, now=now, slot=slot_tomorrow) != SKIP


def test_a_dead_link_is_gone_and_a_failing_one_is_not(db_engine):
    rows = [{"url": f"http://a.gov.cn/{code}.shtml", "spider": "s", "kind": "report", "outcome": "failed",
             "status_code": code, "message": f"http_{code}"} for code in (404, 410, 500)]
    rows.append({"url": "http://a.gov.cn/t.shtml", "spider": "s", "kind": "report", "outcome": "failed",
                 "message": "timeout"})
    store.record_failures(db_engine, rows, run_id=None)
    known = store.known_fetches(db_engine, "s")
    assert {u for u, k in known.items() if k.gone} == {"http://a.gov.cn/404.shtml", "http://a.gov.cn/410.shtml"}
    assert not any(k.settled for k in known.values())


def test_a_soft_404_is_gone_and_a_maintenance_page_is_not(db_engine):
    """A page saying the document does not exist (信息不存在, 页面不存在, 已删除: a 404 served as 200, as
    every family simulation lists three) is a dead link like a 404: asked again on its rotation, not every
    night. A maintenance, login, challenge or empty page stays a transient failure, asked the next night."""
    rows = [{"url": f"http://a.gov.cn/{name}.shtml", "spider": "s", "kind": "report", "outcome": "failed",
             "status_code": 200, "message": message}
            for name, message in (("soft", "soft_404: 信息不存在"), ("deleted", "soft_404: 信息已删除"),
                                  ("maintenance", "maintenance: 系统维护中"), ("login", "login: a password form"),
                                  ("empty", "empty: HTTP 200, 0 bytes"))]
    store.record_failures(db_engine, rows, run_id=None)
    known = store.known_fetches(db_engine, "s")
    assert {u for u, k in known.items() if k.gone} == {"http://a.gov.cn/soft.shtml", "http://a.gov.cn/deleted.shtml"}
    assert not any(k.settled for k in known.values())
    assert store.is_gone("refused", 200, "soft_404: 页面不存在")  # the loader's refusal of the same page
    assert not store.is_gone("unchanged", 200, "soft_404: 页面不存在")  # settled: not a failure at all


def test_pages_leading_to_a_stored_document_are_settled_at_the_end_unless_written_or_failed():
    """A page downloaded tonight whose document the store already holds (PowerEasy's ``Item/N.aspx`` when
    ``ShowArticle.asp?ArticleID=N`` had led to the file) is written as ``unchanged`` when the crawl ends —
    it was never written before and so downloaded again every night. A page whose own record was written
    meanwhile (it gave a report: the loader's outcome stands) or that failed is left as it is."""
    from scrapy.utils.test import get_crawler

    from gxcrawler.crawl.incremental import IncrementalState
    from spiders.yanshan import YanshanSpider

    state = IncrementalState.of(get_crawler(YanshanSpider, {"GX_FETCH_FLUSH_EVERY": 1000}))
    state.engine, state.spider_name = object(), "s"  # as open() sets them; nothing is flushed below
    page = {"url": "http://a.gov.cn/Item/1.aspx", "spider": "s", "kind": "report", "sha256": "ab", "outcome": None}
    own = {**page, "url": "http://a.gov.cn/Item/2.aspx"}
    failed = {**page, "url": "http://a.gov.cn/Item/3.aspx"}
    state.settle_later([page, own, failed])
    assert not state._records  # not before the end
    state.record([own])  # its item left the pipelines: its record is written as the loader sees it
    state.record_failure({"url": failed["url"], "kind": "report", "outcome": "failed", "message": "unreadable: x"})
    state._release_settled()  # what drain() does first when the crawl ends
    assert state._records[page["url"]]["outcome"] == "unchanged"
    assert state._records[own["url"]]["outcome"] is None
    assert failed["url"] not in state._records and failed["url"] in state._failures
