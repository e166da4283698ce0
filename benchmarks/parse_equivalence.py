"""Does a changed parser read exactly what the old one read? Byte-for-byte, on a fixed corpus.

    python benchmarks/parse_equivalence.py --write /tmp/before.jsonl.gz     # on the old code
    python benchmarks/parse_equivalence.py --compare /tmp/before.jsonl.gz   # on the new code
    python benchmarks/parse_equivalence.py --compare F --only html          # a quick subset

A speed change to the parser must not change a single cell, warning or metadata field
(a wrong number is the worst outcome), so every result is written in a canonical form
that keeps *everything* ``ParseResult`` holds — values as exact ``Decimal`` strings,
every check and narrative sentence, warnings in order — and compared as bytes.

The corpus is deterministic: every file under ``tests/data``; every template and
unseen layout of ``gxcrawler.synthetic.accuracy``; the pages of
``benchmarks/parse_speed.py`` (four styles × four encodings × four declarations, with
and without site chrome, i.e. the 7 KiB and 40+ KiB buckets; and in a whole portal page, the
10–40 KiB ones); *mutated* HTML pages
(cells dropped, rows duplicated or swapped, digits changed, a page cut short), which
take the parser's warning and fallback paths that clean reports never reach; and every PDF the
crawl simulations serve (the five simulations' and the all-PDF Luoning portal's, ``--only pdf``).
For a PDF the reader's whole ``ExtractedDocument`` (text, tables, images, title, warnings) is
kept too, not only what the parser made of it. ``--only word`` (not in the default corpus) is
every Word file: the Word layouts (``docx``, ``docx/…``, ``doc/…``) with ``n`` seeds each (not
``n / 5``), every distinct DOCX the crawl simulations serve (the five simulations' and the
Luoning portal with every report a DOCX) and the Word files under ``tests/data``, each with the
reader's whole ``ExtractedDocument`` too.

Runs under ``PYTHONHASHSEED=0`` unless the variable is set (it restarts itself so): output
that follows the process's string hashing (a set of strings iterated into the warnings)
would differ between two runs of the same code. Writing the corpus under two seeds and
comparing the files finds such places.
To make a baseline of other code, put its package first: ``PYTHONPATH=/old/tree``.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import hashlib
import json
import os
import random
import re
import sys
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from gxcrawler.formats import read
from gxcrawler.parsing import parse_bytes
from gxcrawler.synthetic import ENCODINGS, STYLES, make_report, render_page_html
from gxcrawler.synthetic.accuracy import ALL_LAYOUTS, make_any_case
from gxcrawler.synthetic.html import DECLARATIONS
from gxcrawler.synthetic.unseen import UNSEEN_LAYOUTS

ROOT = Path(__file__).resolve().parent.parent
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: layouts and files of ``--only word``
WORD_LAYOUTS = ("docx", "doc/")
WORD_FILES = (".doc", ".docx", ".wps")
#: layouts whose reading is dominated by a PDF/DOCX/OCR reader: fewer seeds (slow, and
#: their table reading after the reader is the same aligner the text layouts exercise)
SLOW = ("pdf", "docx", "ocr/", "pdf/", "docx/", "sheet/", "doc/")

#: one document of the corpus: (name, bytes, content type, filename)
Doc = tuple[str, bytes, str | None, str]


def _plain(value: Any) -> Any:
    """A JSON-able copy that loses nothing: Decimals as their exact string, dates ISO."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical(doc: Doc) -> str:
    """The whole ``ParseResult`` of one document as one line of JSON."""
    name, body, content_type, filename = doc
    result: Any = parse_bytes(body, source=name, content_type=content_type, filename=filename)
    if content_type == PDF_TYPE:  # the reader's output too: the parser may not show every change
        result = {"read": read(body, "pdf"), "parse": result}
    elif name.startswith("word:"):
        try:
            doc: Any = read(body, "doc" if filename.endswith((".doc", ".wps")) else "docx")
        except Exception as exc:  # noqa: BLE001 - a file the reader refuses: its message is the result
            doc = f"{type(exc).__name__}: {exc}"
        result = {"read": doc, "parse": result}
    return json.dumps(_plain(result), ensure_ascii=False, sort_keys=False)


def _mutate(body: bytes, rng: random.Random) -> bytes:
    """One to three edits of the kind real pages have: a cell lost, a row twice, digits off."""
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(6)
        cells = [m.span() for m in re.finditer(rb"<td[^>]*>.*?</td>", body, re.S)]
        rows = [m.span() for m in re.finditer(rb"<tr[^>]*>.*?</tr>", body, re.S)]
        if kind == 0 and cells:  # a cell dropped: the rest of its row shifts
            a, b = rng.choice(cells)
            body = body[:a] + body[b:]
        elif kind == 1 and rows:  # a row printed twice
            a, b = rng.choice(rows)
            body = body[:b] + body[a:b] + body[b:]
        elif kind == 2 and len(rows) > 1:  # two neighbouring rows swapped
            i = rng.randrange(len(rows) - 1)
            (a, b), (c, d) = rows[i], rows[i + 1]
            if b <= c:
                body = body[:a] + body[c:d] + body[b:c] + body[a:b] + body[d:]
        elif kind == 3:  # a digit changed (identities fail, narrative disagrees)
            digits = [m.start() for m in re.finditer(rb"\d", body)]
            if digits:
                at = rng.choice(digits)
                body = body[:at] + str(rng.randrange(10)).encode() + body[at + 1 :]
        elif kind == 4:  # the page cut short (a truncated download)
            body = body[: rng.randrange(len(body) // 3, len(body))]
        elif kind == 5 and cells:  # a cell's text doubled (run-together digits)
            a, b = rng.choice(cells)
            inner = re.sub(rb"(>)(\d+)(<)", lambda m: m[1] + m[2] + m[2] + m[3], body[a:b], count=1)
            body = body[:a] + inner + body[b:]
    return body


def corpus(n: int, only: str | None = None) -> Iterator[Doc]:
    """Every document of the fixed corpus, in a fixed order (``n`` seeds per layout)."""
    if only in (None, "files"):
        for path in sorted((ROOT / "tests" / "data").rglob("*")):
            if path.is_file():
                yield (f"file:{path.relative_to(ROOT)}", path.read_bytes(), None, path.name)
    if only in (None, "layouts"):
        for layout in (*ALL_LAYOUTS, *UNSEEN_LAYOUTS):
            count = max(2, n // 5) if layout.startswith(SLOW) else n
            for seed in range(count):
                case = make_any_case(layout, seed)
                yield (f"layout:{case.name}|{case.source}", case.content, case.content_type, case.filename)
    if only in (None, "html", "mutated"):
        for seed in range(2000, 2000 + 4 * n):
            report = make_report(seed, deviations=seed % 2 == 0, consistent=seed % 5 != 0)
            style = STYLES[seed % len(STYLES)]
            encoding = ENCODINGS[(seed // len(STYLES)) % len(ENCODINGS)]
            declare = DECLARATIONS[(seed // 16) % len(DECLARATIONS)]
            body, headers = render_page_html(report, style, encoding=encoding, declare=declare, chrome=seed % 2 == 0)
            name = f"page:{seed}/{style}/{encoding}/{declare}"
            if only in (None, "html"):
                yield (name, body, headers.get("Content-Type"), "detail.html")
            if only in (None, "mutated"):
                rng = random.Random(seed)
                yield (f"mutated:{name}", _mutate(body, rng), headers.get("Content-Type"), "detail.html")
    if only in (None, "portal"):  # the report in a whole portal page (10–40 KiB; Word exports 70–100)
        for seed in range(6000, 6000 + n // 2):
            report = make_report(seed, deviations=seed % 2 == 0, consistent=seed % 5 != 0)
            style = STYLES[seed % len(STYLES)]
            encoding = ENCODINGS[(seed // len(STYLES)) % len(ENCODINGS)]
            declare = DECLARATIONS[(seed // 16) % len(DECLARATIONS)]
            body, headers = render_page_html(report, style, encoding=encoding, declare=declare, chrome="portal")
            name = f"portal:{seed}/{style}/{encoding}/{declare}"
            yield (name, body, headers.get("Content-Type"), "detail.html")
            yield (f"mutated:{name}", _mutate(body, random.Random(seed)), headers.get("Content-Type"), "detail.html")
    if only in (None, "pdf"):
        yield from simulation_pdfs()
    if only == "word":
        yield from word_documents(n)


def word_documents(n: int) -> Iterator[Doc]:
    """Every Word file of ``--only word``: layouts (``n`` seeds each), the simulations', ``tests/data``'s."""
    for path in sorted((ROOT / "tests" / "data").rglob("*")):
        if path.is_file() and path.name.endswith(WORD_FILES):
            yield (f"word:file:{path.relative_to(ROOT)}", path.read_bytes(), None, path.name)
    for layout in (*ALL_LAYOUTS, *UNSEEN_LAYOUTS):
        if layout.startswith(WORD_LAYOUTS):
            for seed in range(n):
                case = make_any_case(layout, seed)
                yield (f"word:layout:{case.name}|{case.source}", case.content, case.content_type, case.filename)
    yield from simulation_word()


def simulation_word() -> Iterator[Doc]:
    """Every distinct DOCX the crawl simulations serve: the five's and the Luoning portal with every
    report a DOCX."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.simulations.luoning import LuoningSimulation
    from tests.simulations.registry import NAMES, all_simulations

    seen = set()  # by address: a DOCX's bytes carry the second it was made (its zip entries' times)
    for sim in (*all_simulations(NAMES), LuoningSimulation(publish_as="docx")):
        for report in sim.expected_reports():
            if report.source_type == "docx" and report.document_url not in seen:
                seen.add(report.document_url)
                body = sim.handle("GET", report.document_url, {}).body
                yield (f"word:sim:{sim.name}/{report.document_url}", body, DOCX_TYPE, "report.docx")


def simulation_pdfs() -> Iterator[Doc]:
    """Every distinct PDF the crawl simulations serve: the five of ``crawl_speed.py --workload five``
    and its all-PDF Luoning portal (``--workload pdf``)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.simulations.luoning import LuoningSimulation
    from tests.simulations.registry import NAMES, all_simulations

    seen = set()
    for sim in (*all_simulations(NAMES), LuoningSimulation(publish_as="pdf")):
        for report in sim.expected_reports():
            if report.source_type != "pdf":
                continue
            body = sim.handle("GET", report.document_url, {}).body
            digest = hashlib.sha256(body).hexdigest()
            if digest not in seen:
                seen.add(digest)
                yield (f"pdf:{sim.name}/{report.document_url}", body, PDF_TYPE, "report.pdf")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    what = ap.add_mutually_exclusive_group(required=True)
    what.add_argument("--write", type=Path, metavar="FILE", help="write the canonical results (.jsonl.gz)")
    what.add_argument("--compare", type=Path, metavar="FILE", help="compare with results written before")
    ap.add_argument("--n", type=int, help="seeds per layout; 4n plain and 4n mutated pages (default 60, or the file's)")
    ap.add_argument("--only", choices=("files", "layouts", "html", "mutated", "portal", "pdf", "word"), help="a subset of the corpus")
    ap.add_argument("--show", type=int, default=5, help="differences to print")
    args = ap.parse_args(argv)
    if "PYTHONHASHSEED" not in os.environ and argv is None:
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    started = time.process_time()
    if args.write:
        count = 0
        digest = hashlib.sha256()
        args.n = args.n or 60
        with gzip.open(args.write, "wt", encoding="utf-8") as out:
            out.write(json.dumps({"n": args.n, "only": args.only}) + "\n")
            for doc in corpus(args.n, args.only):
                line = json.dumps([doc[0], canonical(doc)], ensure_ascii=False)
                digest.update(line.encode())
                out.write(line + "\n")
                count += 1
        print(f"{count} documents written to {args.write} (sha256 {digest.hexdigest()[:16]}), "
              f"{time.process_time() - started:.1f} s CPU")
        return 0
    with gzip.open(args.compare, "rt", encoding="utf-8") as inp:
        written = json.loads(next(inp))  # the corpus the file holds: the same by default
        before = dict(json.loads(line) for line in inp)
    same = differ = unknown = 0
    for doc in corpus(args.n or written["n"], args.only or written["only"]):
        old = before.get(doc[0])
        if old is None:
            unknown += 1
            continue
        new = canonical(doc)
        if new == old:
            same += 1
            continue
        differ += 1
        if differ <= args.show:
            print(f"DIFFERS: {doc[0]}\n  before: {old[:600]}\n  now:    {new[:600]}")
    print(f"{same} identical, {differ} different, {unknown} not in {args.compare}; "
          f"{time.process_time() - started:.1f} s CPU")
    return 1 if differ or unknown or not same else 0


if __name__ == "__main__":
    sys.exit(main())
