"""A scratch database for demos: created fresh each time, and only ever one the demo created.

``scripts/demo-offline`` loads the simulated portals into its own database
(``GXCRAWLER_DEMO_DATABASE_URL``, default ``postgresql://postgres@127.0.0.1:5432/gxdemo``) and
never into ``GXCRAWLER_DATABASE_URL``, which names the user's real data. Before it starts
again it drops its previous database — but only when that database carries the demo's
mark (a PostgreSQL ``COMMENT ON DATABASE``; for SQLite a ``<file>.gxdemo`` file beside
it). Anything else of the same name is refused unless ``--force`` is given.

    python -m gxcrawler.db.scratch URL [--force]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import sqlalchemy as sa

from ..errors import UserError
from .engine import check_connection, describe, make_engine, normalize_url, sqlite_path

MARK = "scratch database of gxcrawler scripts/demo-offline (dropped and re-created by each demo)"


class NotOurs(UserError):
    """The scratch database's name is taken by a database the demo did not create."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def prepare(url: str, *, force: bool = False) -> str:
    """Create ``url``'s database empty, dropping an earlier one only if a demo made it (or ``force``)."""
    u = sa.make_url(normalize_url(url))
    path = sqlite_path(u)
    if path is not None:
        return _prepare_sqlite(u, path, force)
    if u.get_backend_name() != "postgresql" or not u.database:
        raise UserError(f"the demo needs a PostgreSQL or SQLite URL, got {describe(u)}")
    server = make_engine(u.set(database="postgres").render_as_string(hide_password=False))
    check_connection(server)
    try:
        with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            row = conn.execute(
                sa.text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"),
                {"n": u.database},
            ).first()
            if row is not None:
                if row[0] != MARK and not force:
                    raise NotOurs(
                        f"{describe(u)} exists and was not created by the demo: not dropping it. Choose "
                        "another GXCRAWLER_DEMO_DATABASE_URL, or pass --force to drop it anyway"
                    )
                conn.exec_driver_sql(f"DROP DATABASE {_quote(u.database)} WITH (FORCE)")
            conn.exec_driver_sql(f"CREATE DATABASE {_quote(u.database)}")
            conn.exec_driver_sql(f"COMMENT ON DATABASE {_quote(u.database)} IS '{MARK}'")
    finally:
        server.dispose()
    return describe(u)


def _prepare_sqlite(u: sa.URL, path: Path, force: bool) -> str:
    mark = path.with_name(path.name + ".gxdemo")
    if path.exists():
        if not mark.exists() and not force:
            raise NotOurs(f"{path} exists and was not created by the demo: not deleting it. Choose another "
                          "GXCRAWLER_DEMO_DATABASE_URL, or pass --force to delete it anyway")
        for extra in ("", "-wal", "-shm"):
            path.with_name(path.name + extra).unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    mark.write_text(MARK + "\n")
    return describe(u)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m gxcrawler.db.scratch", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("url")
    p.add_argument("--force", action="store_true", help="drop a database of that name even if the demo did not create it")
    args = p.parse_args(argv)
    try:
        print(f"demo database: {prepare(args.url, force=args.force)} (created empty)")
    except UserError as exc:
        print(f"demo-offline: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
