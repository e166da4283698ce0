"""``gxcrawler compare AGENCY YEAR1 YEAR2``: one agency's cells of two years side by side.

AGENCY is the agency's id, its full name, a spelling recorded for it, or a part of its
name that only one agency has. Prints a table (or ``--format csv``) in the printed order
of the tables, with the change; a cell printed blank shows as ``blank``. The database is
``GXCRAWLER_DATABASE_URL`` (or ``--url``), else ``gxcrawler.sqlite3``.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("compare", help="an agency's report of one year beside another's", description=__doc__)
    p.add_argument("agency", metavar="AGENCY")
    p.add_argument("year1", metavar="YEAR1", type=int)
    p.add_argument("year2", metavar="YEAR2", type=int)
    p.add_argument("--format", choices=("table", "csv"), default="table")
    p.add_argument("--url", help="SQLAlchemy URL (default: GXCRAWLER_DATABASE_URL or the SQLite file)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from gxcrawler.db import open_existing, require_current
    from gxcrawler.db.compare import CompareError, compare, to_csv, to_table

    engine = open_existing(args.url)
    try:
        require_current(engine)
        with engine.connect() as conn:
            try:
                comparison = compare(conn, args.agency, args.year1, args.year2)
            except CompareError as exc:
                print(f"compare: {exc}", file=sys.stderr)
                return 2
    finally:
        engine.dispose()
    sys.stdout.write(to_csv(comparison) if args.format == "csv" else to_table(comparison))
    return 0
