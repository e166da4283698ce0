"""Crawl plumbing shared by the spiders: transport, items (and, from others, middlewares).

Request meta contract (middlewares and extensions rely on it):

* ``meta["gx_kind"]`` on every spider request: ``list`` | ``report`` | ``attachment`` |
  ``script`` | ``json``; ``image`` on a report page's table pictures, which the parse pipeline
  fetches (``pipelines.parse``: read with the page as its report; the loader stores each as a
  document of its own linked to the report, ``report_pictures``).
* ``meta["gx_hints"]`` on ``report`` and ``attachment`` requests: a dict with any of
  ``title``, ``agency``, ``published`` (``YYYY-MM-DD``), ``year`` (as listed).
* ``meta["gx_region"]``: the :class:`gxcrawler.model.Region` the document belongs to.
* ``meta["gx_page_url"]`` on ``attachment`` requests: the page that linked it.
"""

KINDS = ("list", "report", "attachment", "script", "json", "image")
