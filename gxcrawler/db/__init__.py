"""The database: schema (SQLAlchemy models + Alembic migrations), engine, loader.

PostgreSQL in production and in the tests; an SQLite file when
``GXCRAWLER_DATABASE_URL`` is not set. See ``docs/notes/db.md``.
"""

from .engine import database_url, make_engine
from .loader import Loader, LoadOutcome
from .migrate import SchemaError, current_revision, ensure_schema, head_revision, upgrade

__all__ = [
    "LoadOutcome",
    "Loader",
    "SchemaError",
    "current_revision",
    "database_url",
    "ensure_schema",
    "head_revision",
    "make_engine",
    "upgrade",
]
