"""``gxcrawler review``: list failed checks, mark one confirmed or dismissed, or reopen it.

    gxcrawler review list [--all] [--agency TEXT] [--year N] [--kind identity|narrative|years]
    gxcrawler review confirm REPORT_ID RULE [--note TEXT]    # the report's own error
    gxcrawler review dismiss REPORT_ID RULE --note TEXT      # our misreading: say what
    gxcrawler review reopen REPORT_ID RULE

REPORT_ID and RULE as in ``v_failed_checks``. A mark belongs to the report's content (its
hash): it survives re-parsing and re-crawls, and a changed report reopens the check.
The database is ``GXCRAWLER_DATABASE_URL`` (or ``--url``), else ``gxcrawler.sqlite3``.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("review", help="mark failed checks confirmed or dismissed", description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="SQLAlchemy URL (default: GXCRAWLER_DATABASE_URL or the SQLite file)")
    sub = p.add_subparsers(dest="review_command", metavar="ACTION")
    sub.required = True
    ls = sub.add_parser("list", help="failed checks (open ones unless --all)")
    ls.add_argument("--all", action="store_true", help="also confirmed and dismissed ones")
    ls.add_argument("--agency", help="a part of the agency's name")
    ls.add_argument("--year", type=int)
    ls.add_argument("--kind", choices=("identity", "narrative", "years"))
    ls.set_defaults(func=list_checks)
    for action, help_text in (("confirm", "the report's own error"), ("dismiss", "our misreading (needs --note)")):
        m = sub.add_parser(action, help=help_text)
        m.add_argument("report_id", metavar="REPORT_ID", type=int)
        m.add_argument("rule", metavar="RULE")
        m.add_argument("--note", help="why (required to dismiss)")
        m.add_argument("--by", help="reviewer (default: the login name)")
        m.set_defaults(func=mark_check, status="confirmed" if action == "confirm" else "dismissed")
    ro = sub.add_parser("reopen", help="remove the mark")
    ro.add_argument("report_id", metavar="REPORT_ID", type=int)
    ro.add_argument("rule", metavar="RULE")
    ro.set_defaults(func=reopen_check)


def _engine(args: argparse.Namespace):  # noqa: ANN202
    from gxcrawler.db import open_existing, require_current

    engine = open_existing(args.url)
    require_current(engine)
    return engine


def list_checks(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    where, params = [], {}
    if not args.all:
        where.append("review = 'open'")
    if args.agency:
        where.append("agency LIKE :agency")
        params["agency"] = f"%{args.agency}%"
    if args.year:
        where.append("year = :year")
        params["year"] = args.year
    if args.kind:
        where.append("kind = :kind")
        params["kind"] = args.kind
    sql = (
        "SELECT report_id, agency, year, kind, rule, \"left\", \"right\", review, review_note, sentence, other_year "
        f"FROM v_failed_checks {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY agency, year, rule"
    )
    engine = _engine(args)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(sql), params).all()
    finally:
        engine.dispose()
    for r in rows:
        other = f" (against {r.other_year})" if r.other_year else ""
        line = f"{r.report_id}\t{r.agency}\t{r.year}\t{r.kind}\t{r.rule}{other}\t{r.left} ≠ {r.right}\t{r.review}"
        if r.review_note:
            line += f": {r.review_note}"
        if r.sentence:
            line += f"\t「{r.sentence}」"
        print(line)
    print(f"{len(rows)} failed checks", file=sys.stderr)
    return 0


def mark_check(args: argparse.Namespace) -> int:
    from gxcrawler.db.reviews import ReviewError, mark

    engine = _engine(args)
    try:
        with engine.begin() as conn:
            mark(conn, args.report_id, args.rule, args.status, args.note, args.by)
    except ReviewError as exc:
        print(f"review: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"report {args.report_id} {args.rule}: {args.status}")
    return 0


def reopen_check(args: argparse.Namespace) -> int:
    from gxcrawler.db.reviews import ReviewError, reopen

    engine = _engine(args)
    try:
        with engine.begin() as conn:
            removed = reopen(conn, args.report_id, args.rule)
    except ReviewError as exc:
        print(f"review: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"report {args.report_id} {args.rule}: open" + ("" if removed else " (it had no mark)"))
    return 0
