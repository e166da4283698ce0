"""Read the statistics tables of a 政府信息公开工作年度报告 into canonical keys.

Entry points (none of them raise; bad input gives ``status="error"``):

* ``parse_bytes(content, source=..., content_type=..., filename=..., hints=...)``
* ``parse_text(text, source=..., hints=...)`` — plain-text flattenings
* ``parse_extracted(doc, source=..., hints=...)`` — output of ``gxcrawler.formats.read``
* ``parse_path(path, hints=...)``
* ``sniff_type(content, content_type, filename)`` — html | text | pdf | docx | doc | xlsx | xls | mht
"""

from .api import parse_bytes, parse_extracted, parse_html_text, parse_path, parse_text, sniff_type

__all__ = ["parse_bytes", "parse_extracted", "parse_html_text", "parse_path", "parse_text", "sniff_type"]
