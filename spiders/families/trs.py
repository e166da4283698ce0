"""TRS WCM (拓尔思): ``index.html``, ``index_1.html`` … known from ``createPageHTML(count, …)`` or
``countPage``/``totalPage`` script variables (page 0 is ``index.html``); details
``./YYYYMM/tYYYYMMDD_ID.html``; titles cut with ``...`` in the text, whole in ``title=``;
attachments ``./P0….pdf`` with a dead ``OLDSRC``. The extractors are in
``gxcrawler.discovery.families``; this base only names the family."""

from ..portal import PortalSpider


class TrsSpider(PortalSpider):
    name = None  # a base: registry rows and portal spiders give the name
    family = "trs"
