"""A newcomer's data is never touched: the demo's own database, tests that ignore the user's,
read-only commands that name their database and never create or migrate one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from gxcrawler.db import make_engine
from gxcrawler.db.scratch import NotOurs, prepare
from tests import conftest
from tests.fixtures.pg import create_database, drop_database

ROOT = Path(__file__).resolve().parents[2]


def _table_count(url: str) -> int:
    engine = make_engine(url)
    try:
        return len(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _user_database(pg_server) -> str:  # noqa: ANN001
    """A database the demo did not create, holding data."""
    url = create_database("gxc_user")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE precious (x int)")
    engine.dispose()
    return url


def test_the_demo_refuses_a_database_it_did_not_create_and_recreates_its_own(pg_server):
    url = _user_database(pg_server)
    try:
        with pytest.raises(NotOurs, match="not created by the demo"):
            prepare(url)
        assert _table_count(url) == 1  # still there, data and all
        prepare(url, force=True)  # --force: the user said so
        assert _table_count(url) == 0
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE demo_output (x int)")
        engine.dispose()
        prepare(url)  # the demo's own database: dropped and re-created without --force
        assert _table_count(url) == 0
    finally:
        drop_database(url)


def test_the_demo_refuses_an_sqlite_file_it_did_not_create(tmp_path):
    db = tmp_path / "mine.sqlite3"
    db.write_bytes(b"my data")
    with pytest.raises(NotOurs):
        prepare(f"sqlite:///{db}")
    assert db.read_bytes() == b"my data"
    prepare(f"sqlite:///{db}", force=True)
    assert not db.exists() and (tmp_path / "mine.sqlite3.gxdemo").exists()
    db.write_bytes(b"demo output")
    prepare(f"sqlite:///{db}")
    assert not db.exists()


def test_demo_offline_never_drops_the_users_database(pg_server):
    """The user's GXCRAWLER_DATABASE_URL is not the demo's; a demo URL naming a foreign database exits 2."""
    url = _user_database(pg_server)
    try:
        env = {**os.environ, "GXCRAWLER_DATABASE_URL": url, "GXCRAWLER_DEMO_DATABASE_URL": url}
        run = subprocess.run([str(ROOT / "scripts" / "demo-offline")], env=env, capture_output=True, text=True,
                             timeout=120)
        assert run.returncode == 2, run.stdout + run.stderr
        assert "not created by the demo" in run.stderr and "--force" in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1  # one line, no traceback
        assert _table_count(url) == 1
    finally:
        drop_database(url)


def test_the_users_database_url_is_invisible_to_the_tests():
    from gxcrawler.db import database_url

    assert database_url().startswith(f"sqlite:///{conftest.SCRATCH}")
    assert os.environ.get("GXCRAWLER_DATABASE_URL") != conftest.USER_DATABASE_URL


@pytest.mark.skipif(os.environ.get("GX_INNER_ISOLATION_RUN") != "1", reason="run by the test below")
def test_inner_a_test_that_names_no_database_writes_the_default():
    from gxcrawler.db import upgrade

    upgrade(make_engine())  # whatever the default database is: migrated, written


def test_the_suite_never_writes_to_the_users_database_or_the_working_directory(tmp_path):
    user_db = tmp_path / "user.sqlite3"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    env = {**os.environ, "GXCRAWLER_DATABASE_URL": f"sqlite:///{user_db}", "GX_INNER_ISOLATION_RUN": "1",
           "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT),
         f"{Path(__file__)}::test_inner_a_test_that_names_no_database_writes_the_default"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )
    assert "1 passed" in run.stdout, run.stdout + run.stderr
    assert not user_db.exists()
    assert not list(cwd.glob("*.sqlite3*")) and not (cwd / "crawls").exists()


def _gx(*args: str, cwd: Path, url: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GXCRAWLER_DATABASE_URL"}
    if url:
        env["GXCRAWLER_DATABASE_URL"] = url
    return subprocess.run([sys.executable, "-m", "gxcrawler", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("command", [["status"], ["db", "current"], ["db", "info"], ["export", "out"]])
def test_read_only_commands_never_create_the_default_database(tmp_path, command):
    run = _gx(*command, cwd=tmp_path)
    assert run.returncode == 2
    assert f"no database at sqlite:///{tmp_path}/gxcrawler.sqlite3" in run.stderr
    assert "gxcrawler db upgrade" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "gxcrawler.sqlite3").exists()


def test_status_names_its_database_and_never_migrates_one(tmp_path, pg_url):
    run = _gx("status", cwd=tmp_path, url=pg_url)
    assert run.returncode == 2 and "holds no gxcrawler tables" in run.stderr
    assert _table_count(pg_url) == 0  # not migrated behind the user's back
    assert _gx("db", "upgrade", cwd=tmp_path, url=pg_url).returncode == 0
    run = _gx("status", cwd=tmp_path, url=pg_url)
    assert run.returncode == 0, run.stderr
    name = pg_url.rsplit("/", 1)[1]
    assert run.stdout.splitlines()[0].startswith("Database postgresql") and name in run.stdout.splitlines()[0]


def test_database_errors_are_one_line_with_the_password_masked(tmp_path, pg_server):
    server = pg_server.replace("postgresql://", "")
    host = server.split("@")[-1]
    cases = {
        f"postgresql://postgres:s3cret@{host}/gx_no_such_db": "createdb",
        "postgresql://postgres:s3cret@127.0.0.1:9/gx": "is PostgreSQL running on 127.0.0.1:9",
        "postgresq://postgres:s3cret@host/db": "not a database URL",
    }
    for url, fix in cases.items():
        run = _gx("status", cwd=tmp_path, url=url)
        assert run.returncode == 2, run.stderr
        assert fix in run.stderr and "s3cret" not in run.stderr and "***" in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr
