"""``gxcrawler crawl-all``: every spider (or the chosen ones) in one process, for schedulers.

Exit code: 0 every run succeeded; 1 a spider failed its monitors (or did not start);
3 interrupted (SIGTERM/Ctrl-C; the next crawl-all resumes from ``crawls/``).
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "crawl-all",
        help="run every spider (nightly job): incremental, recorded in crawl_runs, non-zero exit on failure",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--spider", action="append", metavar="NAME",
                   help="only this spider (repeatable); default: every spider except GX_NIGHTLY_EXCLUDE (portal)")
    p.add_argument("--year", help="report year or range, e.g. 2023 or 2019-2024 (default: all years)")
    p.add_argument("--agency", help="only agencies whose name contains this")
    p.add_argument("--refresh", action="store_true",
                   help="fetch every report again, even those known and unchanged")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a Scrapy setting, as with `scrapy crawl -s` (repeatable)")
    p.add_argument("--progress", type=float, default=30.0, metavar="SECONDS",
                   help="print per-spider progress this often (0: never) [30]")
    p.add_argument("--log-level", default="WARNING", help="Scrapy log level on stderr [WARNING]")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from gxcrawler.crawl.runner import crawl_all

    settings: dict[str, str] = {"LOG_LEVEL": args.log_level}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"crawl-all: -s expects NAME=VALUE, got {item!r}")
        settings[name] = value
    return crawl_all(
        args.spider,
        year=args.year,
        agency=args.agency,
        refresh=args.refresh,
        settings=settings,
        progress_every=args.progress,
    )
