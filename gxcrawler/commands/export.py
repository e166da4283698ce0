"""``gxcrawler export``: the loaded statistics as tidy (long) and wide files, with a data dictionary.

The database is ``GXCRAWLER_DATABASE_URL`` (or ``--url``), else ``gxcrawler.sqlite3``
in the working directory. See ``gxcrawler.exports`` for the files written.
"""

from __future__ import annotations

import argparse


def _years(text: str) -> list[int]:
    """``2021``, ``2019-2021`` or ``2019,2021``."""
    years: list[int] = []
    try:
        for part in text.split(","):
            first, _, last = part.strip().partition("-")
            years.extend(range(int(first), int(last or first) + 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year or range of years: {text!r}") from None
    return years


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "export", help="write the statistics as long and wide CSV/Parquet files", description=__doc__
    )
    p.add_argument("out", metavar="OUT", help="output directory (created if missing)")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv")
    p.add_argument("--year", type=_years, action="append", default=[],
                   help="statistics year(s): 2021, 2019-2021 or 2019,2021; repeatable")
    p.add_argument("--spider", action="append", default=[], help="only reports loaded by SPIDER; repeatable")
    p.add_argument("--bom", action="store_true", help="start CSV files with a BOM (for Excel)")
    p.add_argument("--url", help="SQLAlchemy URL (default: GXCRAWLER_DATABASE_URL or the SQLite file)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from gxcrawler.db import describe, open_existing, require_current
    from gxcrawler.exports import export

    engine = open_existing(args.url)
    require_current(engine)
    print(f"from {describe(engine.url)}")
    years = sorted({y for group in args.year for y in group})
    summary = export(engine, args.out, args.format, years=years or None, spiders=args.spider or None,
                     bom=args.bom)
    print(f"{summary.reports} reports, {summary.cells} cells ->")
    for path in summary.files:
        print(f"  {path}")
    return 0
