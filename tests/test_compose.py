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


# --- PostgreSQL's settings (docs/operations.md, "PostgreSQL settings") -------------------------

#: the machine the settings are sized for (docs/operations.md): 2 CPUs, 24 GiB, an SSD
MACHINE_MEMORY = 24 * 2**30
UNITS = {"kb": 2**10, "k": 2**10, "mb": 2**20, "m": 2**20, "gb": 2**30, "g": 2**30}


def size(value: str) -> int:
    """``'6GB'``, ``'64MB'``, ``'1g'`` -> bytes (PostgreSQL's and Docker's units)."""
    number, unit = re.fullmatch(r"(\d+)\s*([a-zA-Z]*)", value).groups()
    return int(number) * UNITS[unit.lower()]


def db_settings(compose: dict) -> dict[str, str]:
    """The db service's ``postgres -c name=value`` flags, with compose's defaults expanded."""
    command = compose["services"]["db"]["command"]
    assert command[0] == "postgres"  # the image's entrypoint runs it as the server (initdb first)
    flags = command[1:]
    assert len(flags) % 2 == 0 and all(f == "-c" for f in flags[::2]), "postgres -c name=value, pairwise"
    names = [expand(v).split("=", 1)[0] for v in flags[1::2]]
    assert len(names) == len(set(names)), "a setting given twice"
    return dict(expand(v).split("=", 1) for v in flags[1::2])


def test_db_settings_for_the_analysts_workload(compose):
    """Sized for the documented machine, each within what the PostgreSQL docs advise."""
    s = db_settings(compose)
    memory = MACHINE_MEMORY
    assert 0.15 * memory <= size(s["shared_buffers"]) <= 0.40 * memory  # docs: 25 %, above 40 % unlikely to help
    assert size(s["shared_buffers"]) < size(s["effective_cache_size"]) <= 0.75 * memory
    assert 1.0 <= float(s["random_page_cost"]) <= 2.0  # an SSD; never below seq_page_cost (1)
    # JIT only for the whole-year counts (plan cost 1.25-1.8 M at 1M reports with these costs), not
    # for a year's cells of one key (0.53 M: up to 0.2 s of compiling for a ~1 s query)
    assert s.get("jit", "on") == "off" or float(s["jit_above_cost"]) >= 600_000
    assert 1 <= int(s["effective_io_concurrency"]) <= 1000
    assert size(s["max_wal_size"]) >= 2**30  # larger shared_buffers, larger max_wal_size (docs)
    # memory that can be taken at once stays well inside the machine: shared buffers, autovacuum's
    # three workers and a migration's index build at maintenance_work_mem, 20 busy sessions with two
    # hash nodes each at work_mem x hash_mem_multiplier (2)
    work_mem = size(s.get("work_mem", "4MB"))  # PostgreSQL's default
    taken = size(s["shared_buffers"]) + 4 * size(s["maintenance_work_mem"]) + 20 * 2 * 2 * work_mem
    assert taken <= 0.75 * memory, f"{taken / 2**30:.1f} GiB"


def test_db_shared_memory_holds_a_parallel_hash(compose):
    """Parallel workers share hash tables through /dev/shm (64 MB in a container by default)."""
    s = db_settings(compose)
    shm = size(expand(compose["services"]["db"]["shm_size"]))
    workers = int(s.get("max_parallel_workers_per_gather", "2"))  # PostgreSQL's defaults
    # room for an analyst's session at work_mem 64MB (docs/operations.md): work_mem x hash_mem_multiplier x processes
    one_parallel_hash = max(size(s.get("work_mem", "4MB")), 64 * 2**20) * 2 * (workers + 1)
    assert shm >= 2 * one_parallel_hash, f"shm_size {shm >> 20} MB for {one_parallel_hash >> 20} MB hashes"


def test_db_settings_are_documented(compose):
    """Every setting the compose file gives is explained in docs/operations.md's PostgreSQL settings."""
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    part = text.split("## PostgreSQL settings", 1)[1].split("\n## ", 1)[0]
    for name in [*db_settings(compose), "shm_size"]:
        assert f"`{name}`" in part, f"{name} is not in docs/operations.md's PostgreSQL settings"
    for variable in re.findall(r"\$\{(GXCRAWLER_PG_[A-Z_]+):-", (ROOT / "docker-compose.yml").read_text()):
        assert variable in text, f"{variable} is not in docs/operations.md"
