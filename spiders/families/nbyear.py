"""Lincang's 年报 pages (Yunnan): ``zfxxgk_{county}_{org}/zfxxgknb.html?nbYear=YYYY``, one page per
agency and year that is both a list (other years, other agencies) and the report itself."""

from ..portal import PortalSpider


class NbYearSpider(PortalSpider):
    name = None
    family = "nbyear"
