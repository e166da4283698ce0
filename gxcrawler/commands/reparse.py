"""``gxcrawler reparse``: re-parse stored documents with the current parser and reload them.

No network: the bytes come from the ``documents`` table. Prints one line per document
with ``-v``, and the inserted / updated / unchanged / skipped / failed counts.
"""

from __future__ import annotations

import argparse
from collections import Counter


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "reparse", help="re-parse stored documents and reload them", description=__doc__
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every stored report document")
    which.add_argument("--report", type=int, action="append", metavar="ID", help="this report (repeatable)")
    p.add_argument("--spider", help="with --all: only documents this spider fetched")
    p.add_argument("--url", help="SQLAlchemy URL (default: GXCRAWLER_DATABASE_URL or the SQLite file)")
    p.add_argument("--workers", type=int, default=None,
                   help="parse processes (default: GXCRAWLER_PARSE_WORKERS, else one per CPU; 0: in this process)")
    p.add_argument("-v", "--verbose", action="store_true", help="one line per document")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from gxcrawler.db import database_url, ensure_schema, make_engine
    from gxcrawler.db.reparse import reparse
    from gxcrawler.parsing.pool import ParsePool, PoolConfig

    engine = make_engine(args.url or database_url())
    ensure_schema(engine)
    with ParsePool(PoolConfig.from_settings(workers=args.workers)) as pool:
        results = reparse(
            engine, report_ids=args.report or (), all_documents=args.all, spider=args.spider, pool=pool
        )
    counts = Counter(outcome.status for _, outcome in results)
    if args.verbose:
        for url, outcome in results:
            detail = f"  ({outcome.message})" if outcome.message else ""
            print(f"{outcome.status:<9} {outcome.report_id or '-':>6} {url}{detail}")
    summary = ", ".join(
        f"{s} {counts.get(s, 0)}" for s in ("inserted", "updated", "unchanged", "skipped", "failed")
    )
    print(f"re-parsed {len(results)} documents: {summary}")
    if args.report and not results:
        print("no stored document for the given report id(s)")
        return 1
    return 1 if counts.get("failed") else 0
