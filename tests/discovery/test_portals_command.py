"""``gxcrawler portals list|check`` as a user runs them (check against the simulation transport)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.fixtures.sim import FAST, ROOT
from tests.simulations import registry
from tests.simulations.server import SimulationServer


def _gx(*args: str, env: dict[str, str] | None = None, cwd=ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gxcrawler", *args], cwd=cwd, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=600)


def test_portals_list_shows_every_row_and_validates():
    result = _gx("portals", "list")
    assert result.returncode == 0, result.stderr
    assert "ynmg" in result.stdout and "panzhihua" in result.stdout and "portals" in result.stdout.splitlines()[-1]


@pytest.mark.slow
def test_portals_check_recognises_the_family_and_lists_the_reports_writing_nothing(tmp_path):
    sim = registry.simulation("hanweb")
    server = SimulationServer([sim])
    server.start()
    try:
        settings = [arg for key, value in FAST.items() for arg in ("-s", f"{key}={value}")]
        env = {"GXCRAWLER_SIMULATION_URL": server.url, "PYTHONPATH": str(ROOT),
               "GXCRAWLER_DATABASE_URL": f"sqlite:///{tmp_path / 'never.sqlite3'}"}
        result = _gx("portals", "check", sim.start_url, "--year", "2022", "--titles", *settings, env=env)
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "family: hanweb" in result.stdout
    expected = sim.expected_reports(2022)
    for report in expected:  # every report of the year is listed (by its page or another URL of it)
        assert any(u in result.stdout for u in (report.page_url, *report.aliases)), report.page_url
    assert "  2022: " in result.stdout
    assert not (tmp_path / "never.sqlite3").exists()
