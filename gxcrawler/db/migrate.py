"""Schema migrations (Alembic, shipped inside the package) and the metric catalog sync."""

from __future__ import annotations

import functools
import logging
import os
import time
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from .. import catalog
from ..errors import UserError
from .engine import as_engine, describe
from .models import Metric

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
AUTO_MIGRATE_ENV = "GXCRAWLER_AUTO_MIGRATE"
MIGRATION_LOCK = 0x67786462  # "gxdb": the advisory lock key of migrations


class SchemaError(UserError, RuntimeError):
    """The database schema is not the one this code expects."""


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def head_revision() -> str:
    """The code's newest revision (read once per process: a crawl of many portals asks per portal)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(engine_or_url: Engine | str | None = None) -> str | None:
    """The revision the database is at (None: never migrated)."""
    engine = as_engine(engine_or_url)
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine_or_url: Engine | str | None = None, revision: str = "head") -> None:
    """Apply migrations up to ``revision``, then re-sync the metric catalog."""
    engine = as_engine(engine_or_url)
    with engine.begin() as conn:
        _serialize(conn)
        command.upgrade(alembic_config(conn), revision)
        if MigrationContext.configure(conn).get_current_revision() == head_revision():
            sync_metrics(conn)


def _serialize(conn: Connection) -> None:
    """One migrator at a time: parallel crawls all call ensure_schema at start-up.

    PostgreSQL: a transaction-scoped advisory lock; SQLite: BEGIN IMMEDIATE already
    holds the database's write lock (see ``engine.make_engine``).
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")


def downgrade(engine_or_url: Engine | str | None, revision: str) -> None:
    engine = as_engine(engine_or_url)
    with engine.begin() as conn:
        _serialize(conn)
        command.downgrade(alembic_config(conn), revision)


#: SQLite: how often a start-up that met "database is locked" looks again (another process migrating)
LOCKED_RETRIES = 5


def ensure_schema(engine: Engine, auto: bool | None = None) -> None:
    """Before a crawl writes: migrate (logged) or raise a clear :class:`SchemaError`.

    ``auto`` defaults to ``GXCRAWLER_AUTO_MIGRATE`` (on unless set to ``0``). On SQLite,
    crawls started together can meet "database is locked" outside the busy timeout's
    reach (seen in CI while a sibling process created the file and switched it to WAL);
    such a start waits and looks again — by then the other process has usually migrated.
    """
    for attempt in range(1, LOCKED_RETRIES + 1):
        try:
            return _ensure_schema(engine, auto)
        except sa.exc.OperationalError as exc:
            if engine.dialect.name != "sqlite" or "locked" not in str(exc) or attempt == LOCKED_RETRIES:
                raise
            log.warning("database %s is locked by another process; trying again", describe(engine.url))
            time.sleep(0.5 * attempt)


def check_schema(engine: Engine) -> None:
    """What :func:`ensure_schema` would refuse, raised before a crawl starts; never migrates."""
    _ensure_schema(engine, None, dry_run=True)


def _ensure_schema(engine: Engine, auto: bool | None, dry_run: bool = False) -> None:
    if auto is None:
        auto = os.environ.get(AUTO_MIGRATE_ENV, "1").strip().lower() not in ("0", "no", "false", "off")
    head = head_revision()
    current = current_revision(engine)
    if current == head:
        return
    script = ScriptDirectory.from_config(alembic_config())
    if current is not None and current not in {r.revision for r in script.walk_revisions()}:
        raise SchemaError(
            f"database {engine.url.render_as_string(hide_password=True)} is at revision {current}, "
            "unknown to this version of gxcrawler (newer code wrote it?); upgrade gxcrawler"
        )
    if not auto:
        raise SchemaError(
            f"database {engine.url.render_as_string(hide_password=True)} is at revision "
            f"{current or '(empty)'}, this code needs {head}: run `gxcrawler db upgrade`"
        )
    if dry_run:
        return
    log.warning("migrating database from %s to %s", current or "(empty)", head)
    upgrade(engine)


def require_current(engine: Engine) -> None:
    """For commands that only read: the schema must be this code's; never migrate silently."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaError(f"{describe(engine.url)} holds no gxcrawler tables — run a crawl or "
                          "`gxcrawler db upgrade` first, or set GXCRAWLER_DATABASE_URL to your database")
    raise SchemaError(f"{describe(engine.url)} is at schema revision {current}, this gxcrawler reads "
                      f"{head} — run `gxcrawler db upgrade`")


def metric_rows() -> list[dict[str, object]]:
    """The catalog as rows of the ``metrics`` table."""
    rows = []
    for m in catalog.METRICS.values():
        row_2019, col_2019 = catalog.label(m.key, "2019")
        rows.append(
            {
                "key": m.key,
                "section": m.section,
                "table_code": m.table,
                "table_label": m.table_label,
                "row_key": m.row,
                "row_label": m.row_label,
                "column_key": m.column,
                "column_label": m.column_label,
                "row_label_2019": row_2019,
                "column_label_2019": col_2019,
                "editions": ",".join(m.editions),
                "in_2019": "2019" in m.editions,
                "in_2021": "2021" in m.editions,
                "ordinal": m.ordinal,
            }
        )
    return rows


def sync_metrics(bind: Engine | Connection) -> int:
    """Make ``metrics`` equal the catalog's labels (insert new keys, update changed labels).

    Keys no longer in the catalog are kept: stored values may still refer to them.
    Returns the number of rows inserted or changed.
    """
    table = Metric.__table__
    wanted = {r["key"]: r for r in metric_rows()}

    def _sync(conn: Connection) -> int:
        have = {r._mapping["key"]: dict(r._mapping) for r in conn.execute(sa.select(table))}
        new = [r for k, r in wanted.items() if k not in have]
        changed = [r for k, r in wanted.items() if k in have and have[k] != r]
        if new:
            conn.execute(table.insert(), new)
        for r in changed:
            conn.execute(table.update().where(table.c.key == r["key"]).values(**r))
        return len(new) + len(changed)

    if isinstance(bind, Connection):
        return _sync(bind)
    with bind.begin() as conn:
        return _sync(conn)
