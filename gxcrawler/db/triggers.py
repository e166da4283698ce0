"""Installing and removing the row triggers that keep derived tables exact (PostgreSQL).

``cell_sums``, ``failed_identities``, the rank values and ``report_rates`` are each kept by a few plpgsql
functions and the triggers that call them; each module declares its triggers as
``name -> "AFTER … ON <table> …"`` and its functions' bodies as ``name -> body``, and these
helpers do the DDL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy.engine import Connection


def trigger_table(definition: str) -> str:
    """The table a ``CREATE TRIGGER`` definition (after the name) is ``ON``."""
    return definition.split(" ON ", 1)[1].split()[0]


def function_sql(name: str, body: str, declare: str, definition: str) -> str:
    """``CREATE OR REPLACE FUNCTION name()`` of a trigger: its variables (``declare``; none: ""), ``body``, and
    what it returns — NULL (an AFTER trigger's result is ignored), OLD for a BEFORE DELETE (the row
    to go on deleting). ``definition`` is the trigger's (:data:`TRIGGERS`)."""
    if not definition.startswith("BEFORE"):
        returned = "NULL"
    elif definition.startswith("BEFORE DELETE "):
        returned = "OLD"
    else:
        raise ValueError(f"{name}: say what a {definition.split(' ON ')[0]} trigger returns")
    variables = f"DECLARE\n    {declare};\n" if declare else ""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
{variables}BEGIN{body}
    RETURN {returned};
END
$$"""


def create_triggers(conn: Connection, functions: Mapping[str, str], triggers: Mapping[str, str],
                    declare: str = "") -> None:
    """(Re)create each function (``name -> body``, with the variables ``declare``), then the triggers.

    The statements reach the server as written, with no bind parameters: ``%`` (LIKE patterns),
    ``::`` casts and a ``:word`` inside a literal stay what they are (``text()`` would read
    ``:word`` as a parameter; a driver given parameters would read ``%``).
    """
    for name, body in functions.items():
        sql = function_sql(name, body, declare, triggers[name])
        conn.exec_driver_sql(sql, execution_options={"no_parameters": True})
    replace_triggers(conn, triggers)


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
