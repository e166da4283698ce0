"""``gxcrawler db …`` on a fresh database, through the installed command."""

from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa

from gxcrawler import catalog
from gxcrawler.db import head_revision, make_engine


def gx(*args: str, url: str | None = None, cwd=None) -> subprocess.CompletedProcess:  # noqa: ANN001
    env = {k: v for k, v in os.environ.items() if k != "GXCRAWLER_DATABASE_URL"}
    if url:
        env["GXCRAWLER_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "gxcrawler", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_db_upgrade_on_a_fresh_postgresql(pg_url):
    check = gx("db", "check", url=pg_url)
    assert check.returncode == 1 and "gxcrawler db upgrade" in check.stdout

    up = gx("db", "upgrade", url=pg_url)
    assert up.returncode == 0, up.stderr
    assert f"(empty) -> {head_revision()}" in up.stdout

    assert gx("db", "check", url=pg_url).returncode == 0
    current = gx("db", "current", url=pg_url)
    assert "up to date" in current.stdout
    engine = make_engine(pg_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM metrics")).scalar_one() == len(catalog.METRICS)
    engine.dispose()

    info = gx("db", "info", url=pg_url)
    assert f"metrics {len(catalog.METRICS):>10}".replace(" ", "") in info.stdout.replace(" ", "")


def test_db_downgrade_and_url_option(pg_url):
    assert gx("db", "--url", pg_url, "upgrade").returncode == 0
    down = gx("db", "--url", pg_url, "downgrade", "base")
    assert down.returncode == 0, down.stderr
    engine = make_engine(pg_url)
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_without_a_url_the_embedded_sqlite_file_is_used(tmp_path):
    up = gx("db", "upgrade", cwd=tmp_path)
    assert up.returncode == 0, up.stderr
    assert (tmp_path / "gxcrawler.sqlite3").exists()
    assert gx("db", "check", cwd=tmp_path).returncode == 0
