"""The pieces of distributed mode on the real Redis, without a crawl: queue codec, leases, host gate, claims."""

from __future__ import annotations

import time
from datetime import date, datetime
from decimal import Decimal

import pytest
from scrapy.http import FormRequest, Request
from scrapy.settings import Settings

from gxcrawler.crawl import codec
from gxcrawler.crawl.distributed import Coordination, Night
from gxcrawler.model import Region
from spiders.families.base import Column
from tests.fixtures.distributed import REDIS_URL


class _Spider:
    name = "unit"

    def parse_list(self, response):  # pragma: no cover - named, never called
        return []


def _coordination(prefix: str, lease: float = 30.0) -> Coordination:
    return Coordination(REDIS_URL, prefix, lease)  # a second worker of the same crawl: its own id


def test_a_request_survives_the_queue_as_json_with_the_projects_dataclasses():
    spider = _Spider()
    region = Region(province="四川省", city="攀枝花市", county="米易县", portal="panzhihua")
    meta = {"gx_kind": "list", "gx_column": Column(url="http://a.gov.cn/l/", region=region, extra={"start": True}),
            "gx_region": region, "gx_hints": {"published": date(2024, 1, 5), "year": 2023}, "gx_api": ("c1", 7),
            "gx_fetch_chain": [{"url": "http://a.gov.cn/1", "sha256": "ab"}], "when": datetime(2024, 1, 5, 8),
            "amount": Decimal("1.50")}
    request = FormRequest("http://a.gov.cn/l/", formdata={"page": "2"}, callback=spider.parse_list, meta=meta,
                          priority=3)
    data = codec.dumps(request.to_dict(spider=spider))
    assert "pickle" not in data and data.startswith("{")
    back = codec.loads(data.encode())
    from scrapy.utils.request import request_from_dict

    again = request_from_dict(back, spider=spider)
    assert isinstance(again, FormRequest) and again.body == request.body and again.priority == 3
    assert again.meta == meta  # dataclasses, tuples, dates and decimals come back as they were
    assert again.headers == request.headers


def test_credentials_never_reach_the_queue():
    spider = _Spider()
    request = Request("http://a.gov.cn/l/", callback=spider.parse_list,
                      headers={"Proxy-Authorization": "Basic c2VjcmV0", "Cookie": "sid=secret", "Referer": "http://a/"})
    headers = {k.lower() for k in codec.loads(codec.dumps(request.to_dict(spider=spider)))["headers"]}
    assert b"proxy-authorization" not in headers and b"cookie" not in headers
    assert b"referer" in headers


def test_the_queue_refuses_objects_it_cannot_rebuild_safely():
    class Foreign:
        pass

    with pytest.raises(TypeError):
        codec.dumps({"meta": {"x": Foreign()}})
    with pytest.raises(ValueError):
        codec.loads('{"__dc": "os:PathLike", "f": {}}')


def test_a_dead_workers_leases_go_back_to_the_queue(redis_prefix):
    from gxcrawler.crawl.distributed import Leases

    a, b = _coordination(redis_prefix, lease=1), _coordination(redis_prefix, lease=1)
    assert a.crawl == b.crawl  # the second joins the first's crawl

    class Crawler:  # what Leases needs of a crawler
        settings = Settings({"GXCRAWLER_REDIS_URL": REDIS_URL, "GX_REDIS_PREFIX": redis_prefix})
        engine = None

    la, lb = Leases(Crawler()), Leases(Crawler())
    la.coord, lb.coord = a, b
    la.attach("unit")
    lb.attach("unit")
    for i in range(3):
        a.server.zadd(la.queue, {f'{{"url": "http://a.gov.cn/{i}"}}': -i})
    popped = [la.pop(), la.pop()]
    assert all(popped) and a.server.zcard(la.queue) == 1 and a.server.hlen(la.inflight()) == 2
    assert lb.work_left()
    assert lb.reclaim_dead() == 0  # a is alive: its leases stay
    a.server.delete(a.alive_key(a.worker))  # a dies (its alive key expires)
    assert lb.reclaim_dead() == 2
    assert b.server.zcard(lb.queue) == 3 and not b.server.hlen(la.inflight())
    assert a.worker.encode() not in b.server.smembers(lb.members)


def test_a_hosts_gate_spaces_requests_from_every_worker(redis_prefix):
    from gxcrawler.crawl.distributed import HostGate

    gates = [HostGate(_coordination(redis_prefix), 0.2), HostGate(_coordination(redis_prefix), 0.2)]
    passed: list[int] = []
    key = f"{redis_prefix}:host:www.a.gov.cn"
    deadline = time.monotonic() + 10
    while len(passed) < 6 and time.monotonic() < deadline:
        for mw in gates:  # both workers ask as fast as they can
            if mw.wait_for("www.a.gov.cn") == 0:
                # the stamp the gate set (Redis' clock, ms): a loaded test process cannot skew it
                passed.append(int(mw.coord.server.get(key)))
        time.sleep(0.005)
    gaps = [b - a for a, b in zip(passed, passed[1:], strict=False)]
    assert len(passed) == 6 and min(gaps) >= 200, gaps
    assert gates[0].wait_for("www.b.gov.cn") == 0  # another host has its own gate


def test_portals_are_claimed_once_and_a_dead_workers_are_taken_over(redis_prefix):
    a, b = _coordination(redis_prefix), _coordination(redis_prefix)
    names = ["p1", "p2", "p3"]
    night_a, night_b = Night(a, names), Night(b, names)
    got_a = [night_a.next(), night_a.next()]
    got_b = night_b.next()
    assert [n for n, _ in got_a] + [got_b[0]] == names and all(seed for _, seed in [*got_a, got_b])
    assert night_b.next() == (None, True)  # p1, p2 still crawled by a live worker: wait
    night_a.mark_done("p1")
    a.server.delete(a.alive_key(a.worker))  # a dies during p2
    assert night_b.next() == ("p2", None)  # taken over; seeded only if nothing of it is left
    night_b.mark_done("p2")
    night_b.mark_done("p3")
    assert night_b.next() == (None, False)  # the night is over
    assert b.server.exists(b.key("finished"))
