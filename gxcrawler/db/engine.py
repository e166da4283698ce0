"""Which database, and an engine configured for it (PostgreSQL or embedded SQLite)."""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from ..errors import UserError
from ..redact import redact

ENV_VAR = "GXCRAWLER_DATABASE_URL"
#: the most connections one process holds to one database server (pool size plus overflow)
POOL_ENV_VAR = "GXCRAWLER_DB_POOL_SIZE"
DEFAULT_POOL = 10
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


class DatabaseUnavailable(UserError):
    """The configured database cannot be used: a bad URL, a missing database, a server that does not answer."""


URL_FORMS = "postgresql://USER:PASSWORD@HOST:5432/DBNAME or sqlite:///PATH/TO/FILE.sqlite3"


def describe(url: str | sa.URL) -> str:
    """The URL as it may be printed: the password masked."""
    if isinstance(url, sa.URL):
        return url.render_as_string(hide_password=True)
    return redact(url)


def sqlite_path(url: sa.URL) -> Path | None:
    """The file of an SQLite URL (None for in-memory databases)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    name = url.database
    if name.startswith("file:"):  # sqlite:///file:x.sqlite3?mode=ro&uri=true
        name = name[5:]
    return Path(name)


def make_engine(url: str | None = None) -> Engine:
    """An engine safe to share between threads (the Scrapy pipeline writes off-reactor).

    A URL that is not a database URL raises :class:`DatabaseUnavailable` (one line, masked).
    """
    url = normalize_url(url or database_url())
    try:
        dialect = make_url(url).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError):
        raise DatabaseUnavailable(
            f"not a database URL: {describe(url)!r} (GXCRAWLER_DATABASE_URL or --url); use {URL_FORMS}"
        ) from None
    try:  # a known dialect whose driver is not installed (mysql://, postgresql+psycopg://): one line, not a traceback
        dialect.import_dbapi()
    except ImportError as exc:
        raise DatabaseUnavailable(
            f"cannot use the database {describe(url)}: its driver is not installed ({exc}); use {URL_FORMS}"
        ) from None
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
    most = pool_limit()
    # pool_timeout: the crawls of one process queue for its few connections (each holds one per transaction)
    return sa.create_engine(url, pool_pre_ping=True, pool_size=min(5, most), max_overflow=most - min(5, most),
                            pool_timeout=300, connect_args=connect_args)


def pool_limit() -> int:
    """``GXCRAWLER_DB_POOL_SIZE`` (default 10): one process's connections to one server database, at most."""
    raw = os.environ.get(POOL_ENV_VAR, "").strip()
    try:
        return max(int(raw), 1) if raw else DEFAULT_POOL
    except ValueError:
        raise DatabaseUnavailable(f"{POOL_ENV_VAR} must be a whole number of connections, got {raw!r}") from None


# ---------------------------------------------------------------- one pool per process


class _Shared:
    """The engines the crawls of this process borrow: one per database URL, with its users counted."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.engines: dict[str, tuple[Engine, int]] = {}
        self.pid = os.getpid()

    def forget_in_child(self) -> None:
        """After fork: the parent's connections are not ours to use or close (SQLAlchemy's fork recipe)."""
        for engine, _ in self.engines.values():
            engine.dispose(close=False)
        self.engines.clear()
        self.lock = threading.Lock()
        self.pid = os.getpid()

    def dispose_all(self) -> None:
        with self.lock:
            engines, self.engines = self.engines, {}
        for engine, _ in engines.values():
            engine.dispose()


_SHARED = _Shared()
atexit.register(_SHARED.dispose_all)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_SHARED.forget_in_child)


def borrow_engine(url: str | None = None) -> Engine:
    """The process's engine for ``url``, shared by every crawl running in it (give it back with
    :func:`return_engine`).

    Why: ``crawl-all`` runs many portals in one process; an engine (and a pool) per portal and
    per pipeline held up to ten connections each and exhausted the server's ``max_connections``.
    One pool per process and database bounds them by ``GXCRAWLER_DB_POOL_SIZE``. The pool is
    closed when its last borrower gives it back (so a test's throwaway database can be dropped,
    and an SQLite file replaced, between crawls) and at process exit.
    """
    key = normalize_url(url or database_url())
    with _SHARED.lock:
        engine, users = _SHARED.engines.get(key) or (None, 0)
        if engine is None:
            engine = make_engine(key)
        _SHARED.engines[key] = (engine, users + 1)
    return engine


def return_engine(engine: Engine) -> None:
    """One borrower of ``engine`` is done; the last one closes its connections."""
    with _SHARED.lock:
        for key, (shared, users) in list(_SHARED.engines.items()):
            if shared is engine:
                if users > 1:
                    _SHARED.engines[key] = (shared, users - 1)
                    return
                del _SHARED.engines[key]
                break
    engine.dispose()


def borrowed_engines() -> int:
    """How many engines the crawls of this process share now (for tests)."""
    return len(_SHARED.engines)


def explain(url: str | sa.URL, exc: BaseException) -> str:
    """One line for a failed connection: which database (masked), what the server said, the fix."""
    where = describe(url)
    u = make_url(url) if isinstance(url, str) else url
    said = redact(str(getattr(exc, "orig", None) or exc)).strip().splitlines()
    first = said[0].strip() if said else type(exc).__name__
    detail = " ".join(line.strip() for line in said)
    host, port = u.host or "localhost", u.port or 5432
    if "does not exist" in detail and "database" in detail:
        fix = (f"create it (createdb -h {host} -p {port} -U {u.username or 'postgres'} {u.database}) "
               "or point GXCRAWLER_DATABASE_URL at an existing one")
    elif ("password authentication failed" in detail or "no password supplied" in detail
          or ("role" in detail and "does not exist" in detail)):
        fix = "check the user and password in GXCRAWLER_DATABASE_URL"
    elif any(s in detail for s in ("Connection refused", "could not connect", "timeout expired",
                                   "could not translate host name", "Name or service not known")):
        fix = f"is PostgreSQL running on {host}:{port}? (pg_isready -h {host} -p {port}); check GXCRAWLER_DATABASE_URL"
    elif u.get_backend_name() == "sqlite":
        fix = "check the path in GXCRAWLER_DATABASE_URL and that its directory exists and is writable"
    else:
        fix = "check GXCRAWLER_DATABASE_URL"
    return f"cannot use the database {where}: {first} — {fix}"


def check_connection(engine: Engine) -> Engine:
    """Connect once, so a bad database fails here with one line instead of deep inside a crawl."""
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        raise DatabaseUnavailable(explain(engine.url, exc)) from None
    return engine


def open_existing(url: str | None = None) -> Engine:
    """An engine on a database that must exist already (read-only commands): never creates one.

    An SQLite file that is not there is reported, not created empty as SQLite would.
    """
    engine = make_engine(url)
    path = sqlite_path(engine.url)
    if path is not None and not path.exists():
        engine.dispose()
        raise DatabaseUnavailable(
            f"no database at {describe(engine.url)}: the file {path} does not exist — run a crawl or "
            "`gxcrawler db upgrade` to create it, or set GXCRAWLER_DATABASE_URL to your database"
        )
    return check_connection(engine)


def as_engine(engine_or_url: Engine | str | None) -> Engine:
    if isinstance(engine_or_url, Engine):
        return engine_or_url
    return make_engine(engine_or_url)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
