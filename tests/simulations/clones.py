"""Many portals out of the seven CMS-family simulations: each clone answers under host names of its own.

Used by ``benchmarks/distributed.py`` (a registry of 1,000 portals) and by the tests that crawl many
portals in one process (``tests/distributed/test_pool.py``).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .base import SimResponse
from .registry import FAMILIES, simulation

#: bodies whose host names are rewritten (their ETag dropped: the bytes changed); "/xml" and "+xml", not
#: "xml": a .docx (``application/vnd.openxmlformats-…``) is a binary whose ETag must stay
TEXT_TYPES = ("text/", "json", "javascript", "/xml", "+xml")


class Clone:
    """A family simulation answering under other host names: ``p0042-<host>`` for each of its hosts."""

    def __init__(self, sim, index: int, times: dict[str, list[float]], lock: threading.Lock) -> None:
        self.sim = sim
        self.name = f"p{index:04d}"
        self.to_clone = {h: f"{self.name}-{h}" for h in sim.hosts}
        self.to_real = {v: k for k, v in self.to_clone.items()}
        self.hosts = tuple(self.to_clone.values())
        self.start_url = self._rewrite_url(sim.start_url, self.to_clone)
        # one pass, longest host first, not inside a longer name: file.xczw.gov.cn is not xczw.gov.cn
        alternatives = b"|".join(re.escape(h.encode()) for h in sorted(sim.hosts, key=len, reverse=True))
        self._hosts = re.compile(rb"(?<![\w.-])(?:" + alternatives + rb")(?![\w-])")
        self.times, self.lock = times, lock

    @staticmethod
    def _rewrite_url(url: str, mapping: dict[str, str]) -> str:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if host not in mapping:
            return url
        netloc = parts.netloc.replace(host, mapping[host])
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    def rewrite(self, url: str) -> str:
        """``url`` of the family simulation as this clone serves it (under its own hosts)."""
        return self._rewrite_url(url, self.to_clone)

    def handle(self, method: str, url: str, headers: dict[str, str], body: bytes = b"") -> SimResponse:
        with self.lock:
            self.times[urlsplit(url).hostname or ""].append((time.monotonic(), url))
        # the request as the family's own portal would get it: its URLs under the family's hosts (a VSB download
        # checks that the Referer is its own host; the clone's name there made every download an error page)
        headers = {k: (self._rewrite_url(v, self.to_real) if k.lower() in ("referer", "origin") else v)
                   for k, v in headers.items()}
        response = self.sim.handle(method, self._rewrite_url(url, self.to_real), headers, body=body)
        ctype = next((v for k, v in response.headers.items() if k.lower() == "content-type"), "")
        if response.body and any(t in ctype for t in TEXT_TYPES):
            data = self._hosts.sub(lambda m: self.to_clone[m.group(0).decode()].encode(), response.body)
            # the family's ETag named the bytes before the rewrite: one over the bytes served instead (it
            # was dropped, so every page of a clone lost the validator its family gives it and was
            # downloaded again on each revalidation)
            headers_out = {k: (f'"{hashlib.sha1(data).hexdigest()[:16]}"' if k.lower() == "etag" else v)
                           for k, v in response.headers.items()}
            response = SimResponse(response.status, data, headers_out)
        elif response.status in (301, 302, 303, 307, 308):
            hdrs = dict(response.headers)
            for k, v in hdrs.items():
                if k.lower() == "location":
                    hdrs[k] = self._rewrite_url(v, self.to_clone)
            response = SimResponse(response.status, response.body, hdrs)
        return response


def registry(clones: list[Clone], path: Path) -> None:
    lines = ["\t".join(("id", "name", "province", "city", "county", "code", "family", "spider", "start_urls",
                        "notes"))]
    for c in clones:
        region = getattr(c.sim, "region", None) or getattr(c.sim, "REGION", None)
        province = getattr(region, "province", None) or "某省"
        lines.append("\t".join((c.name, f"{c.sim.name} clone {c.name}", province, "", "", "", "auto", "",
                                c.start_url, f"benchmark clone of {c.sim.name}")))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def clones(n: int, times: dict[str, list] | None = None, lock: threading.Lock | None = None) -> list[Clone]:
    """``n`` portals: portal *i* is family *i mod 7* under its own hosts (``times``: each host's requests)."""
    from collections import defaultdict

    times = defaultdict(list) if times is None else times
    lock = lock or threading.Lock()
    sims = [simulation(name) for name in FAMILIES]
    return [Clone(sims[i % len(sims)], i, times, lock) for i in range(n)]
