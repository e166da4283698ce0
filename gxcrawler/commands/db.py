"""``gxcrawler db``: migrate the database and say where it stands.

The database is ``GXCRAWLER_DATABASE_URL`` (or ``--url``), else ``gxcrawler.sqlite3``
in the working directory.
"""

from __future__ import annotations

import argparse
import contextlib


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("db", help="database migrations and status", description=__doc__)
    p.add_argument("--url", help="SQLAlchemy URL (default: GXCRAWLER_DATABASE_URL or the SQLite file)")
    sub = p.add_subparsers(dest="db_command", metavar="ACTION")
    sub.required = True

    up = sub.add_parser(
        "upgrade", help="apply migrations (default: to the latest) and sync the metric catalog"
    )
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=upgrade)

    down = sub.add_parser("downgrade", help="revert migrations to REVISION ('base' drops every table)")
    down.add_argument("revision")
    down.set_defaults(func=downgrade)

    cur = sub.add_parser("current", help="print the database's revision and the code's")
    cur.set_defaults(func=current)

    check = sub.add_parser("check", help="exit 1 unless the database is at the latest revision")
    check.set_defaults(func=check_current)

    info = sub.add_parser("info", help="rows per table")
    info.set_defaults(func=info_counts)

    # create-reader: owned by analytics (gxcrawler/db/roles.py)
    reader = sub.add_parser("create-reader", help="create a PostgreSQL login role that can only read")
    reader.add_argument("name", help="role name (lower-case letters, digits, _)")
    reader.add_argument("--password", help="its password (default: a random one, printed once)")
    reader.set_defaults(func=create_reader)

    # recheck: owned by analysts (gxcrawler/db/years.py)
    recheck = sub.add_parser(
        "recheck", help="recompute every report's checks across years (the loader keeps them current)"
    )
    recheck.set_defaults(func=recheck_years)


def _engine(args: argparse.Namespace, *, existing: bool = False):  # noqa: ANN202
    """The database to act on; ``existing``: one that must be there already (never created)."""
    from gxcrawler.db import check_connection, make_engine, open_existing

    return open_existing(args.url) if existing else check_connection(make_engine(args.url))


def _where(engine) -> str:  # noqa: ANN001
    return engine.url.render_as_string(hide_password=True)


@contextlib.contextmanager
def _revision_named(revision: str):  # noqa: ANN202
    """Alembic's refusal of a revision (unknown, or the wrong direction) as one line, exit 2; nothing was migrated."""
    from alembic.util.exc import CommandError

    from gxcrawler.errors import UserError

    try:
        yield
    except CommandError as exc:
        raise UserError(f"revision {revision!r}: {exc} (`gxcrawler db current` shows the database's and the code's)") from None


def upgrade(args: argparse.Namespace) -> int:
    from gxcrawler.db import current_revision, upgrade

    engine = _engine(args)
    before = current_revision(engine)
    with _revision_named(args.revision):
        upgrade(engine, args.revision)
    print(f"{_where(engine)}: {before or '(empty)'} -> {current_revision(engine)}")
    return 0


def downgrade(args: argparse.Namespace) -> int:
    from gxcrawler.db import current_revision
    from gxcrawler.db.migrate import downgrade

    engine = _engine(args, existing=True)
    before = current_revision(engine)
    with _revision_named(args.revision):
        downgrade(engine, args.revision)
    print(f"{_where(engine)}: {before or '(empty)'} -> {current_revision(engine) or '(empty)'}")
    return 0


def current(args: argparse.Namespace) -> int:
    from gxcrawler.db import current_revision, head_revision

    engine = _engine(args, existing=True)
    rev, head = current_revision(engine), head_revision()
    state = "up to date" if rev == head else "needs `gxcrawler db upgrade`"
    print(f"{_where(engine)}\ndatabase revision: {rev or '(empty)'}\ncode revision:     {head}\n{state}")
    return 0


def check_current(args: argparse.Namespace) -> int:
    from gxcrawler.db import DatabaseUnavailable, current_revision, head_revision

    try:
        engine = _engine(args, existing=True)
    except DatabaseUnavailable as exc:
        print(exc)
        return 1
    rev = current_revision(engine)
    if rev == head_revision():
        return 0
    print(f"{_where(engine)} is at {rev or '(empty)'}, not {head_revision()}: run `gxcrawler db upgrade`")
    return 1


def info_counts(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from gxcrawler.db.models import metadata

    engine = _engine(args, existing=True)
    existing = set(sa.inspect(engine).get_table_names())
    print(_where(engine))
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in existing:
                n = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                print(f"  {table.name:<16} {n:>10}")
            else:
                print(f"  {table.name:<16} {'(missing)':>10}")
    return 0


def create_reader(args: argparse.Namespace) -> int:
    from gxcrawler.db.roles import RoleError
    from gxcrawler.db.roles import create_reader as create

    engine = _engine(args, existing=True)
    try:
        reader = create(engine, args.name, args.password)
    except RoleError as exc:
        print(f"create-reader: {exc}")
        return 2
    action = "created" if reader.created else "updated (existed)"
    print(f"{_where(engine)}: role {reader.name} {action}: LOGIN, SELECT on every table and view")
    if args.password is None and reader.password:
        print(f"password: {reader.password}")
    return 0


def recheck_years(args: argparse.Namespace) -> int:
    from gxcrawler.db import SchemaError, ensure_schema
    from gxcrawler.db.years import refresh_all

    engine = _engine(args)
    try:
        ensure_schema(engine, auto=False)
    except SchemaError as exc:
        print(f"recheck: {exc}")
        return 2
    with engine.begin() as conn:
        stored = refresh_all(conn)
    print(f"{_where(engine)}: {stored} checks across years stored")
    return 0
