"""Alembic environment: run on the connection handed over by ``gxcrawler.db.migrate``.

Also works from the command line (``alembic -c gxcrawler/db/alembic.ini upgrade head``),
taking the URL from ``GXCRAWLER_DATABASE_URL`` like the rest of the project.
"""

from __future__ import annotations

from alembic import context

from gxcrawler.db.engine import database_url, make_engine
from gxcrawler.db.models import metadata

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or database_url())
    with engine.connect() as conn:
        _run(conn)
        conn.commit()


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
run_migrations_online()
