"""Per-run monitors: decide from a crawl's stats whether the run succeeded, and say why not.

Why not spidermon's unittest suites: every monitor here is one comparison of a stats
value with a threshold, and the verdict must be written, with its reasons, into the
same ``crawl_runs`` row the run recorder closes, and read back by ``crawl-all`` for its
exit code. A pure function over the stats dict does that, is trivially testable, and
keeps one place where thresholds live (the ``GX_MONITOR_*`` settings). spidermon
remains available to anyone who wants e-mail/Slack actions on top.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: default thresholds; each is overridable with the Scrapy setting of the same name
DEFAULTS: dict[str, Any] = {
    "GX_MONITOR_MIN_REPORTS": 1,  # fewer reports found than this fails the run
    "GX_MONITOR_MAX_PARSE_FAILURE_RATE": 0.2,  # share of parsed documents with a failing status
    "GX_MONITOR_PARSE_FAILURE_STATUSES": ["error"],
    "GX_MONITOR_MAX_IDENTITY_FAILURE_RATE": 0.5,  # share of loaded reports with a failing identity
    "GX_MONITOR_MAX_HTTP_ERROR_RATE": 0.2,  # share of responses >= 400
    "GX_MONITOR_MAX_NETWORK_ERROR_RATE": 0.2,  # share of requests lost on the network (DNS, refused, timeout …)
    "GX_MONITOR_MIN_RESPONSES_FOR_RATES": 5,  # rates on fewer responses/documents are not judged
    "GX_MONITOR_MAX_ANTIBOT_PAGES": 0,  # any challenge/WAF page fails the run
}


@dataclass(frozen=True)
class MonitorResult:
    name: str
    ok: bool
    reason: str = ""


def thresholds(settings: Any = None) -> dict[str, Any]:
    """The monitor thresholds from Scrapy settings (or a plain dict), with defaults."""
    out = dict(DEFAULTS)
    if settings is not None:
        for key in DEFAULTS:
            value = settings.get(key) if hasattr(settings, "get") else None
            if value is not None:
                out[key] = value
    return out


def _count(stats: Mapping[str, Any], key: str) -> int:
    return int(stats.get(key) or 0)


def reports_found(stats: Mapping[str, Any]) -> int:
    """Reports handed to the pipelines plus those skipped as already known and unchanged."""
    return _count(stats, "gx/reports/found") + _count(stats, "gx/incremental/reports_unchanged")


#: the ledger's network failure categories (gxcrawler.crawl.ledger.NETWORK)
NETWORK = ("dns", "connection_refused", "connection_lost", "timeout", "truncated", "tls", "network")


def network_errors(stats: Mapping[str, Any]) -> dict[str, int]:
    """Requests that failed on the network after their retries, by category (DNS, timeout …)."""
    return {c: n for c in NETWORK if (n := _count(stats, f"gx/failed/{c}"))}


#: where a user without network can watch a crawl work (README, docs/user-guide.md)
OFFLINE_HINT = ("to try gxcrawler without network, run the offline simulation: "
                "python -m tests.simulations serve --port 8808, then GXCRAWLER_SIMULATION_URL=http://127.0.0.1:8808")


def offline_reason(stats: Mapping[str, Any]) -> str | None:
    """Why a run got nothing when no host name could be resolved at all (no network, no DNS)."""
    dns = _count(stats, "gx/failed/dns") + sum(
        int(v) for k, v in stats.items()
        if k.startswith("downloader/exception_type_count/") and k.endswith(("DNSLookupError", "CannotResolveHostError"))
    )
    if dns and not _count(stats, "downloader/response_count"):
        return f"no host name could be resolved and no server answered — is this machine offline? ({OFFLINE_HINT})"
    return None


def _requests_base(stats: Mapping[str, Any]) -> int:
    """Responses, requests lost on the network, and the known documents a re-crawl did not request.

    The last term makes a re-crawl's few errors judged against the same base as a first crawl's.
    """
    return (_count(stats, "downloader/response_count") + sum(network_errors(stats).values())
            + _count(stats, "gx/incremental/skipped_known"))


def http_errors(stats: Mapping[str, Any]) -> tuple[int, int]:
    """(errors, requests): responses >= 400, anti-bot pages excluded (they have their own monitor)."""
    prefix = "downloader/response_status_count/"
    errors = sum(int(v) for k, v in stats.items() if k.startswith(prefix) and int(k[len(prefix) :]) >= 400)
    errors -= min(errors, _count(stats, "gx/antibot/total_error_status"))
    return errors, _requests_base(stats)


def evaluate(stats: Mapping[str, Any], limits: Mapping[str, Any] | None = None) -> list[MonitorResult]:
    """Every monitor's verdict on one spider run's stats."""
    t = {**DEFAULTS, **(limits or {})}
    min_n = int(t["GX_MONITOR_MIN_RESPONSES_FOR_RATES"])
    out: list[MonitorResult] = []

    found = reports_found(stats)
    # a resumed crawl is judged with what its interrupted runs found: nothing left to do is a success
    earlier = _count(stats, "gx/resume/prior_reports_found")
    out.append(
        MonitorResult(
            "reports_found",
            found + earlier >= int(t["GX_MONITOR_MIN_REPORTS"]),
            f"{found} reports found (minimum {t['GX_MONITOR_MIN_REPORTS']})"
            + (f", {earlier} by the runs it resumed" if earlier else "")
            + (f": {offline}" if (offline := offline_reason(stats)) else ""),
        )
    )

    def rate_monitor(name: str, bad: int, total: int, limit_key: str, what: str) -> MonitorResult:
        """Fails when ``bad / total`` exceeds the limit; too few ``total`` are not judged."""
        limit = float(t[limit_key])
        rate = bad / total if total else 0.0
        return MonitorResult(
            name, total < min_n or rate <= limit, f"{bad} of {total} {what} ({rate:.0%}, limit {limit:.0%})"
        )

    parsed = sum(int(v) for k, v in stats.items() if k.startswith("gx/parse/"))
    failed = sum(_count(stats, f"gx/parse/{s}") for s in t["GX_MONITOR_PARSE_FAILURE_STATUSES"])
    out.append(
        rate_monitor(
            "parse_failures", failed, parsed, "GX_MONITOR_MAX_PARSE_FAILURE_RATE", "documents failed to parse"
        )
    )
    out.append(
        rate_monitor(
            "identity_failures",
            _count(stats, "gx/checks/reports_failing"),
            _count(stats, "gx/checks/reports"),
            "GX_MONITOR_MAX_IDENTITY_FAILURE_RATE",
            "reports fail an identity",
        )
    )
    errors, responses = http_errors(stats)
    out.append(
        rate_monitor(
            "http_errors", errors, responses, "GX_MONITOR_MAX_HTTP_ERROR_RATE", "responses were HTTP errors"
        )
    )
    lost = network_errors(stats)
    detail = ", ".join(f"{c} {n}" for c, n in lost.items())
    out.append(
        rate_monitor(
            "network_errors", sum(lost.values()), _requests_base(stats), "GX_MONITOR_MAX_NETWORK_ERROR_RATE",
            "requests failed on the network" + (f" ({detail})" if detail else ""),
        )
    )

    blocked = _count(stats, "gx/antibot/total")
    pages = stats.get("gx/antibot/pages") or []
    sample = ", ".join(f"{p['kind']} {p['url']}" for p in pages[:3])
    out.append(
        MonitorResult(
            "antibot_pages",
            blocked <= int(t["GX_MONITOR_MAX_ANTIBOT_PAGES"]),
            f"{blocked} anti-bot pages" + (f": {sample}" if sample else ""),
        )
    )
    return out


def failures(results: list[MonitorResult]) -> list[MonitorResult]:
    return [r for r in results if not r.ok]
