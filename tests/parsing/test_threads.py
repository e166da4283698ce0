"""The crawl parses in a thread pool: concurrent parses give the same results as serial ones."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from gxcrawler.parsing import parse_bytes

from .htmlbuild import render
from .truth import STEMS, load


def test_concurrent_html_parses_agree_with_serial():
    pages = [render(load(s), style).encode("utf-8") for s in STEMS for style in ("official", "nested")] * 4
    serial = [parse_bytes(p, source="s", content_type="text/html").to_json() for p in pages]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(
            pool.map(lambda p: parse_bytes(p, source="s", content_type="text/html").to_json(), pages)
        )
    assert parallel == serial
