"""HTTP(S) download handler that can redirect every request to a portal simulation, and where a
request passes its host's shared gate in distributed mode (``gxcrawler.crawl.distributed.HostGate``).

Why a download handler rather than an HTTP proxy: real start URLs mix ``http`` and
``https``; a proxy would have to terminate TLS (CONNECT) for the latter. Rewriting at
the download-handler level keeps every other layer of Scrapy untouched: the request
that middlewares, the scheduler, dupe filter, per-host download slots, robots.txt,
retries and the spider see is the *real* URL, and the response handed back carries
that real URL too. Only the bytes come from elsewhere.

When ``GXCRAWLER_SIMULATION_URL`` (setting or environment variable) is set, each
request is sent to ``{simulation}/{path}?{query}`` with the original absolute URL in
the ``X-Gxcrawler-Url`` header; otherwise the handler is Scrapy's normal HTTP/1.1
handler.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Request, Response

URL_HEADER = "X-Gxcrawler-Url"
SETTING = "GXCRAWLER_SIMULATION_URL"


def simulation_url(settings=None) -> str | None:
    """The simulation server's base URL from the setting, else the environment."""
    value = settings.get(SETTING) if settings is not None else None
    value = value or os.environ.get(SETTING)
    return value.rstrip("/") if value else None


def to_simulation(request: Request, base: str) -> Request:
    """The request as sent to the simulation server: same method, body, headers, query."""
    parts = urlsplit(request.url)
    target = base + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    meta = dict(request.meta)
    meta.pop("proxy", None)  # the simulation is local; never send it through a proxy
    headers = request.headers.copy()
    headers[URL_HEADER] = request.url
    headers.pop(b"Proxy-Authorization", None)
    return request.replace(url=target, headers=headers, meta=meta)


class SimulationAwareDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, optionally answering from the simulation server."""

    def __init__(self, crawler):
        from .distributed import HostGate

        super().__init__(crawler)
        self.simulation = simulation_url(crawler.settings)
        self.gate = HostGate.of(crawler)  # distributed mode: a host's delay shared by every worker

    async def download_request(self, request: Request) -> Response:
        if self.gate is not None:  # here, where the request leaves: nothing queues it after the gate
            await self.gate.pass_through(request)
        if not self.simulation:
            return await super().download_request(request)
        response = await super().download_request(to_simulation(request, self.simulation))
        return response.replace(url=request.url)
