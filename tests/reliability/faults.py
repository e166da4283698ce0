"""A fault-injecting HTTP server: the portal simulations, with a fault on any URL the test chooses.

One process, one threaded server. Every request is answered by the simulation that
owns its host (``tests.simulations.server``), unless the test put a :class:`Fault`
on that URL (or on a URL prefix): then the fault answers, at the socket level when
the fault is about the connection itself (reset, truncated body, a server too slow
to answer). A fault may last for its first ``times`` requests only (``None``:
forever), so a test can let a URL fail twice and then recover.

The faults are the ways government servers misbehave (issue 9): HTTP errors,
``Retry-After``, empty 202s, truncated and corrupt bodies, resets, timeouts, soft 404s,
maintenance and login pages, challenges, redirects to internal addresses, zip bombs,
wrongly declared encodings, endless pagination, changed documents and missing
validators. The log records what was asked and what was done (``(t, method, url,
what)``), so a test can prove a URL was — or was never — requested.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from tests.simulations.base import PortalSimulation, SimResponse
from tests.simulations.server import URL_HEADER, SimulationServer

Normal = Callable[[], SimResponse]  # the simulation's own answer (without conditional headers)


@dataclass
class Fault:
    """How one URL misbehaves; subclasses say how. ``times``: the first N requests only."""

    times: int | None = field(default=None, kw_only=True)
    hits: int = field(default=0, init=False)
    label: str = field(default="", init=False)

    def active(self) -> bool:
        return self.times is None or self.hits < self.times

    def respond(self, handler: BaseHTTPRequestHandler, normal: Normal) -> str:
        """Answer on ``handler``; return what was done (for the log)."""
        return send(handler, self.response(normal))

    def response(self, normal: Normal) -> SimResponse:
        raise NotImplementedError


def send(handler: BaseHTTPRequestHandler, response: SimResponse, *, length: int | None = None,
         body: bytes | None = None) -> str:
    handler.send_response(response.status)
    for key, value in response.headers.items():
        if key.lower() not in ("content-length", "connection"):
            handler.send_header(key, value)
    data = response.body if body is None else body
    handler.send_header("Content-Length", str(len(data) if length is None else length))
    handler.end_headers()
    if handler.command != "HEAD" and response.status not in (204, 304):
        handler.wfile.write(data)
    return str(response.status)


# ---------------------------------------------------------------- the faults


@dataclass
class Status(Fault):
    """A plain HTTP answer: an error status, an empty 202, a 200 with the given page …"""

    status: int = 500
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})

    def response(self, normal: Normal) -> SimResponse:
        return SimResponse(self.status, self.body, dict(self.headers))


@dataclass
class RetryAfter(Fault):
    """503 with ``Retry-After`` (seconds) — the server says when to come back."""

    seconds: int = 1
    status: int = 503

    def response(self, normal: Normal) -> SimResponse:
        return SimResponse(self.status, b"busy", {"Retry-After": str(self.seconds), "Content-Type": "text/plain"})


@dataclass
class Reset(Fault):
    """The server resets the connection before answering."""

    def respond(self, handler: BaseHTTPRequestHandler, normal: Normal) -> str:
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.close_connection = True
        handler.connection.close()
        return "reset"


@dataclass
class Truncated(Fault):
    """The real document, but the connection drops after ``share`` of its announced bytes."""

    share: float = 0.4

    def respond(self, handler: BaseHTTPRequestHandler, normal: Normal) -> str:
        response = normal()
        cut = response.body[: int(len(response.body) * self.share)]
        send(handler, response, length=len(response.body), body=cut)
        handler.wfile.flush()
        handler.close_connection = True
        handler.connection.shutdown(socket.SHUT_RDWR)
        return "truncated"


@dataclass
class Slow(Fault):
    """The server answers only after ``seconds`` (longer than the crawl's DOWNLOAD_TIMEOUT)."""

    seconds: float = 5.0

    def respond(self, handler: BaseHTTPRequestHandler, normal: Normal) -> str:
        time.sleep(self.seconds)
        with contextlib.suppress(OSError):  # the client gave up long ago
            send(handler, normal())
        return "slow"


@dataclass
class Redirect(Fault):
    status: int = 302
    location: str = "http://127.0.0.1:5432/"

    def response(self, normal: Normal) -> SimResponse:
        return SimResponse(self.status, b"", {"Location": self.location})


@dataclass
class Corrupt(Fault):
    """A 200 with a document that cannot be read: a PDF cut short, announced as a whole one."""

    body: bytes = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n%% cut here"
    content_type: str = "application/pdf"

    def response(self, normal: Normal) -> SimResponse:
        return SimResponse(200, self.body, {"Content-Type": self.content_type})


@dataclass
class GzipBomb(Fault):
    """A small gzip body that inflates to ``inflated`` bytes of zeros."""

    inflated: int = 64 * 1024 * 1024
    _cache: bytes = field(default=b"", init=False, repr=False)

    def __post_init__(self) -> None:  # made before the crawl asks (it takes a while)
        chunk = b"\0" * (1024 * 1024)
        z = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: the gzip container
        parts = [z.compress(chunk) for _ in range(self.inflated // len(chunk))]
        self._cache = b"".join([*parts, z.flush()])

    def response(self, normal: Normal) -> SimResponse:
        return SimResponse(200, self._cache, {"Content-Type": "text/html", "Content-Encoding": "gzip"})


@dataclass
class Recoded(Fault):
    """The real page re-encoded (e.g. to GBK) while the header still declares ``declared``."""

    encoding: str = "gbk"
    declared: str = "utf-8"

    def response(self, normal: Normal) -> SimResponse:
        response = normal()
        text = response.body.decode("utf-8")
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("etag", "last-modified")}
        headers["Content-Type"] = f"text/html; charset={self.declared}"
        return SimResponse(response.status, text.encode(self.encoding), headers)


@dataclass
class NoValidators(Fault):
    """The real document without ``ETag``/``Last-Modified`` (servers that give none)."""

    def response(self, normal: Normal) -> SimResponse:
        response = normal()
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("etag", "last-modified")}
        return SimResponse(response.status, response.body, headers)


@dataclass
class Replaced(Fault):
    """Another body at this URL, keeping the real response's headers (validators included)."""

    body: bytes = b""
    content_type: str | None = None

    def response(self, normal: Normal) -> SimResponse:
        response = normal()
        headers = dict(response.headers)
        if self.content_type:
            headers["Content-Type"] = self.content_type
        return SimResponse(200, self.body, headers)


@dataclass
class EndlessList(Fault):
    """A list that never ends: the real first page, then pages ``index_N`` forever (prefix fault).

    Each generated page repeats the first page's items and links ``下一页`` to the next
    one; ``total_pages`` is what its pager script claims (``createPageHTML(N, …)``).
    """

    total_pages: int = 3_000_000

    def respond(self, handler: BaseHTTPRequestHandler, normal: Normal) -> str:
        url = handler.headers.get(URL_HEADER) or ""
        path = urlsplit(url).path
        name = path.rsplit("/", 1)[-1]
        n = int(name[6:-6]) + 1 if name.startswith("index_") and name.endswith(".shtml") else 1
        first = handler.server.gx_server.first_page(url)  # type: ignore[attr-defined]  # noqa: SLF001
        text = first.body.decode("utf-8")
        pager = (f'<div class="page"><a href="index_{n}.shtml" class="default_pgNext">下一页</a></div>'
                 f'<script>createPageHTML({self.total_pages}, {n - 1}, "index", "shtml");</script>')
        cut = text.find('<div class="page">')
        end = text.find("</script>", cut) + len("</script>") if cut >= 0 else -1
        text = text[:cut] + pager + text[end:] if cut >= 0 else text.replace("</body>", pager + "</body>")
        return send(handler, SimResponse(200, text.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"}))


# ---------------------------------------------------------------- pages servers send

SOFT_404 = "<html><head><title>提示信息</title></head><body><div class='msg'>信息不存在或已删除！</div><a href='/'>返回首页</a></body></html>".encode()
NOT_FOUND_200 = b"<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>"
MAINTENANCE = "<html><head><title>系统维护</title></head><body><h2>系统维护中，请稍后访问</h2></body></html>".encode("gbk")
LOGIN = ("<html><head><title>统一身份认证</title></head><body><form action='/sso/login' method='post'>用户名"
         "<input name='username'>密码<input type='password' name='password'><button>登录</button></form></body></html>").encode()
JSL_521 = (b"<html><body><script>document.cookie=('__jsl_clearance=1700000000.1|0|'+'x3f')+';max-age=3600;path=/';"
           b"location.href=location.pathname+location.search</script></body></html>")


def soft_404() -> Status:
    return Status(200, SOFT_404)


def maintenance() -> Status:
    return Status(200, MAINTENANCE, {"Content-Type": "text/html; charset=gbk"})


def login() -> Status:
    return Status(200, LOGIN)


def empty_202() -> Status:
    return Status(202, b"")


def empty_200() -> Status:
    return Status(200, b"")


def challenge_521() -> Status:
    return Status(521, JSL_521, {"Content-Type": "text/html", "Server": "nginx"})


# ---------------------------------------------------------------- the server


class FaultServer(SimulationServer):
    """The simulation server with per-URL faults; ``faults[url] = fault`` or ``prefix_faults[prefix]``."""

    def __init__(self, simulations: Iterable[PortalSimulation]):
        super().__init__(simulations)
        self.faults: dict[str, Fault] = {}
        self.prefix_faults: dict[str, Fault] = {}
        self.timed: list[tuple[float, str, str, str]] = []  # (time, method, url, what was done)
        self._httpd.gx_server = self  # type: ignore[attr-defined]
        self._httpd.handle_error = lambda request, address: None  # resets are what these tests are about

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self.prefix_faults.clear()

    def reset_counts(self) -> None:
        super().reset_counts()
        with self._lock:
            self.timed.clear()

    def fault_for(self, url: str) -> Fault | None:
        with self._lock:
            fault = self.faults.get(url)
            if fault is None:
                fault = next((f for p, f in self.prefix_faults.items() if url.startswith(p)), None)
            if fault is None or not fault.active():
                return None
            fault.hits += 1
            return fault

    def first_page(self, url: str) -> SimResponse:
        folder = url.rsplit("/", 1)[0] + "/index.shtml"
        return self.respond("GET", folder, {})

    def requested(self, url: str) -> list[str]:
        """What was done for each request of ``url``."""
        with self._lock:
            return [what for _, _, u, what in self.timed if u == url]

    def _handler_class(self):
        server = self
        base = super()._handler_class()

        class Handler(base):
            def _serve(self) -> None:
                url = self.headers.get(URL_HEADER) or f"http://{self.headers.get('Host', '')}{self.path}"
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fault = server.fault_for(url)
                if fault is None:
                    response = server.respond(self.command, url, dict(self.headers.items()), body)
                    what = send(self, response)
                else:
                    plain = {k: v for k, v in self.headers.items()
                             if k.lower() not in ("if-none-match", "if-modified-since")}
                    what = "fault:" + fault.respond(self, lambda: server.respond("GET", url, plain))
                status = int(what.removeprefix("fault:")) if what.removeprefix("fault:").isdigit() else 0
                with server._lock:
                    server.counts[url] += 1
                    server.log.append((self.command, url, status))
                    server.timed.append((time.monotonic(), self.command, url, what))

            do_GET = do_POST = do_HEAD = _serve

        return Handler
