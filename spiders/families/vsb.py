"""Boda VSB (博达 Visual SiteBuilder): details ``/info/{col}/{id}.htm``; list pages numbered
downwards (``{col}.htm``, ``{col}/N-1.htm`` … ``{col}/1.htm``, the count in ``共N页``);
attachments through ``download.jsp?…`` without a file extension, typed by the parser from
``Content-Type``/``Content-Disposition``/magic bytes."""

from ..portal import PortalSpider


class VsbSpider(PortalSpider):
    name = None
    family = "vsb"
