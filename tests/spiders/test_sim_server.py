"""The simulation server behaves like a production one under a fast crawl."""

from __future__ import annotations

import socket
import time
import urllib.request
from contextlib import ExitStack

from tests.simulations.registry import simulation
from tests.simulations.server import URL_HEADER, SimulationServer


def test_listen_queue_holds_a_burst_of_connections_while_the_server_is_busy():
    server = SimulationServer([simulation("panzhihua")])  # listening, but not accepting yet
    host, port = server._httpd.server_address[:2]
    try:
        with ExitStack() as stack:
            for _ in range(100):  # the standard library's queue of 5 drops all but ~6 of these
                sock = stack.enter_context(socket.create_connection((host, port), timeout=2))
                assert sock.getpeername()[1] == port
    finally:
        server._httpd.server_close()  # never served: nothing to shut down


def test_latency_delays_every_answer():
    server = SimulationServer([simulation("panzhihua")], latency=0.3)
    server.start()
    try:
        request = urllib.request.Request(server.url + "/robots.txt",
                                         headers={URL_HEADER: "http://www.screnhe.gov.cn/robots.txt"})
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200
        assert time.monotonic() - started >= 0.3
    finally:
        server.stop()
