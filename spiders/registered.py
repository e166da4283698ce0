"""One spider per registry row that no dedicated spider covers (gxcrawler/data/portals.tsv).

Each is the generic ``portal`` spider with the row's start URLs and region, under the
row's id: ``scrapy crawl ynmg``, and ``gxcrawler crawl-all`` runs them all. Adding a
county to the registry adds its spider; no class is written by hand.
"""

from __future__ import annotations

from gxcrawler import portals

from .portal import PortalSpider


def spider_class(portal: portals.Portal) -> type[PortalSpider]:
    """The spider of one registry row."""
    return type(
        f"Registered_{portal.id}",
        (PortalSpider,),
        {"name": portal.id, "default_start_urls": portal.start_urls, "region": portal.region,
         "__module__": __name__, "__doc__": f"{portal.name} ({portal.family}): {portal.notes}"},
    )


for _portal in portals.registry():
    if not _portal.spider:
        globals()[f"Registered_{_portal.id}"] = spider_class(_portal)
