"""攀枝花 Panzhihua: the city portal and the county/district sites of its shared platform.

Each site's 信息公开工作年度报告 column is a tree (county node → category → agency
folder → documents); the family base walks it. Clone sites (poiraudeau.com,
fydm168.com, …) are outside ``allowed_domains``; wap.panzhihua.gov.cn is inside,
and the platform-wide document ID makes its second path a duplicate.
"""

from __future__ import annotations

from gxcrawler.model import Region

from .families.base import Column
from .families.numeric_shtml import NumericShtmlSpider


def _county(host: str, node: str, county: str | None, code: str, root: str = "/zfxxgk/zfxxgknb/") -> Column:
    region = Region(province="四川省", city="攀枝花市", county=county, division_code=code, portal="panzhihua")
    return Column(url=f"http://{host}{root}{node}index.shtml", region=region)


class PanzhihuaSpider(NumericShtmlSpider):
    name = "panzhihua"
    allowed_domains = [
        "panzhihua.gov.cn",  # www. and wap.
        "screnhe.gov.cn",
        "scdongqu.gov.cn",
        "pzhsxq.gov.cn",
        "scmiyi.gov.cn",
        "scyanbian.gov.cn",
    ]
    region = Region(province="四川省", city="攀枝花市", division_code="510400", portal="panzhihua")
    columns = (
        _county("www.panzhihua.gov.cn", "", None, "510400", root="/zfxxgk1/zfxxgknb/"),
        _county("www.screnhe.gov.cn", "rhq/", "仁和区", "510411"),
        _county("www.scdongqu.gov.cn", "xxgkgzndbg/", "东区", "510402"),
        _county("www.pzhsxq.gov.cn", "xq/", "西区", "510403"),
        _county("www.scmiyi.gov.cn", "myx/", "米易县", "510421"),
        _county("www.scyanbian.gov.cn", "ybx/", "盐边县", "510422"),
    )
