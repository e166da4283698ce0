"""A spool on disk for what the database could not take: loaded or applied at the next start.

When PostgreSQL goes away mid-crawl, parsed reports are retried with backoff; what is
still not written when the crawl ends goes here, one JSON file per report (its bytes
beside it), plus the run's pending fetch rows, redirect aliases and its run-record update. The next crawl
of the same spider (or ``gxcrawler crawl-all``) loads the reports and applies the rows
before it starts, then deletes the files. Nothing is pickled: a spool file is data.

Layout: ``<GX_SPOOL_DIR>/<spider>/reports/<n>.json`` + ``<sha256>.bin``, ``rows/<n>.json``.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, fields
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from gxcrawler.model import Check, ParseResult, Provenance, Region

logger = logging.getLogger(__name__)


def spool_dir(settings) -> Path:
    """``GX_SPOOL_DIR``, else ``<GX_CRAWLS_DIR>/spool`` (``crawls/spool``)."""
    return Path(settings.get("GX_SPOOL_DIR") or Path(settings.get("GX_CRAWLS_DIR") or "crawls") / "spool")


def report_to_json(result: ParseResult, prov: Provenance, region: Region) -> dict[str, Any]:
    r = asdict(result)
    r["values"] = {k: str(v) for k, v in result.values.items()}
    r["checks"] = [_check_to_json(c) for c in result.checks]
    r["narrative"] = [_check_to_json(c) for c in result.narrative]
    r["published"] = result.published.isoformat() if result.published else None
    p = {f.name: getattr(prov, f.name) for f in fields(prov) if f.name != "content"}
    p["fetched_at"] = prov.fetched_at.isoformat() if prov.fetched_at else None
    p["sha256"] = prov.sha256
    # a page's table pictures: (url, sha256), their bytes in blobs beside the page's (Spool.put_report)
    p["pictures"] = [[url, sha] for (url, _), sha in zip(prov.pictures, prov.picture_shas, strict=True)]
    return {"result": r, "provenance": p, "region": asdict(region)}


def report_from_json(
    data: dict[str, Any], content: bytes, blobs: dict[str, bytes] | None = None
) -> tuple[ParseResult, Provenance, Region]:
    r = dict(data["result"])
    r["values"] = {k: Decimal(v) for k, v in r["values"].items()}
    r["checks"] = [_check_from_json(c) for c in r["checks"]]
    r["narrative"] = [_check_from_json(c) for c in r.get("narrative", [])]  # older spool files have none
    r["published"] = date.fromisoformat(r["published"]) if r["published"] else None
    p = {k: v for k, v in data["provenance"].items() if k != "sha256"}
    p["fetched_at"] = datetime.fromisoformat(p["fetched_at"]) if p["fetched_at"] else None
    p["pictures"] = [(url, (blobs or {})[sha]) for url, sha in p.get("pictures") or ()]
    prov = Provenance(content=content, **p)
    if prov.sha256 != data["provenance"]["sha256"]:
        raise ValueError("spooled bytes do not match their hash")
    return ParseResult(**r), prov, Region(**data["region"])


def _check_to_json(c: Check) -> dict[str, Any]:
    out = {"rule": c.rule, "ok": c.ok, "left": str(c.left), "right": str(c.right)}
    if c.sentence is not None:
        out["sentence"] = c.sentence
    return out


def _check_from_json(c: dict[str, Any]) -> Check:
    return Check(c["rule"], c["ok"], Decimal(c["left"]), Decimal(c["right"]), c.get("sentence"))


class Spool:
    """The spool of one spider."""

    def __init__(self, base: str | Path, spider: str) -> None:
        self.root = Path(base) / spider
        self.reports_dir = self.root / "reports"
        self.rows_dir = self.root / "rows"

    def _write(self, directory: Path, payload: dict[str, Any]) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{time.time_ns()}-{os.getpid()}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)  # a reader never sees half a file
        return path

    def put_report(self, result: ParseResult, prov: Provenance, region: Region) -> Path:
        self.reports_dir.mkdir(parents=True, exist_ok=True)
        pictures = zip(prov.picture_shas, (c for _, c in prov.pictures), strict=True)
        for sha, content in [(prov.sha256, prov.content), *pictures]:
            blob = self.reports_dir / f"{sha}.bin"
            if not blob.exists():
                tmp = blob.with_suffix(".tmp")
                tmp.write_bytes(content)
                tmp.replace(blob)
        return self._write(self.reports_dir, report_to_json(result, prov, region))

    def put_rows(self, what: str, payload: Any) -> Path:
        """``what``: ``fetches`` | ``failures`` | ``seen`` | ``checked`` | ``aliases`` | ``run`` (a finish_run
        update)."""
        return self._write(self.rows_dir, {"what": what, "payload": payload})

    def reports(self) -> Iterator[tuple[Path, tuple[ParseResult, Provenance, Region]]]:
        for path in sorted(self.reports_dir.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            content = (self.reports_dir / f"{data['provenance']['sha256']}.bin").read_bytes()
            blobs = {sha: (self.reports_dir / f"{sha}.bin").read_bytes()
                     for _, sha in data["provenance"].get("pictures") or ()}
            yield path, report_from_json(data, content, blobs)

    def rows(self) -> Iterator[tuple[Path, str, Any]]:
        for path in sorted(self.rows_dir.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            yield path, data["what"], data["payload"]

    def count(self) -> int:
        return sum(1 for _ in self.reports_dir.glob("*.json")) if self.reports_dir.exists() else 0

    def forget_report(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        path.unlink(missing_ok=True)
        for sha in [data["provenance"]["sha256"], *(s for _, s in data["provenance"].get("pictures") or ())]:
            if not any(p for p in self.reports_dir.glob("*.json") if sha in p.read_text(encoding="utf-8")):
                (self.reports_dir / f"{sha}.bin").unlink(missing_ok=True)

    def empty(self) -> bool:
        return not any(self.root.rglob("*.json")) if self.root.exists() else True


def replay_rows(spool: Spool, engine) -> int:
    """Apply the spooled fetch rows and run updates (oldest first); returns how many files."""
    from gxcrawler.db.runs import finish_run

    from . import store

    done = 0
    for path, what, payload in spool.rows():
        run_id = payload.get("run_id")
        if what == "fetches":
            store.record_fetches(engine, payload["rows"], run_id)
        elif what == "failures":
            store.record_failures(engine, payload["rows"], run_id)
        elif what == "seen":
            store.mark_seen(engine, payload["rows"], run_id)
        elif what == "checked":
            store.mark_checked(engine, payload["rows"], run_id)
        elif what == "aliases":
            store.record_aliases(engine, payload["rows"])
        elif what == "run":
            values = dict(payload["values"])
            if values.get("finished_at"):
                values["finished_at"] = datetime.fromisoformat(values["finished_at"])
            finish_run(engine, run_id, **values)
        path.unlink(missing_ok=True)
        done += 1
    if done:
        logger.warning("spool %s: applied %d pending database updates of an earlier crawl", spool.root, done)
    return done


def replay_reports(spool: Spool, loader) -> list[str]:
    """Load the spooled reports (their files are removed once loaded); the load outcomes' statuses."""
    statuses = []
    for path, (result, prov, region) in spool.reports():
        outcome = loader.load(result, prov, region)
        if outcome.status == "failed" and outcome.retry:  # the database's failure, not the report's
            raise RuntimeError(f"spooled report {path.name} still cannot be loaded: {outcome.message}")
        if outcome.status == "failed":  # the report itself: its fetch row stays unsettled, the crawl gets it again
            logger.error("spooled report %s failed to load: %s", path.name, outcome.message)
        statuses.append(outcome.status)
        spool.forget_report(path)
    if statuses:
        logger.warning("spool %s: loaded %d reports an earlier crawl could not write", spool.root, len(statuses))
    return statuses
