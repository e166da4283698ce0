"""砚山县 Yanshan (Wenshan, Yunnan): ``xxgknb`` and year-named columns on the ``/view/`` CMS.

List pages are ``/ysxrmzf/{slug}/pc/list.html`` (a public survey note; the slug ``xxgknb`` is
a guess — if it is wrong, the spider finds the column from the home page by its name).

The general column links its year columns in its side navigation; every column is
crawled and reports are picked by their titles. ``www.yanshan.gov.cn`` (cited by the
reports) redirects to the bare host. Clone proxies (``yanshan.gov.cn.*``) and the
unrelated 盐山县 (``chinayanshan.gov.cn``) are outside ``allowed_domains``.
"""

from __future__ import annotations

from gxcrawler.model import Region

from .families.view_column import ViewColumnSpider


class YanshanSpider(ViewColumnSpider):
    name = "yanshan"
    allowed_domains = ["yanshan.gov.cn"]
    region = Region(province="云南省", city="文山壮族苗族自治州", county="砚山县", division_code="532622", portal="yanshan")
    columns = ("https://yanshan.gov.cn/ysxrmzf/xxgknb/pc/list.html",)
