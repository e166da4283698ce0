"""One threaded HTTP server answering for every simulated portal.

A request names the URL it really wants in the ``X-Gxcrawler-Url`` header (set by
``gxcrawler.crawl.transport``); without the header, ``Host`` + path is used, so a
browser pointed at the server with a Host override works too. The server dispatches
on that URL's host to the simulation owning it and adds what a real web server does
generically: conditional requests (``ETag``/``If-None-Match``,
``Last-Modified``/``If-Modified-Since`` → 304), ``HEAD``, a default ``robots.txt``,
and a 502 for hosts no simulation owns (like a proxy failing to connect).

Like a production web server it accepts a deep listen queue (``backlog``, 128 by default
as nginx's 511 or Linux's ``somaxconn``): the standard library's default of 5 overflowed
under a fast crawl, and the dropped connections (retried by the kernel after a second)
made the crawl look slow. ``latency`` (seconds) delays every answer, as the round trip
to a distant server does.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections import Counter
from collections.abc import Iterable
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .base import PortalSimulation, SimResponse

URL_HEADER = "X-Gxcrawler-Url"
ROBOTS = b"User-agent: *\nDisallow: /admin/\n"


def _not_modified(request_headers: dict[str, str], response: SimResponse) -> bool:
    headers = {k.lower(): v for k, v in response.headers.items()}
    etag = headers.get("etag")
    inm = request_headers.get("if-none-match")
    if etag and inm:
        return etag in {t.strip() for t in inm.split(",")} or inm.strip() == "*"
    lm, ims = headers.get("last-modified"), request_headers.get("if-modified-since")
    if lm and ims:
        try:
            return parsedate_to_datetime(lm) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, backlog: int) -> None:
        self.request_queue_size = backlog  # read by server_activate(): listen(backlog)
        super().__init__(address, handler)


class SimulationServer:
    """Serve ``simulations`` on 127.0.0.1; ``start()`` returns the base URL."""

    def __init__(self, simulations: Iterable[PortalSimulation], host: str = "127.0.0.1", port: int = 0,
                 *, backlog: int = 128, latency: float = 0.0):
        self.simulations = list(simulations)
        self.latency = latency
        self.by_host: dict[str, PortalSimulation] = {}
        self._takes_body: dict[int, bool] = {}
        for sim in self.simulations:
            for h in sim.hosts:
                self.by_host[h.lower()] = sim
            self._takes_body[id(sim)] = "body" in inspect.signature(sim.handle).parameters
        self.counts: Counter[str] = Counter()  # by absolute URL requested
        self.log: list[tuple[str, str, int]] = []  # (method, url, status)
        self._lock = threading.Lock()
        self._httpd = _Server((host, port), self._handler_class(), backlog)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> str:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="sim-server", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def reset_counts(self) -> None:
        with self._lock:
            self.counts.clear()
            self.log.clear()

    def requests_to(self, host: str) -> int:
        """How many requests went to URLs on ``host``."""
        with self._lock:
            return sum(n for url, n in self.counts.items() if urlsplit(url).hostname == host)

    def answer(self, method: str, url: str, headers: dict[str, str], body: bytes = b"") -> SimResponse:
        """The response for one request (also usable without sockets, e.g. in unit tests), logged."""
        response = self.respond(method, url, headers, body)
        with self._lock:
            self.counts[url] += 1
            self.log.append((method, url, response.status))
        return response

    def respond(self, method: str, url: str, headers: dict[str, str], body: bytes = b"") -> SimResponse:
        """The response for one request, not logged."""
        headers = {k.lower(): v for k, v in headers.items()}
        parts = urlsplit(url)
        sim = self.by_host.get((parts.hostname or "").lower())
        if sim is None:
            response = SimResponse(502, b"no simulation answers for this host", {"Content-Type": "text/plain"})
        else:
            verb = "GET" if method == "HEAD" else method
            if self._takes_body[id(sim)]:
                response = sim.handle(verb, url, headers, body=body)
            else:
                response = sim.handle(verb, url, headers)
            if response.status == 404 and parts.path == "/robots.txt":
                response = SimResponse(200, ROBOTS, {"Content-Type": "text/plain"})
            elif response.status == 200 and method in ("GET", "HEAD") and _not_modified(headers, response):
                keep = {k: v for k, v in response.headers.items() if k.lower() in ("etag", "last-modified")}
                response = SimResponse(304, b"", keep)
        return response

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                url = self.headers.get(URL_HEADER) or f"http://{self.headers.get('Host', '')}{self.path}"
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                response = server.answer(self.command, url, dict(self.headers.items()), body)
                if server.latency > 0:
                    time.sleep(server.latency)
                self.send_response(response.status)
                for key, value in response.headers.items():
                    if key.lower() not in ("content-length", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if self.command != "HEAD" and response.status not in (204, 304):
                    self.wfile.write(response.body)

            do_GET = do_POST = do_HEAD = _serve

            def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
                pass

        return Handler
