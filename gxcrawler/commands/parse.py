"""``gxcrawler parse PATH_OR_URL [...]``: one JSON object per document (JSON Lines for several).

Never crashes on bad input: a document that cannot be read prints ``status: "error"`` with
a message. The exit code is non-zero only when no document could be read at all.
"""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.request
from pathlib import PurePosixPath
from urllib.parse import urlparse

from ..model import ParseResult
from ..parsing import parse_bytes, parse_path

USER_AGENT = "Mozilla/5.0 (compatible; gxcrawler/0.1; +annual-report statistics)"
MAX_BYTES = 50 * 1024 * 1024


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("parse", help="parse annual reports (files or URLs) into JSON")
    p.add_argument("targets", nargs="+", metavar="PATH_OR_URL")
    p.add_argument(
        "--hint",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="fallback metadata (title, agency, published, year), as a crawl's list page gives it",
    )
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per URL fetch")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    hints = dict(h.split("=", 1) for h in args.hint if "=" in h)
    read_any = False
    for target in args.targets:
        result = parse_one(target, hints=hints or None, timeout=args.timeout)
        read_any = read_any or result.status != "error"
        sys.stdout.write(result.to_json() + "\n")
        sys.stdout.flush()
    return 0 if read_any else 1


def parse_one(target: str, *, hints: dict[str, str] | None = None, timeout: float = 30.0) -> ParseResult:
    if urlparse(target).scheme in ("http", "https"):
        return fetch_and_parse(target, hints=hints, timeout=timeout)
    return parse_path(target, hints=hints)


def fetch_and_parse(url: str, *, hints: dict[str, str] | None = None, timeout: float = 30.0) -> ParseResult:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - http(s) only
            content = resp.read(MAX_BYTES + 1)
            content_type = resp.headers.get("Content-Type")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return ParseResult(source=url, status="error", message=f"fetch failed: {reason}")
    if len(content) > MAX_BYTES:
        return ParseResult(source=url, status="error", message="document larger than 50 MB")
    name = PurePosixPath(urlparse(url).path).name or None
    return parse_bytes(content, source=url, content_type=content_type, filename=name, hints=hints)
