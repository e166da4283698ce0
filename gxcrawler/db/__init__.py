"""The database: schema (SQLAlchemy models + Alembic migrations), engine, loader.

PostgreSQL in production and in the tests; an SQLite file when
``GXCRAWLER_DATABASE_URL`` is not set. See ``docs/notes/db.md``.
"""

from .engine import (
    DatabaseUnavailable,
    borrow_engine,
    check_connection,
    database_url,
    describe,
    make_engine,
    open_existing,
    return_engine,
)
from .loader import Loader, LoadOutcome
from .migrate import SchemaError, current_revision, ensure_schema, head_revision, require_current, upgrade

__all__ = [
    "DatabaseUnavailable",
    "borrow_engine",
    "check_connection",
    "LoadOutcome",
    "Loader",
    "SchemaError",
    "current_revision",
    "database_url",
    "describe",
    "ensure_schema",
    "head_revision",
    "make_engine",
    "open_existing",
    "require_current",
    "return_engine",
    "upgrade",
]
