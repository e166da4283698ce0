"""洛宁县 Luoning (Luoyang, Henan): the 政府信息公开年报 column on the Henan dated-URL CMS.

Reports are mostly attachments: PDFs on the city's file host ``oss.ly.gov.cn``
(allowed explicitly; the rest of ``ly.gov.cn`` is another portal) and DOCX files on
the county host. Both ``www.luoning.gov.cn`` and ``luoning.gov.cn`` serve the site.
"""

from __future__ import annotations

from gxcrawler.model import Region

from .families.henan_dated import HenanDatedSpider


class LuoningSpider(HenanDatedSpider):
    name = "luoning"
    allowed_domains = ["luoning.gov.cn", "oss.ly.gov.cn"]
    region = Region(province="河南省", city="洛阳市", county="洛宁县", division_code="410328", portal="luoning")
    columns = ("http://www.luoning.gov.cn/3/40/",)
