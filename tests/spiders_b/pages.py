"""Helpers for the spiders-b tests: simulated pages as Scrapy responses."""

from __future__ import annotations

from scrapy.http import HtmlResponse, Request, TextResponse

from tests.simulations.base import PortalSimulation


def fetch(sim: PortalSimulation, url: str, meta: dict | None = None) -> TextResponse:
    """What a spider callback would receive for ``url`` (no network, no server)."""
    answer = sim.handle("GET", url, {})
    assert answer.status == 200, (url, answer.status)
    kind = HtmlResponse if answer.headers.get("Content-Type", "").startswith("text/html") else TextResponse
    return kind(url=url, body=answer.body, headers=answer.headers, request=Request(url, meta=meta or {}),
                encoding="utf-8")
