"""The ``gxcrawler`` command: one sub-command per module in ``gxcrawler.commands``.

Each command module defines ``register(subparsers)`` which adds its parser and sets
``func`` (called with the parsed arguments, returning the exit code). Modules are
imported lazily so that ``gxcrawler parse`` does not pay for Scrapy or SQLAlchemy.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMAND_MODULES = ("parse", "db", "reparse", "crawl_all", "status", "export", "portals", "compare", "review",
                   "new_portal", "nightly")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gxcrawler",
        description="Crawl, parse and load 政府信息公开工作年度报告 statistics.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"gxcrawler.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"gxcrawler.commands.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; a mistake the user can fix is one line on stderr and exit code 2."""
    from gxcrawler.errors import UserError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"gxcrawler {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
