"""Which hosts belong to a portal, and which are clones of it."""

from __future__ import annotations

from urllib.parse import urlsplit

#: Sites seen copying government pages under unrelated domains (research, portals.md).
CLONE_HOSTS = (
    "poiraudeau.com",
    "azaleacolor.com",
    "fydm168.com",
    "lyyvip.com",
    "happymerchs.com",
    "munkyxtc.com",
    "site571.com",
    "soulrig.com",
)


def host_of(url_or_host: str) -> str:
    host = urlsplit(url_or_host).hostname if "//" in url_or_host else url_or_host
    return (host or "").lower().rstrip(".")


def is_mirror(url_or_host: str) -> bool:
    """True for a known clone site (or any subdomain of one)."""
    host = host_of(url_or_host)
    return any(host == c or host.endswith("." + c) for c in CLONE_HOSTS)


def is_government_host(url_or_host: str) -> bool:
    host = host_of(url_or_host)
    return host.endswith(".gov.cn") or host == "gov.cn"


def site_domain(url_or_host: str) -> str:
    """``www.xinye.gov.cn`` → ``xinye.gov.cn``; ``www.example.com`` → ``example.com``."""
    labels = host_of(url_or_host).split(".")
    keep = 3 if is_government_host(url_or_host) else 2
    return ".".join(labels[-keep:])


def allowed_domains_for(url_or_host: str) -> list[str]:
    """Every government host for a .gov.cn portal (files live on city-wide hosts), else its own domain."""
    host = host_of(url_or_host)
    if is_government_host(host):
        return ["gov.cn"]
    return [host.removeprefix("www.")]
