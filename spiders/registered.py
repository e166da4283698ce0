"""One spider per registry row that no dedicated spider covers (gxcrawler/data/portals.tsv).

Each is the generic ``portal`` spider with the row's start URLs and region, under the
row's id: ``scrapy crawl ynmg``, and ``gxcrawler crawl-all`` runs them all. Adding a
county to the registry adds its spider; no class is written by hand.
"""

from __future__ import annotations

from gxcrawler import portals

from .families.aspx import AspxSpider
from .families.gkmlpt import GkmlptSpider
from .families.hanweb import HanwebSpider
from .families.nbyear import NbYearSpider
from .families.trs import TrsSpider
from .families.vsb import VsbSpider
from .families.year_tree import YearTreeSpider
from .portal import PortalSpider

#: the family bases a registry row's ``family`` selects; others crawl with the generic spider,
#: which recognises the family on each page
FAMILY_BASES: dict[str, type[PortalSpider]] = {
    "trs": TrsSpider, "hanweb": HanwebSpider, "vsb": VsbSpider, "gkmlpt": GkmlptSpider,
    "year_tree": YearTreeSpider, "aspx": AspxSpider, "nbyear": NbYearSpider,
}


def spider_class(portal: portals.Portal) -> type[PortalSpider]:
    """The spider of one registry row: its family's base, else the generic spider."""
    return type(
        f"Registered_{portal.id}",
        (FAMILY_BASES.get(portal.family, PortalSpider),),
        {"name": portal.id, "default_start_urls": portal.start_urls, "region": portal.region,
         "family": None if portal.family == "auto" else portal.family,
         "__module__": __name__, "__doc__": f"{portal.name} ({portal.family}): {portal.notes}"},
    )


for _portal in portals.registry():
    if not _portal.spider:
        globals()[f"Registered_{_portal.id}"] = spider_class(_portal)
