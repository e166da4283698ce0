"""gxcrawler: China's county and township open-government annual reports, as one dataset.

The core (parsing, template catalog, checks, database) lives here and works without
Scrapy; the Scrapy shell is in the top-level ``spiders`` and ``pipelines`` packages.
"""

__version__ = "0.1.0"
