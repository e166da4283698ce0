"""``gxcrawler nightly``: run ``gxcrawler crawl-all`` every day at ``GXCRAWLER_NIGHTLY_AT`` (the scheduler service).

Settings come from the environment (docs/operations.md): GXCRAWLER_NIGHTLY_AT (HH:MM, 02:30),
TZ, GXCRAWLER_NIGHTLY_ARGS, GXCRAWLER_LOG_DIR, GXCRAWLER_LOG_KEEP_DAYS, GXCRAWLER_NIGHTLY_RUN_NOW,
GXCRAWLER_NIGHTLY_CATCHUP_HOURS (20: a run missed while down is caught up at start-up if no older).
SIGTERM stops a running crawl gracefully (it resumes next time) and exits 0.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("nightly", help="the scheduler: crawl-all every day at GXCRAWLER_NIGHTLY_AT, "
                              "catching up a night missed while down", description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--at", help="HH:MM (default: GXCRAWLER_NIGHTLY_AT or 02:30)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from gxcrawler.schedule import Plan, serve

    plan = Plan.from_env()
    if args.at:
        plan.at = args.at
    return serve(plan)
