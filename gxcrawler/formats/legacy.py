"""Legacy Word (.doc) and WPS files, through a converter installed from Debian.

LibreOffice (``soffice --headless --convert-to docx``) is preferred when present: it
keeps merged cells, and the result is read like any DOCX. antiword (small, in
Debian, installed by ``.ci/run``) is the fallback; its DocBook output gives
paragraphs and table rows but collapses merged cells, and it drops rows of large
tables with vertical merges (section 三), so what it reads may be partial.
Without either, :class:`NoConverterError` says which package to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from ..model import ExtractedDocument
from .cells import join_lines
from .errors import FormatError, NoConverterError
from .limits import Limits
from .word import read_docx

CONVERTERS = ("soffice", "antiword")


def available_converters() -> list[str]:
    """Installed converters, best first."""
    out = []
    if shutil.which("soffice") or shutil.which("libreoffice"):
        out.append("soffice")
    if shutil.which("antiword"):
        out.append("antiword")
    return out


def read_doc(content: bytes, limits: Limits, converters: Sequence[str] | None = None) -> ExtractedDocument:
    """Convert with the first converter that works; collect why the others failed."""
    chosen = [c for c in (converters or available_converters()) if c in available_converters()]
    if not chosen:
        raise NoConverterError()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="gxdoc") as tmp:
        path = Path(tmp) / "in.doc"
        path.write_bytes(content)
        for name in chosen:
            try:
                doc = _soffice(path, limits) if name == "soffice" else _antiword(path, limits)
            except FormatError as exc:
                failures.append(f"{name}: {exc}")
                continue
            doc.warnings[:0] = failures
            return doc
    raise FormatError("could not convert .doc: " + "; ".join(failures))


def _run(cmd: list[str], limits: Limits, **kwargs) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            cmd, capture_output=True, timeout=limits.converter_seconds, check=False, **kwargs
        )
    except subprocess.TimeoutExpired as exc:
        raise FormatError(f"{cmd[0]} timed out after {limits.converter_seconds:.0f}s") from exc
    except OSError as exc:
        raise FormatError(f"{cmd[0]} could not run: {exc}") from exc


def _soffice(path: Path, limits: Limits) -> ExtractedDocument:
    binary = shutil.which("soffice") or shutil.which("libreoffice") or "soffice"
    profile = path.parent / "profile"  # a private profile: parallel conversions do not lock each other
    result = _run(
        [
            binary,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx",
            "--outdir",
            str(path.parent),
            str(path),
        ],
        limits,
        env={**os.environ, "HOME": str(path.parent)},
    )
    out = path.with_suffix(".docx")
    if not out.exists():
        raise FormatError(f"conversion failed: {result.stderr.decode(errors='replace').strip()[:200]}")
    doc = read_docx(out.read_bytes(), limits)
    doc.source_type = "doc"
    return doc


def _antiword(path: Path, limits: Limits) -> ExtractedDocument:
    result = _run(["antiword", "-x", "db", "-m", "UTF-8.txt", str(path)], limits)
    if result.returncode != 0 or not result.stdout.strip():
        raise FormatError(result.stderr.decode(errors="replace").strip()[:200] or "no output")
    parser = etree.XMLParser(
        recover=True, load_dtd=False, no_network=True, resolve_entities=False, huge_tree=False
    )
    root = etree.fromstring(result.stdout, parser)
    if root is None:
        raise FormatError("antiword output unreadable")
    texts: list[str] = []
    tables: list[list[list[str]]] = []
    for node in root.iter("para", "informaltable", "table"):
        if node.tag == "para":
            # a paragraph that wraps a table: its text is the table's, read below
            if node.find(".//informaltable") is None and node.find(".//table") is None:
                own = "".join(node.itertext()).strip()
                if own:
                    texts.append(own)
            continue
        rows = [[join_lines("".join(e.itertext())) for e in row.iter("entry")] for row in node.iter("row")]
        if rows:
            tables.append(rows)
    return ExtractedDocument(
        source_type="doc",
        text="\n".join(texts),
        tables=tables,
        warnings=["read with antiword: merged cells collapsed, large tables may lose rows"],
    )
