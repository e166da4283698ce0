"""Security guards: the crawler talks only to the portals it was told about, over the web.

Promises (docs/reliability.md, SECURITY):

* no request to a loopback, private, link-local, reserved or multicast address —
  neither as a literal IP in a URL (:class:`RequestGuardMiddleware`) nor through a
  host name that resolves to one (:class:`GuardedResolver`, checked on the address
  the connection will actually use, so DNS rebinding does not slip through);
* only the spider's hosts: ``allowed_domains`` plus its declared
  ``attachment_domains`` (file hosts), whatever ``dont_filter`` says (this replaces
  Scrapy's offsite filter, which lets ``dont_filter`` requests through);
* only the default port of the scheme, or a port the spider's own start URLs use
  (a redirect to ``http://portal:8080/`` or ``:5432`` is refused);
* every check runs on every request, redirects included (a redirect is a new
  request through the same middlewares).

A refused request is recorded by the ledger (``blocked: …``) and never sent.
``GX_ALLOW_PRIVATE_ADDRESSES = True`` lifts the address check for an operator who
crawls a portal mirror on a private network. The portal simulation the project's
transport talks to (``GXCRAWLER_SIMULATION_URL``) is configuration, not a crawled
URL: its own address is exempt.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from twisted.internet.error import DNSLookupError

from .ledger import BLOCKED_HOSTS, Ledger
from .transport import simulation_url

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}


def is_public_address(address: str) -> bool:
    """Whether ``address`` (an IP literal) is a public internet address."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return True  # not an IP literal: a name, judged once resolved
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # is_global excludes loopback, private, link-local, shared (CGNAT), reserved, unspecified …
    return ip.is_global and not ip.is_multicast


def _host_allowed(host: str, domains: list[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


class RequestGuardMiddleware:
    """Downloader middleware (45, before everything that could send): scheme, address, host, port."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.ledger = Ledger.of(crawler)
        self.allow_private = crawler.settings.getbool("GX_ALLOW_PRIVATE_ADDRESSES", False)
        self._domains: list[str] | None = None
        self._ports: set[tuple[str, int]] = set()

    @classmethod
    def from_crawler(cls, crawler):
        guard = cls(crawler)
        # judged when scheduled too, like Scrapy's offsite filter (which this replaces), so that
        # a refused redirect is recorded rather than silently dropped
        crawler.signals.connect(guard.request_scheduled, signal=signals.request_scheduled)
        return guard

    def request_scheduled(self, request, spider=None) -> None:
        self.process_request(request)

    def _spider_scope(self) -> tuple[list[str], set[tuple[str, int]]]:
        if self._domains is None:
            spider = self.crawler.spider
            domains = [*(getattr(spider, "allowed_domains", None) or ()), *getattr(spider, "attachment_domains", ())]
            self._domains = [d.lower().lstrip(".") for d in domains if d]
            starts = [c if isinstance(c, str) else getattr(c, "url", "") for c in getattr(spider, "columns", ())]
            starts += list(getattr(spider, "start_urls", ()) or ())
            for url in starts:
                parts = urlsplit(url)
                if parts.hostname and parts.port:
                    self._ports.add((parts.hostname.lower(), parts.port))
            if not self._domains:
                logger.warning("spider %s declares no allowed_domains: any public host may be requested",
                               getattr(spider, "name", "?"))
        return self._domains, self._ports

    def why_refused(self, url: str) -> str | None:
        """Why ``url`` must not be requested, or None."""
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        if scheme not in DEFAULT_PORTS:
            return f"blocked: scheme {scheme or '(none)'} is not http(s)"
        if not host:
            return "blocked: no host"
        if not self.allow_private and not is_public_address(host):
            return f"blocked: {host} is not a public internet address"
        domains, ports = self._spider_scope()
        if domains and not _host_allowed(host, domains):
            return f"blocked: {host} is not one of the spider's hosts"
        try:
            port = parts.port
        except ValueError:
            return "blocked: invalid port"
        if port is not None and port != DEFAULT_PORTS[scheme] and (host, port) not in ports:
            return f"blocked: port {port} of {host} is not the portal's"
        return None

    def process_request(self, request, spider=None) -> Any:
        if request.meta.get("gx_guard_passed") == request.url:
            return None  # judged when it was scheduled
        reason = self.why_refused(request.url)
        if reason:
            self.crawler.stats.inc_value("gx/guard/blocked")
            raise self.ledger.refuse(request, reason)
        request.meta["gx_guard_passed"] = request.url
        return None


class PrivateAddressError(DNSLookupError):
    """A host name resolved to an address the crawler must not connect to."""


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing names that resolve to non-public addresses.

    Installed with ``TWISTED_DNS_RESOLVER``; every connection of the crawl resolves
    through it, literal IPs included, so the check sees the address actually used.
    """

    def __init__(self, reactor, cache_size: int, timeout: float, *, allow_private: bool = False,
                 exempt: frozenset[str] = frozenset()):
        super().__init__(reactor, cache_size, timeout)
        self.allow_private = allow_private
        self.exempt = exempt

    @classmethod
    def from_crawler(cls, crawler, reactor):
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        sim = simulation_url(settings)
        exempt = frozenset({urlsplit(sim).hostname or ""} if sim else set())
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"),
                   allow_private=settings.getbool("GX_ALLOW_PRIVATE_ADDRESSES", False), exempt=exempt)

    def getHostByName(self, name: str, timeout=()):  # noqa: N802 - Twisted's interface
        d = super().getHostByName(name, timeout)
        if self.allow_private or name in self.exempt:
            return d

        def check(address: str) -> str:
            if not is_public_address(address):
                reason = f"{name} resolves to {address}, not a public internet address"
                BLOCKED_HOSTS[name] = reason  # Twisted reports it as a plain DNS failure
                raise PrivateAddressError(reason)
            return address

        return d.addCallback(check)


class CappedDecompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression (590), whose size cap (``DOWNLOAD_MAXSIZE``) refusals the ledger records.

    A gzip bomb is refused by Scrapy already; without this it would vanish from the
    run's record.
    """

    def __init__(self, stats=None, *, crawler=None):
        super().__init__(stats, crawler=crawler)
        self.ledger = Ledger.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("COMPRESSION_ENABLED"):
            raise NotConfigured
        return cls(crawler=crawler)

    def process_response(self, request, response, spider=None):
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            if isinstance(exc.__cause__, _DecompressionMaxSizeExceeded):
                raise self.ledger.refuse(request, f"too_large: decompressed body over the cap ({exc})") from exc
            raise
