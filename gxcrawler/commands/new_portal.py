"""``gxcrawler new-portal ID --name … --start-url … --province …``: scaffold a portal.

Writes its registry row (gxcrawler/data/portals.tsv) — or, with ``--class``, a spider class
in spiders/ on its family's base — an offline simulation stub in tests/simulations/ and a
test in tests/portals/ that crawls the stub. Run it from the repository root.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    from gxcrawler.portals import FAMILIES

    p = subparsers.add_parser("new-portal", help="scaffold a portal: registry row or class, simulation stub, test",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("id", help="lower-case id, also the spider name (e.g. ynxc)")
    p.add_argument("--name", required=True, help="the portal's publisher, e.g. 西畴县人民政府")
    p.add_argument("--start-url", required=True, help="the annual-report column (or the home page)")
    p.add_argument("--province", required=True)
    p.add_argument("--city", default="")
    p.add_argument("--county", default="")
    p.add_argument("--code", default="", help="GB/T 2260 code of the county (6 digits)")
    p.add_argument("--family", default="auto", choices=FAMILIES, help="CMS family [auto: recognised on each page]")
    p.add_argument("--class", dest="with_class", action="store_true",
                   help="write a spider class in spiders/ instead of relying on the registry row alone")
    p.add_argument("--root", type=Path, default=Path.cwd(), help="repository root [the working directory]")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from gxcrawler.scaffold import NewPortal, write

    new = NewPortal(id=args.id, name=args.name, start_url=args.start_url, province=args.province, city=args.city,
                    county=args.county, code=args.code, family=args.family, with_class=args.with_class)
    for path in write(args.root.resolve(), new):
        print(f"wrote {path}")
    print(f"next: python -m pytest tests/portals/test_{new.id}.py   then make the simulation the real portal;\n"
          f"      name the portal's host ({new.host}) with its evidence in docs/spec/portals.md")
    return 0
