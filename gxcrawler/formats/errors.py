"""Errors of the format readers; their messages end up in a report's ``message``."""

from __future__ import annotations


class FormatError(Exception):
    """The file could not be read (corrupt, too large, unsupported)."""


class NoConverterError(FormatError):
    """A legacy Word file arrived and no converter is installed."""

    def __init__(self, message: str = "no converter for .doc (install antiword or libreoffice)") -> None:
        super().__init__(message)
