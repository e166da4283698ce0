"""A clone (a family simulation under host names of its own, ``clones.py``) answers as its family does.

The clone rewrites its own host names back to the family's in what a request carries: the URL, and the
``Referer``/``Origin`` a browser (or the crawler) sends from the clone's own pages. Before, the Referer
kept the clone's name, so the VSB family's download — which answers an error page unless the Referer is
its own site — gave the error page for every attachment of every VSB clone (1 portal in 7 of the
generated registry lost its attachment reports).
"""

from __future__ import annotations

import threading
from collections import defaultdict

from tests.simulations.clones import Clone
from tests.simulations.registry import simulation


def _vsb():
    clone = Clone(simulation("vsb"), 2, defaultdict(list), threading.Lock())
    item = next(i for i in clone.sim.items if i.file_url and i.role == "report")
    return clone, item


def test_a_vsb_clone_download_with_its_own_pages_referer_is_the_file():
    clone, item = _vsb()
    page, file_url = clone.rewrite(item.url), clone.rewrite(item.file_url)
    assert page.split("/")[2].startswith(clone.name)  # the clone's own host
    answer = clone.handle("GET", file_url, {"Referer": page})
    family = clone.sim.handle("GET", item.file_url, {"referer": item.url})
    assert answer.status == 200 and answer.body == family.body
    assert answer.body.startswith(b"%PDF") or answer.body.startswith(b"PK")


def test_a_vsb_clone_download_without_a_referer_is_still_the_error_page():
    clone, item = _vsb()
    answer = clone.handle("GET", clone.rewrite(item.file_url), {})
    assert answer.status == 200 and b"alert(" in answer.body  # the family's behaviour, kept
