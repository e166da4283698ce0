"""Which database, and an engine configured for it (PostgreSQL or embedded SQLite)."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

ENV_VAR = "GXCRAWLER_DATABASE_URL"
SQLITE_FILE = "gxcrawler.sqlite3"


def database_url() -> str:
    """``GXCRAWLER_DATABASE_URL``, else an SQLite file in the working directory."""
    url = os.environ.get(ENV_VAR, "").strip()
    if url:
        return normalize_url(url)
    return f"sqlite:///{Path.cwd() / SQLITE_FILE}"


def normalize_url(url: str) -> str:
    """Accept libpq-style ``postgres://`` / ``postgresql://`` URLs as well."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def make_engine(url: str | None = None) -> Engine:
    """An engine safe to share between threads (the Scrapy pipeline writes off-reactor)."""
    url = normalize_url(url or database_url())
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 60}, pool_pre_ping=True
        )

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below drive transactions
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:  # noqa: ANN001
            # IMMEDIATE takes the write lock up front, so concurrent writers wait
            # (busy timeout) instead of failing when a read turns into a write.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # a server that does not answer must fail a connection in seconds, not hang a writer for minutes
    connect_args = {"connect_timeout": 10} if url.startswith("postgresql+psycopg2") else {}
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args=connect_args)


def as_engine(engine_or_url: Engine | str | None) -> Engine:
    if isinstance(engine_or_url, Engine):
        return engine_or_url
    return make_engine(engine_or_url)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
