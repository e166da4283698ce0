"""Guangdong's 政府信息公开目录管理平台 (gkmlpt): ``window._CONFIG`` holds the site id (``SID``)
and the column ``TREE``; the annual-report column's list is
``/gkmlpt/api/all/{column}?page=N&sid=…`` JSON; details ``/gkmlpt/content/…/post_ID.html``."""

from ..portal import PortalSpider


class GkmlptSpider(PortalSpider):
    name = None
    family = "gkmlpt"
