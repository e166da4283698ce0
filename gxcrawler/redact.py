"""Mask credentials before text reaches a log, an error message or the database.

Credentials come only from the environment (``GXCRAWLER_DATABASE_URL``, proxies);
they travel inside URLs (``postgresql://user:secret@host/db``) and libpq-style
strings (``password=secret``). :func:`redact` keeps the user and host, so a message
still says which database or server failed, and replaces the secret with ``***``.
:class:`RedactingFilter` applies it to every log record of a crawl.
"""

from __future__ import annotations

import logging
import re

_URL_SECRET = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s'\"]*):(?P<secret>[^@/\s'\"]+)@")
_KEYWORD_SECRET = re.compile(r"(?P<head>\b(?:password|passwd|pwd)\s*[=:]\s*)(?P<secret>[^\s&;'\",]+)", re.I)


def redact(text: str) -> str:
    """``text`` with every password in a URL or ``password=…`` replaced by ``***``."""
    if not text or ("@" not in text and "=" not in text and ":" not in text):
        return text
    text = _URL_SECRET.sub(lambda m: f"{m.group('head')}:***@", text)
    return _KEYWORD_SECRET.sub(lambda m: f"{m.group('head')}***", text)


class RedactingFilter(logging.Filter):
    """A logging filter that masks credentials in the formatted message (and its traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logging's business, not ours
            return True
        clean = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


def install_log_redaction() -> None:
    """Mask credentials in everything the root logger's handlers write (idempotent)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
