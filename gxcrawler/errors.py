"""Mistakes a person can fix, reported as one line instead of a traceback.

Commands (``gxcrawler …``, ``scrapy crawl``) catch :class:`UserError`, print its message on
one line and exit with :attr:`UserError.exit_code` (2: nothing was done). Messages name the
thing that is wrong (an argument, a database URL with its password masked) and the fix.
"""

from __future__ import annotations


class UserError(Exception):
    """An argument or configuration mistake; the message is one line and says what to do."""

    exit_code = 2

    def __str__(self) -> str:
        return " ".join(super().__str__().split())  # one line, whatever the message was built from
