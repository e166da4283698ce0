"""``gxcrawler parse`` as a user runs it (a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys

from gxcrawler.catalog import METRICS

from .truth import DATA, STEMS

SPEC_KEYS = {
    "source",
    "title",
    "agency",
    "year",
    "published",
    "edition",
    "values",
    "blank",
    "checks",
    "warnings",
    "status",
}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gxcrawler", "parse", *args], capture_output=True, text=True, timeout=120
    )


def test_one_seed_prints_one_json_object_with_the_spec_keys():
    path = str(DATA / "seeds" / f"{STEMS[4]}.txt")
    proc = _run(path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert set(obj) >= SPEC_KEYS
    assert obj["source"] == path and obj["status"] == "ok" and obj["edition"] == "2019"
    assert obj["values"]["s2.art20_9.procurement.amount"] == 209512.943
    assert obj["values"]["s2.art20_5.licensing.change"] == -27
    assert set(obj["values"]) <= set(METRICS)
    assert all({"rule", "ok"} <= set(c) for c in obj["checks"])


def test_missing_file_is_an_error_with_non_zero_exit():
    proc = _run("/nonexistent/report.html")
    assert proc.returncode != 0
    obj = json.loads(proc.stdout)
    assert obj["status"] == "error" and "report.html" in obj["message"]


def test_several_files_give_json_lines_and_exit_zero_if_any_was_read(tmp_path):
    bad = tmp_path / "garbage.pdf"
    bad.write_bytes(b"%PDF-1.4 not really a pdf")
    paths = [str(DATA / "seeds" / f"{s}.txt") for s in STEMS] + [str(bad), "/nonexistent.txt"]
    proc = _run(*paths)
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["source"] for o in objs] == paths
    assert [o["status"] for o in objs[:5]] == ["partial", "ok", "ok", "ok", "ok"]
    assert objs[5]["status"] == "error" and objs[5]["message"]
    assert objs[6]["status"] == "error"


def test_unreachable_url_is_an_error_not_a_crash():
    proc = _run("http://127.0.0.1:9/report.html", "--timeout", "2")
    assert proc.returncode != 0
    assert json.loads(proc.stdout)["status"] == "error"


def test_hints_fill_what_the_document_lacks(tmp_path):
    page = tmp_path / "r.html"
    page.write_text("<html><body><p>一、总体情况</p><p>本年度工作。</p></body></html>", encoding="utf-8")
    proc = _run(
        str(page), "--hint", "title=某镇2021年政府信息公开工作年度报告", "--hint", "published=2022-01-19"
    )
    obj = json.loads(proc.stdout)
    assert obj["title"] == "某镇2021年政府信息公开工作年度报告"
    assert obj["published"] == "2022-01-19" and obj["year"] == 2021 and obj["agency"] == "某镇"
