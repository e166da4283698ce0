"""Pure-Python detectors shared by every spider (no Scrapy).

Portals differ in URL shapes and markup, but the questions a crawler asks are the
same everywhere: *is this link an annual report, and of which year?*, *which links
lead to the next list page?*, *which links are downloadable documents?*, *is this
host a clone site?*, *which CMS family built this page?*. Answering them once, here,
keeps portal spiders declarative and lets the generic ``portal`` spider work on sites
no one has configured.

* :mod:`.titles` — report titles, their year and agency; decoys rejected.
* :mod:`.links` — report rows, pagination, attachments.
* :mod:`.pages` — a report page's publisher, heading and tables.
* :mod:`.hosts` — clone sites, government hosts, a portal's domain.
"""

from .hosts import CLONE_HOSTS, allowed_domains_for, host_of, is_government_host, is_mirror, site_domain
from .links import (
    ATTACHMENT_EXTENSIONS,
    Link,
    NavLink,
    attachment_links,
    is_entry_name,
    is_report_column_name,
    navigation_links,
    pagination_links,
    report_links,
)
from .pages import (
    clean_agency,
    has_statistics_tables,
    labelled_agency,
    metadata_table,
    page_agency,
    page_heading,
    page_title,
    table_images,
)
from .titles import (
    DECOY_WORDS,
    agency_in_title,
    fold_title,
    is_annual_report,
    is_decoy,
    normalize_title,
    parse_year_filter,
    report_year,
    title_agency,
)

__all__ = [
    "NavLink", "is_entry_name", "is_report_column_name", "navigation_links",
    "labelled_agency", "agency_in_title", "clean_agency", "is_decoy", "page_title",
    "ATTACHMENT_EXTENSIONS", "CLONE_HOSTS", "DECOY_WORDS", "Link", "allowed_domains_for", "attachment_links",
    "fold_title", "has_statistics_tables", "host_of", "is_annual_report", "is_government_host", "is_mirror",
    "metadata_table", "normalize_title", "page_agency", "page_heading", "pagination_links", "parse_year_filter",
    "report_links", "report_year", "site_domain", "table_images", "title_agency",
]
