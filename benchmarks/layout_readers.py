"""Paired accuracy of the transposed-section-三 and column-dump readers on their layouts.

The same cases are parsed twice: once with the readers switched off (``api.turn``,
``api.pipe_rows`` and ``api.rebuild`` made identities), once as shipped, so the difference
is theirs alone.

    python benchmarks/layout_readers.py --n 30
"""

from __future__ import annotations

import argparse

import gxcrawler.parsing.api as api
from gxcrawler.synthetic.accuracy import run, table

LAYOUTS = ("s3/transposed", "docx/s3-transposed", "text/s3-transposed", "dump/columns")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--layout", action="append", help="default: " + ", ".join(LAYOUTS))
    args = ap.parse_args()
    layouts = tuple(args.layout or LAYOUTS)
    kept = api.turn, api.rebuild, api.pipe_rows
    api.turn = lambda tokens: (list(tokens), [])
    api.rebuild = lambda lines, notes=None: list(lines)
    api.pipe_rows = lambda lines: list(lines)
    print("without the readers\n" + table(run(args.n, layouts=layouts)))
    api.turn, api.rebuild, api.pipe_rows = kept
    print("\nwith them\n" + table(run(args.n, layouts=layouts)))


if __name__ == "__main__":
    main()
