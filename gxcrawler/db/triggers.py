"""Installing and removing the row triggers that keep derived tables exact (PostgreSQL).

``cell_sums``, ``failed_identities`` and the rank values are each kept by a few plpgsql
functions and the triggers that call them; each module declares its triggers as
``name -> "AFTER … ON <table> …"`` and its functions, and these two helpers do the DDL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy.engine import Connection


def trigger_table(definition: str) -> str:
    """The table a ``CREATE TRIGGER`` definition (after the name) is ``ON``."""
    return definition.split(" ON ", 1)[1].split()[0]


def replace_triggers(conn: Connection, triggers: Mapping[str, str]) -> None:
    """(Re)create each trigger: dropped first, so a changed definition replaces the old one."""
    for name, definition in triggers.items():
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {trigger_table(definition)}")
        conn.exec_driver_sql(f"CREATE TRIGGER {name} {definition}")


def drop_triggers(conn: Connection, triggers: Mapping[str, str], functions: Iterable[str]) -> None:
    """Remove the triggers, then the functions they called."""
    for name, definition in triggers.items():
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {trigger_table(definition)}")
    for name in functions:
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
