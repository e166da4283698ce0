"""Year trees of the 网站群 platforms: a 年报 column whose sub-columns are years (``2023年度``,
``2022年``); township reports are short pages with ``附件：….pdf/docx`` on a separate file host,
often served as ``application/octet-stream``. A year column is not trusted to hold only its
year (reports get misfiled): the report title decides."""

from ..portal import PortalSpider


class YearTreeSpider(PortalSpider):
    name = None
    family = "year_tree"
