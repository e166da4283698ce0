"""docker-compose.yml and the Dockerfile, checked without Docker (it cannot run in CI)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def expand(value: str) -> str:
    """Compose's ``${VAR:-default}`` with the defaults (what runs when nothing is set)."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def test_services_and_named_volume(compose):
    assert {"db", "crawler"} <= set(compose["services"])
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:")
    mounts = [m.split(":") for m in db["volumes"]]
    assert ["pgdata", "/var/lib/postgresql/data"] in mounts
    assert "pgdata" in compose["volumes"]  # named, so data outlives the container


def test_db_healthcheck_uses_pg_isready_for_its_own_user_and_database(compose):
    db = compose["services"]["db"]
    check = db["healthcheck"]
    command = " ".join(check["test"][1:]) if isinstance(check["test"], list) else check["test"]
    assert "pg_isready" in command
    args = shlex.split(command)
    assert args[args.index("-U") + 1] == db["environment"]["POSTGRES_USER"]
    assert args[args.index("-d") + 1] == db["environment"]["POSTGRES_DB"]
    assert check["retries"] >= 3 and check["interval"]


def test_crawler_waits_for_a_healthy_db(compose):
    crawler = compose["services"]["crawler"]
    assert crawler["depends_on"]["db"]["condition"] == "service_healthy"


def test_crawler_database_url_points_at_the_db_service(compose):
    db_env = compose["services"]["db"]["environment"]
    url = make_url(expand(compose["services"]["crawler"]["environment"]["GXCRAWLER_DATABASE_URL"]))
    assert url.get_backend_name() == "postgresql" and url.get_driver_name() == "psycopg2"
    assert url.host == "db" and url.port == 5432
    assert url.username == db_env["POSTGRES_USER"]
    assert url.password == expand(db_env["POSTGRES_PASSWORD"])
    assert url.database == db_env["POSTGRES_DB"]


def test_crawler_runs_the_main_job(compose):
    crawler = compose["services"]["crawler"]
    assert crawler["command"][:3] == ["scrapy", "crawl", "panzhihua"]
    assert "year=2021" in crawler["command"]


def test_scheduler_place_is_marked():
    assert "scheduler" in (ROOT / "docker-compose.yml").read_text(encoding="utf-8")


def test_build_context_and_dockerfile_reference_real_files(compose):
    build = compose["services"]["crawler"]["build"]
    context = ROOT / build["context"]
    dockerfile = context / build.get("dockerfile", "Dockerfile")
    assert dockerfile.is_file()
    lines = [ln.strip() for ln in dockerfile.read_text(encoding="utf-8").splitlines()]
    copies = [shlex.split(ln)[1:-1] for ln in lines if ln.startswith("COPY ")]
    sources = [s for c in copies for s in c if not s.startswith("--")]
    assert sources
    ignored = {
        ln.strip()
        for ln in (context / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if ln.strip()
    }
    for src in sources:
        assert (context / src).exists(), f"Dockerfile copies {src}, which is not in the repository"
        assert src not in ignored, f"{src} is excluded from the build context by .dockerignore"
    for needed in ("pyproject.toml", "scrapy.cfg", "gxcrawler", "spiders", "pipelines"):
        assert needed in sources
    text = "\n".join(lines)
    assert "antiword" in text and re.search(r"pip install --no-deps \.", text)
    # dependencies come from pyproject.toml alone, before any code is copied (a code edit reinstalls nothing)
    deps = next(i for i, ln in enumerate(lines) if "pip install -r" in ln)
    first_code = next(i for i, ln in enumerate(lines) if ln.startswith("COPY ") and "gxcrawler" in ln)
    assert copies[0] == ["pyproject.toml"] and deps < first_code
    assert any(ln.startswith("FROM python:3.11") for ln in lines)


def test_dockerignore_keeps_local_state_out():
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".git" in ignored and any(p.startswith("gxcrawler.sqlite3") for p in ignored)


def test_redis_and_a_scalable_worker_service(compose):
    """``docker compose up --scale worker=4``: workers without a container name or host port, sharing Redis."""
    services = compose["services"]
    redis = services["redis"]
    assert redis["image"].startswith("redis:")
    assert "redis-cli" in " ".join(redis["healthcheck"]["test"])
    worker = services["worker"]
    assert "container_name" not in worker and "ports" not in worker  # a fixed name or port cannot scale
    assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
    assert worker["depends_on"]["db"]["condition"] == "service_healthy"
    env = worker["environment"]
    url = expand(env["GXCRAWLER_REDIS_URL"])
    assert url.startswith("redis://redis:6379")
    assert expand(env["GXCRAWLER_DATABASE_URL"]) == expand(services["crawler"]["environment"]["GXCRAWLER_DATABASE_URL"])
    assert worker["command"][:2] == ["gxcrawler", "crawl-all"]
    assert worker.get("restart") in (None, "no")  # a worker exits when the night's crawl is done
    assert "redisdata" in compose["volumes"]


def test_ci_starts_redis_when_it_is_down():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "redis-cli -h 127.0.0.1 -p 6379 ping" in script and "redis-server" in script
    assert "--daemonize yes" in script
