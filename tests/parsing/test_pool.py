"""The parse pool: same results as parsing in-thread; a worker's death, hang or memory
exhaustion fails only its own document, with the reason, and the pool goes on."""

from __future__ import annotations

import contextlib
import os
import pickle

import pytest

from gxcrawler.parsing.pool import (
    MEMORY,
    TIMEOUT,
    WORKER_DIED,
    ParsePool,
    ParseTask,
    PoolConfig,
    failure_kind,
    parse_task,
)
from gxcrawler.synthetic import make_report, render_pdf

from .faulty_task import parse as faulty
from .htmlbuild import render
from .truth import STEMS, load


@pytest.fixture(scope="module")
def pool():
    with ParsePool(PoolConfig(workers=2, task_seconds=8, memory_mb=768, task=faulty)) as p:
        p.start()
        yield p


def _documents() -> list[ParseTask]:
    pages = [
        ParseTask(render(load(s), style).encode("utf-8"), source=f"{s}-{style}", content_type="text/html",
                  hints={"year": "2021"})
        for s in STEMS for style in ("official", "nested")
    ]
    pdf = ParseTask(render_pdf(make_report(7)), source="r.pdf", filename="r.pdf")
    return [*pages, pdf]


def test_results_equal_in_thread_parsing(pool):
    docs = _documents()
    assert [r.to_json() for r in pool.map(docs)] == [parse_task(d).to_json() for d in docs]


@pytest.mark.parametrize(
    ("fault", "kind", "says"),
    [
        ("GX_TEST_PARSE_CRASH", WORKER_DIED, "SIGSEGV"),
        ("GX_TEST_PARSE_EXIT", WORKER_DIED, "exit code 3"),
        ("GX_TEST_PARSE_HANG", TIMEOUT, "no result after 8 s"),
        ("GX_TEST_PARSE_HOG", MEMORY, "768 MiB"),
    ],
)
def test_a_failing_document_fails_alone_with_its_reason(pool, fault, kind, says):
    good = _documents()[0]
    bad = ParseTask(f"{fault}:".encode() + good.content, source="bad.html", content_type="text/html")
    futures = [pool.submit(t) for t in (good, bad, good)]
    before, failed, after = (f.result(timeout=60) for f in futures)
    assert failure_kind(failed) == kind and failed.status == "error"
    assert failed.message.startswith(f"{kind}: ") and says in failed.message, failed.message
    assert failed.source == "bad.html" and failed.source_type == "html"
    assert before.to_json() == after.to_json() == parse_task(good).to_json()
    assert pool.parse(good).to_json() == before.to_json()  # the replaced worker parses again


def test_results_pickle_and_parser_errors_are_not_pool_failures():
    result = parse_task(ParseTask(b"", source="empty"))
    assert result.status == "error" and failure_kind(result) is None
    assert pickle.loads(pickle.dumps(result)) == result


def test_zero_workers_parse_in_the_calling_thread():
    doc = _documents()[0]
    with ParsePool(PoolConfig(workers=0)) as inline:
        assert inline.inline
        assert inline.parse(doc).to_json() == parse_task(doc).to_json()


def test_config_from_settings_and_environment():
    cfg = PoolConfig.from_settings(
        {"GXCRAWLER_PARSE_WORKERS": "3", "GXCRAWLER_PARSE_TIMEOUT": "", "GXCRAWLER_PARSE_MEMORY_MB": 512,
         "GXCRAWLER_PARSE_TASK": "tests.parsing.faulty_task:parse"},
        max_tasks=7,
    )
    assert (cfg.workers, cfg.memory_mb, cfg.max_tasks, cfg.task) == (3, 512, 7, faulty)
    assert cfg.task_seconds == PoolConfig().task_seconds
    assert ParsePool(PoolConfig()).config.workers >= 1  # default: one per CPU


def test_workers_run_at_the_configured_lower_priority():
    """``nice``: each worker, a replacement too, runs that much below the crawl (the reactor first)."""
    base = os.nice(0)
    with ParsePool(PoolConfig(workers=1, nice=5, task=faulty)) as niced:
        niced.start()
        assert niced._scheduled(os.nice, 0).result(timeout=60) == min(base + 5, 19)
        doc = _documents()[0]
        crash = ParseTask(b"GX_TEST_PARSE_EXIT:" + doc.content, source="bad.html", content_type="text/html")
        assert failure_kind(niced.parse(crash)) == WORKER_DIED
        assert niced._scheduled(os.nice, 0).result(timeout=60) == min(base + 5, 19)
    with ParsePool(PoolConfig(workers=1)) as plain:
        assert plain._scheduled(os.nice, 0).result(timeout=60) == base
    assert PoolConfig.from_settings({"GXCRAWLER_PARSE_NICE": "10"}).nice == 10
    assert PoolConfig.from_settings({"GXCRAWLER_PARSE_NICE": ""}).nice == 0


@pytest.mark.parametrize("value", ["-1", "20"])
def test_a_parse_nice_out_of_range_is_refused_with_the_setting_named(value: str) -> None:
    with pytest.raises(ValueError, match="GXCRAWLER_PARSE_NICE"):
        PoolConfig.from_settings({"GXCRAWLER_PARSE_NICE": value})


def test_a_worker_starts_and_is_replaced_without_importing_the_parser_again():
    """Each worker (here replaced after every task) is forked from a fork server that imported the
    parser: it starts with ~10 ms of CPU, not the ~0.3 s of an interpreter importing every reader."""
    with ParsePool(PoolConfig(workers=1, max_tasks=1)) as pool:
        started = [pool._scheduled(os.times).result(timeout=60) for _ in range(3)]
    assert [round(t.user + t.system, 2) for t in started] == [pytest.approx(0, abs=0.1)] * 3


def test_workers_have_the_environment_of_when_their_pool_was_made(monkeypatch):
    """A forked worker inherits the fork server's environment, from when that started: the pool
    hands its own over (the crawl sets ``GXCRAWLER_OCR`` before its pool; faults are injected so)."""
    with ParsePool(PoolConfig(workers=1)) as first:  # the fork server runs from here on
        first.start()
    monkeypatch.setenv("GX_TEST_POOL_ENV", "set after the fork server started")
    with ParsePool(PoolConfig(workers=1)) as later:
        got = later._scheduled(os.getenv, "GX_TEST_POOL_ENV").result(timeout=60)
    assert got == "set after the fork server started"


def _forked_by(server: int) -> list[int]:
    """The processes the fork server ``server`` forked (Linux)."""
    with open(f"/proc/{server}/task/{server}/children") as f:
        return [int(pid) for pid in f.read().split()]


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="Linux: reads the process tree in /proc")
def test_a_killed_fork_server_takes_its_workers_along_and_the_pool_goes_on():
    """The fork server killed mid-crawl (an OOM kill, a ``pkill``): pebble learns a worker's end from
    the server, so it takes every worker for dead (exit code 255) and starts new ones. A worker that
    lived on would be out of the pool's reach — taking documents beyond ``workers``, no time-out
    stopping it, outliving the crawl — so the workers die with their server."""
    import signal
    import time
    from multiprocessing import forkserver

    doc = _documents()[0]
    hang = ParseTask(b"GX_TEST_PARSE_HANG:" + doc.content, source="hang.html", content_type="text/html")
    with ParsePool(PoolConfig(workers=1, task_seconds=120, task=faulty)) as pool:
        pool.start()
        server = forkserver._forkserver._forkserver_pid
        workers = _forked_by(server)
        try:
            stuck = pool.submit(hang)
            tasks = pool._pool._pool_manager.task_manager.tasks  # pebble's, by id: a worker's once it took one
            deadline = time.monotonic() + 60
            while not any(t.worker_id for t in list(tasks.values())) and time.monotonic() < deadline:
                time.sleep(0.05)
            os.kill(server, signal.SIGKILL)
            failed = stuck.result(timeout=60)
            assert failure_kind(failed) == WORKER_DIED, failed.message
            deadline = time.monotonic() + 10
            while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not [pid for pid in workers if _running(pid)], "a worker outlived its fork server"
            assert pool.parse(doc).to_json() == parse_task(doc).to_json()  # a new server, new workers
        finally:
            for pid in workers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
