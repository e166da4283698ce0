"""``gxcrawler new-portal`` writes a portal that crawls: in a copy of the repository, scaffold a
registry row and a class, then run the tests it wrote (each crawls its stub simulation)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gxcrawler import portals
from gxcrawler.errors import UserError
from gxcrawler.scaffold import NewPortal, check

ROOT = Path(__file__).resolve().parents[2]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache", "*.egg-info")


def _copy(dest: Path) -> Path:
    for part in ("gxcrawler", "spiders", "pipelines", "tests"):
        shutil.copytree(ROOT / part, dest / part, ignore=IGNORE)
    for part in ("scrapy.cfg", "pyproject.toml"):
        shutil.copy(ROOT / part, dest / part)
    return dest


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    env.pop("GXCRAWLER_SIMULATION_URL", None)
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_new_portal_writes_a_registry_row_or_a_class_and_their_tests_pass(tmp_path):
    repo = _copy(tmp_path / "repo")
    gx = [sys.executable, "-m", "gxcrawler", "new-portal"]
    row = _run([*gx, "gxnewa", "--name", "新安县人民政府", "--start-url", "http://www.gxnewa.gov.cn/xxgk/nb/index.html",
                "--province", "河南省", "--city", "洛阳市", "--county", "新安县", "--code", "410323"], repo)
    assert row.returncode == 0, row.stderr
    cls = _run([*gx, "gxnewb", "--name", "宜阳县人民政府", "--start-url", "http://www.gxnewb.gov.cn/nb/",
                "--province", "河南省", "--city", "洛阳市", "--county", "宜阳县", "--family", "trs", "--class"], repo)
    assert cls.returncode == 0, cls.stderr
    assert (repo / "spiders" / "gxnewb.py").exists() and not (repo / "spiders" / "gxnewa.py").exists()
    rows = {p.id: p for p in portals.read(repo / "gxcrawler" / "data" / "portals.tsv")}
    assert portals.problems(list(rows.values())) == []
    assert (rows["gxnewa"].spider, rows["gxnewb"].spider, rows["gxnewb"].family) == ("", "gxnewb", "trs")

    again = _run([*gx, "gxnewa", "--name", "x", "--start-url", "http://www.other.gov.cn/", "--province", "河南省"], repo)
    assert again.returncode == 2 and "duplicate id" in again.stderr and "Traceback" not in again.stderr

    listed = _run([sys.executable, "-m", "scrapy", "list"], repo)
    assert {"gxnewa", "gxnewb"} <= set(listed.stdout.split()), listed.stderr[-2000:]
    tests = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/portals"], repo)
    assert "2 passed" in tests.stdout, tests.stdout[-3000:] + tests.stderr[-2000:]


def test_new_portal_refuses_what_would_break_the_registry(tmp_path):
    repo = tmp_path
    (repo / "gxcrawler" / "data").mkdir(parents=True)
    shutil.copy(ROOT / "gxcrawler" / "data" / "portals.tsv", repo / "gxcrawler" / "data" / "portals.tsv")
    ok = dict(id="gxnew", name="某县人民政府", start_url="http://www.gxnew.gov.cn/", province="河南省")
    check(repo, NewPortal(**ok))
    for change, says in [({"id": "Bad-Id"}, "lower-case"), ({"code": "12"}, "6-digit"),
                         ({"start_url": "http://www.xinye.gov.cn/x/"}, "already in the registry"),
                         ({"family": "phpcms", "with_class": True}, "hand-written columns")]:
        with pytest.raises(UserError, match=says):
            check(repo, NewPortal(**{**ok, **change}))
