"""Read-only PostgreSQL login roles for analysts (``gxcrawler db create-reader``).

A reader may connect, see the schema and SELECT every table and view, including the
ones later migrations create: ``ALTER DEFAULT PRIVILEGES`` covers objects created by
the role that runs this (run it as the role that runs ``gxcrawler db upgrade``). It
gets no INSERT/UPDATE/DELETE/TRUNCATE and no CREATE on the schema, and its sessions
start read-only (``default_transaction_read_only``) as a second fence.

Roles belong to the whole server, not to one database: :func:`drop_reader` revokes
what this database granted and drops the role.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from psycopg2 import sql
from sqlalchemy.engine import Engine

from .engine import is_postgres

#: a plain lower-case identifier: no quoting surprises in psql or connection URLs
NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RoleError(ValueError):
    """The reader cannot be created (bad name, not PostgreSQL, ...)."""


@dataclass
class Reader:
    name: str
    created: bool  # False: the role existed and was re-granted
    password: str | None  # the password set, when one was set


def create_reader(
    engine: Engine, name: str, password: str | None = None, *, generate_password: bool = True
) -> Reader:
    """Create (or re-grant) the login role ``name`` that can only read ``schema public``."""
    if not is_postgres(engine):
        raise RoleError("reader roles need PostgreSQL; open an SQLite file read-only instead (?mode=ro)")
    if not NAME.match(name):
        raise RoleError(f"role name {name!r}: use lower-case letters, digits and _ (at most 63)")
    if password is None and generate_password:
        password = secrets.token_urlsafe(18)
    role = sql.Identifier(name)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
        exists = cur.fetchone() is not None
        verb = sql.SQL("ALTER ROLE" if exists else "CREATE ROLE")
        options = sql.SQL("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS")
        if password is not None:
            cur.execute(sql.SQL("{} {} {} PASSWORD %s").format(verb, role, options), (password,))
        else:
            cur.execute(sql.SQL("{} {} {}").format(verb, role, options))
        cur.execute("SELECT current_database()")
        database = sql.Identifier(cur.fetchone()[0])
        for statement in (
            "GRANT CONNECT ON DATABASE {db} TO {role}",
            "GRANT USAGE ON SCHEMA public TO {role}",
            "REVOKE CREATE ON SCHEMA public FROM {role}",
            "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
            "GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {role}",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON SEQUENCES TO {role}",
            "ALTER ROLE {role} IN DATABASE {db} SET default_transaction_read_only = on",
        ):
            cur.execute(sql.SQL(statement).format(role=role, db=database))
        raw.commit()
    finally:
        raw.close()
    return Reader(name, not exists, password)


def drop_reader(engine: Engine, name: str) -> bool:
    """Revoke this database's grants to ``name`` and drop the role; False if it did not exist.

    If the role holds grants in other databases, run ``DROP OWNED BY`` there first.
    """
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
        if cur.fetchone() is None:
            return False
        role = sql.Identifier(name)
        cur.execute(sql.SQL("DROP OWNED BY {}").format(role))
        cur.execute(sql.SQL("DROP ROLE {}").format(role))
        raw.commit()
        return True
    finally:
        raw.close()
