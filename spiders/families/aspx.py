"""ASP.NET CMSs (PowerEasy-like, ``.aspx``): list pagers that post the form back
(``__doPostBack(target, argument)`` with ``__VIEWSTATE``/``__EVENTVALIDATION``); the pages are
one URL told apart by the posted form."""

from ..portal import PortalSpider


class AspxSpider(PortalSpider):
    name = None
    family = "aspx"
