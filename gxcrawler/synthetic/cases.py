"""A generated report rendered one way: the bytes a reader gets, and the truth it must return."""

from __future__ import annotations

from dataclasses import dataclass

from .report import SyntheticReport


@dataclass
class Case:
    """One report rendered one way, ready to parse."""

    layout: str
    report: SyntheticReport  # the truth: values, blank, absent, failing rules, metadata
    content: bytes
    content_type: str | None
    filename: str
    detail: str = ""  # e.g. "gbk/meta"
    #: the address the bytes were served from; given to the parser as ``source``
    url: str | None = None

    @property
    def name(self) -> str:
        extra = f" {self.detail}" if self.detail else ""
        return f"{self.layout} seed={self.report.seed}{extra} {','.join(self.report.deviations)}"

    @property
    def source(self) -> str:
        return self.url or self.name
