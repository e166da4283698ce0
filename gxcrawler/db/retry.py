"""Which database failures are worth trying again, and trying them again: one classification for every writer.

A write that fails is one of three things:

* **transient** — the server is there and asks for the statement again: a deadlock (SQLSTATE
  ``40P01``), a serialization failure (``40001``), a lock not available (``55P03``: ``lock_timeout``,
  ``NOWAIT``), or a connection dropped under the statement (SQLAlchemy invalidates it, so the next
  attempt connects anew). :func:`retrying` tries it again a few times, a short backoff apart.
* **unavailable** — the database cannot be reached or used now (connection refused, timed out, no
  pooled connection, any other operational or interface error): trying again at once is pointless;
  the crawl keeps the work (retried later, spooled at the end) and says "database unavailable".
* anything else — the statement or the data is at fault (a constraint violation, a programming
  error): it surfaces at once, never retried.

Why one place: the ledger's drain, the run record and the loader's batches each decided this on their
own (by exception name prefixes), and the drain called a deadlock an outage and failed the night.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Collection
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: SQLSTATEs a writer may simply try again
TRANSIENT_SQLSTATES = {
    "40P01": "deadlock detected",
    "40001": "serialization failure",
    "55P03": "lock not available",
}
#: the "SQLSTATE" of a connection dropped under a statement (it has none)
DISCONNECT = "connection lost"
#: :func:`retry_reason` of a database that cannot be reached (not transient)
UNAVAILABLE = "unavailable"
#: how many times a transient failure is tried again by default (``GX_DB_RETRIES``)
DEFAULT_RETRIES = 5
#: PEP 249 error classes (any driver) that mean the database, not the statement, failed
_OPERATIONAL = ("OperationalError", "InterfaceError", "DisconnectionError", "TimeoutError", "ConnectionError")


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE the server sent with ``exc`` (a DBAPI error or SQLAlchemy's wrapper of one), if any."""
    for err in (exc, getattr(exc, "orig", None)):
        code = getattr(err, "pgcode", None) or getattr(err, "sqlstate", None)  # psycopg2, psycopg 3
        if isinstance(code, str) and code:
            return code
    return None


def transient(exc: BaseException) -> str | None:
    """The SQLSTATE of a transient failure (:data:`TRANSIENT_SQLSTATES`), :data:`DISCONNECT` for a
    connection SQLAlchemy found dropped under the statement, else None."""
    code = sqlstate(exc)
    if code in TRANSIENT_SQLSTATES:
        return code
    if getattr(exc, "connection_invalidated", False):  # a refused connection is not: it never was
        return DISCONNECT
    return None


#: SQLSTATE classes of an operational error that is the server's state, not the statement's: a
#: connection exception, insufficient resources (disk full, out of memory, too many connections),
#: operator intervention by shutdown (``57P``: shut down, crashed, starting up), a system error
_SERVER_STATES = ("08", "53", "57P", "58")


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` is the database's failure (unreachable, shut down, out of resources), not the
    statement's or the data's. An operational error the server sent with another SQLSTATE is the
    statement's: a statement timeout (``57014``) on one report would otherwise be spooled, and its
    replay would fail the same way each night in front of every report spooled after it."""
    if not any(cls.__name__ in _OPERATIONAL for cls in type(exc).__mro__):
        return False
    code = sqlstate(exc)
    return code is None or code.startswith(_SERVER_STATES)


def retry_reason(exc: BaseException) -> str | None:
    """Why work that raised ``exc`` may succeed when tried again: its transient SQLSTATE (or
    :data:`DISCONNECT`), :data:`UNAVAILABLE`, or None when the work itself is at fault."""
    return transient(exc) or (UNAVAILABLE if unavailable(exc) else None)


def is_transient(reason: str | None) -> bool:
    """Whether a :func:`retry_reason` asks to try again at once."""
    return reason is not None and reason != UNAVAILABLE


def backoff(attempt: int) -> float:
    """Seconds before try ``attempt + 1`` (1-based): 0.1, 0.2, 0.4 … (at most 2), jittered so two
    writers that deadlocked each other do not meet again."""
    return min(0.1 * 2 ** (attempt - 1), 2.0) * random.uniform(0.5, 1.0)


def describe(code: str) -> str:
    """A transient failure as the log names it: ``lock not available (SQLSTATE 55P03)``, ``connection lost``."""
    return f"{TRANSIENT_SQLSTATES[code]} (SQLSTATE {code})" if code in TRANSIENT_SQLSTATES else code


def announce(code: str, what: str, attempt: int, attempts: int, delay: float) -> None:
    """The WARNING of one retry: which failure (SQLSTATE), of what, which try."""
    logger.warning("database: %s in %s; retry %d of %d in %.2f s", describe(code), what, attempt, attempts, delay)


def retrying(work: Callable[..., T], *args: Any, attempts: int = DEFAULT_RETRIES,
             on_retry: Callable[[str], None] | None = None, codes: Collection[str] | None = None,
             **kwargs: Any) -> T:
    """``work(*args, **kwargs)``, tried again up to ``attempts`` times while it fails transiently
    (``on_retry(sqlstate)`` before each retry); with ``codes``, only those failures (e.g.
    :data:`TRANSIENT_SQLSTATES` for work on one connection, which a dropped one cannot redo).
    Blocks while it waits: call it off the reactor.

    ``work`` must be its own transaction (a store function given the engine): a retry runs all of it again.
    """
    attempt = 0
    while True:
        try:
            return work(*args, **kwargs)
        except Exception as exc:
            code = transient(exc)
            if code is None or attempt >= attempts or (codes is not None and code not in codes):
                raise
            attempt += 1
            delay = backoff(attempt)
            announce(code, getattr(work, "__name__", repr(work)), attempt, attempts, delay)
            if on_retry is not None:
                on_retry(code)
            time.sleep(delay)
