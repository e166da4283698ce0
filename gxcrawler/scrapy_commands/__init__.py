"""The project's Scrapy commands (``COMMANDS_MODULE`` in ``gxcrawler.settings``).

``crawl`` is Scrapy's with what an unattended crawl needs: arguments and the database
checked before any request (one line each, exit 2), and an exit code from the run's
verdict (:mod:`gxcrawler.crawl.runner`: 0 success, 1 failed its monitors, 2 usage or
configuration error, 3 interrupted — the same codes as ``gxcrawler crawl-all``).
``fetch``, ``shell`` and ``view`` are Scrapy's, except that they record no crawl run.
"""
