"""CMS-family spider bases: one per URL/markup dialect, shared by the portals that use it."""

from .base import Column, ListedReport, ReportSpider

__all__ = ["Column", "ListedReport", "ReportSpider"]
