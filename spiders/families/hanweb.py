"""Hanweb 大汉 jcms: ``/col/colN/index.html`` whose list is an XML island
(``<script type="text/xml"><datastore><recordset><record><![CDATA[…]]>``), the rest POSTed from
``/module/web/jpage/dataproxy.jsp?startrecord=…&endrecord=…&perpage=…`` with the form fields
the page carries (``col, appid, webid, path, columnid, sourceContentType, unitid, webname,
permissiontype``); details ``/art/Y/M/D/art_COL_ID.html`` (the ID is the document, whatever
column quotes it); files through ``/module/download/downfile.jsp?…``."""

from ..portal import PortalSpider


class HanwebSpider(PortalSpider):
    name = None
    family = "hanweb"
