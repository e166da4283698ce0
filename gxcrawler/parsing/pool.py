"""Parsing in worker processes: off the interpreter lock, each document under a hard time and memory cap.

Why processes: PDF reading (pdfminer) is pure Python, so parsing in threads holds the
interpreter lock and starves whatever else the process runs (Scrapy's reactor: a 10 ms
timer fired 650–840 ms late during an all-PDF crawl). Why ``pebble`` and not the
standard library: ``concurrent.futures.ProcessPoolExecutor`` has no per-task time-out
(``result(timeout=)`` stops waiting, not the work) and one dead worker breaks the whole
pool (every pending task fails with ``BrokenProcessPool``); ``multiprocessing.Pool``
waits forever for a task whose worker died. ``pebble.ProcessPool`` stops the one worker
whose task ran out of time, replaces it, and fails only that task (``TimeoutError``,
``ProcessExpired`` with the exit code); it also runs an initializer once per worker
and recycles workers after ``max_tasks`` documents. See docs/notes/parsing-pool.md.

The task interface is general — a :class:`ParseTask` (bytes and hints) in, a
:class:`~gxcrawler.model.ParseResult` out, both pickled — so other readers (OCR) can
run in the same pool with their own task function. :meth:`ParsePool.submit` never
fails: a time-out, a dead worker, memory exhaustion or a task that raises all come
back as ``status="error"`` results whose message starts with the failure's kind.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from typing import Any

from ..fingerprint import seal
from ..formats.limits import Limits
from ..model import REPORTABLE, ParseResult

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParseTask:
    """One document to read and what the crawl knows about it (everything here must pickle)."""

    content: bytes
    source: str
    content_type: str | None = None
    filename: str | None = None
    hints: Mapping[str, str] = field(default_factory=dict)
    #: pictures of a web page's tables, (url, bytes) in page order: read by OCR with the page
    images: tuple[tuple[str, bytes], ...] = ()


TaskFunction = Callable[[ParseTask], ParseResult]


def parse_task(task: ParseTask) -> ParseResult:
    """The default task: the parser's own entry point."""
    from .api import parse_bytes

    return parse_bytes(
        task.content,
        source=task.source,
        content_type=task.content_type,
        filename=task.filename,
        hints=dict(task.hints),
        images=task.images,
    )


#: Kinds of failure the pool itself reports; a failed result's message starts with ``"<kind>: "``.
TIMEOUT, WORKER_DIED, MEMORY, TASK_RAISED = "parse_timeout", "worker_died", "memory_limit", "task_raised"
FAILURE_KINDS = (TIMEOUT, WORKER_DIED, MEMORY, TASK_RAISED)


def failure_kind(result: ParseResult) -> str | None:
    """The pool failure behind an error result (``None`` for a document the parser itself rejected)."""
    if result.status != "error" or not result.message:
        return None
    kind = result.message.split(":", 1)[0]
    return kind if kind in FAILURE_KINDS else None


def default_workers() -> int:
    """One worker per CPU this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class PoolConfig:
    """``workers=0`` parses in the calling thread (for debugging: no time or memory cap);
    a negative number means one worker per CPU."""

    workers: int = -1
    task_seconds: float = Limits.task_seconds
    memory_mb: int = Limits.task_memory_mb
    #: a worker is replaced after this many documents (0: never), bounding slow leaks
    max_tasks: int = 500
    task: TaskFunction = parse_task
    #: added to the workers' nice value (0: as the crawl): when the crawl's reactor and the workers
    #: want more CPUs than there are, the reactor — which downloads, and feeds the workers — runs first
    nice: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.nice <= 19:
            raise ValueError(f"GXCRAWLER_PARSE_NICE must be 0-19 (workers can only be lowered), not {self.nice}")

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] = os.environ, **given: Any) -> PoolConfig:
        """From ``GXCRAWLER_PARSE_WORKERS`` / ``_TIMEOUT`` / ``_MEMORY_MB`` / ``_MAX_TASKS`` / ``_TASK`` / ``_NICE``
        (``os.environ`` or Scrapy settings; unset or empty: the default); ``given`` wins."""
        values: dict[str, Any] = {}
        for name, (key, convert) in _SETTINGS.items():
            raw = settings.get(key)
            if raw is not None and raw != "":
                values[name] = convert(raw)
        values.update({k: v for k, v in given.items() if v is not None})
        return cls(**values)


def _load_task(path: str | TaskFunction) -> TaskFunction:
    """``"package.module:function"`` → the function (a callable is returned as it is)."""
    if callable(path):
        return path
    module, _, name = str(path).partition(":")
    return getattr(importlib.import_module(module), name)


_SETTINGS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "workers": ("GXCRAWLER_PARSE_WORKERS", int),
    "task_seconds": ("GXCRAWLER_PARSE_TIMEOUT", float),
    "memory_mb": ("GXCRAWLER_PARSE_MEMORY_MB", int),
    "max_tasks": ("GXCRAWLER_PARSE_MAX_TASKS", int),
    "task": ("GXCRAWLER_PARSE_TASK", _load_task),
    "nice": ("GXCRAWLER_PARSE_NICE", int),
}


class ParsePool:
    """Parse documents in ``config.workers`` processes (or in the calling thread when 0).

    ``submit`` returns a :class:`concurrent.futures.Future` that always resolves to a
    ``ParseResult``; its callbacks run on a pool thread, never the caller's.
    """

    def __init__(self, config: PoolConfig | None = None) -> None:
        config = config or PoolConfig()
        if config.workers < 0:
            config = replace(config, workers=default_workers())
        self.config = config
        self._pool = None  # pebble.ProcessPool, made on first use
        self._lock = threading.Lock()
        self._closed = False

    @property
    def inline(self) -> bool:
        return self.config.workers <= 0

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Start the workers and wait until one answers (blocks ~1 s: call it off the reactor)."""
        if self.inline:
            return
        self._scheduled(os.getpid).result(timeout=120)

    def close(self, wait: bool = True) -> None:
        """Finish queued documents (``wait``) or drop them, then stop the workers."""
        with self._lock:
            pool, self._pool, self._closed = self._pool, None, True
        if pool is None:
            return
        if wait:
            pool.close()
        else:
            pool.stop()
        pool.join()

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ work
    def submit(self, task: ParseTask) -> Future[ParseResult]:
        out: Future[ParseResult] = Future()
        if self.inline:
            out.set_result(_run(self.config.task, task, 0))
            return out
        try:
            inner = self._scheduled(_run, self.config.task, task, self.config.memory_mb)
        except Exception as exc:  # noqa: BLE001 - a pool that cannot take work fails the task, not the caller
            out.set_result(_failed(task, TASK_RAISED, f"the parse pool refused the task: {exc!r}"))
            return out
        inner.add_done_callback(lambda f: out.set_result(self._settle(task, f)))
        return out

    def parse(self, task: ParseTask) -> ParseResult:
        return self.submit(task).result()

    def map(self, tasks: Iterable[ParseTask], ahead: int | None = None) -> Iterator[ParseResult]:
        """Results in the order of ``tasks``, keeping at most ``ahead`` documents in flight."""
        window = ahead or max(2, 2 * self.config.workers)
        pending: deque[Future[ParseResult]] = deque()
        for task in tasks:
            pending.append(self.submit(task))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    # ------------------------------------------------------------------ internals
    def _scheduled(self, fn, *args):
        import pebble

        with self._lock:
            if self._closed:
                raise RuntimeError("the parse pool is closed")
            if self._pool is None or not self._pool.active:
                if self._pool is not None:  # broken (its manager threads died): let it go
                    _discard(self._pool)
                self._pool = pebble.ProcessPool(
                    max_workers=self.config.workers,
                    max_tasks=self.config.max_tasks,
                    initializer=_init_worker,
                    initargs=(self.config.memory_mb, self.config.nice, dict(os.environ)),
                    context=_context(),
                )
            return self._pool.schedule(fn, args=args, timeout=self.config.task_seconds)

    def _settle(self, task: ParseTask, inner: Future) -> ParseResult:
        """The result of a finished pebble future, every failure turned into an error result."""
        from pebble import ProcessExpired

        try:
            return inner.result()
        except FutureTimeout:
            secs = self.config.task_seconds
            result = _failed(task, TIMEOUT, f"no result after {secs:g} s; the worker was stopped and replaced")
        except ProcessExpired as exc:
            result = _failed(task, WORKER_DIED, f"the parser process ended ({_exit_reason(exc.exitcode)}); replaced")
        except Exception as exc:  # noqa: BLE001 - the task function raised, or a result would not pickle
            result = _failed(task, TASK_RAISED, f"{type(exc).__name__}: {exc}")
        logger.warning("parse of %s failed: %s", task.source, result.message)
        return result


_shared: dict[PoolConfig, tuple[ParsePool, int]] = {}
_shared_lock = threading.Lock()


def acquire_shared(config: PoolConfig) -> ParsePool:
    """The process's pool for ``config``, started (several crawlers in one process share it).

    Blocks while the workers start: call it off the reactor thread.
    """
    with _shared_lock:
        pool, users = _shared.get(config, (None, 0))
        if pool is None:
            pool = ParsePool(config)
        _shared[config] = (pool, users + 1)
    pool.start()
    return pool


def release_shared(pool: ParsePool) -> None:
    """Give back a pool from :func:`acquire_shared`; the last user closes it (blocks until done)."""
    with _shared_lock:
        config = next((c for c, (p, _) in _shared.items() if p is pool), None)
        if config is None:
            return
        users = _shared[config][1] - 1
        if users:
            _shared[config] = (pool, users)
            return
        del _shared[config]
    pool.close()


def _discard(pool) -> None:
    pool.stop()
    threading.Thread(target=pool.join, name="gxcrawler-parse-pool-discard", daemon=True).start()


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _failed(task: ParseTask, kind: str, detail: str) -> ParseResult:
    from .api import sniff_type

    return ParseResult(
        source=task.source,
        status="error",
        message=f"{kind}: {detail}",
        source_type=sniff_type(task.content, task.content_type, task.filename),
    )


def _run(fn: TaskFunction, task: ParseTask, memory_mb: int) -> ParseResult:
    """Run one task in a worker; memory exhaustion becomes a ``memory_limit`` result."""
    try:
        result = fn(task)
    except MemoryError:
        result = None
    if result is None or (result.status == "error" and (result.message or "").startswith("MemoryError")):
        cap = f"its {memory_mb} MiB" if memory_mb else "the available"
        return _failed(task, MEMORY, f"reading the document needed more than {cap} memory")
    if result.status in REPORTABLE:  # the results the loader stores
        try:
            seal(result)  # the loader's fingerprint, made here in parallel (gxcrawler/fingerprint.py)
        except Exception:  # noqa: BLE001 - the loader computes it itself; the parse stands
            logger.debug("could not fingerprint %s", task.source, exc_info=True)
    return result


#: what every worker imports (the parser and every reader): once, in the fork server
_PRELOAD = (
    "gxcrawler.parsing.pool",
    "gxcrawler.parsing.api",
    "gxcrawler.formats.legacy",
    "gxcrawler.formats.pdf",
    "gxcrawler.formats.sheets",
    "gxcrawler.formats.word",
)


def _context() -> multiprocessing.context.BaseContext:
    """Workers forked from a fork server that imported the parser once (``forkserver``).

    Why: a ``spawn``-ed worker is a fresh interpreter that imports the parser and every reader
    (~0.3 s of CPU) — each worker at the start, and again each replacement (after
    ``max_tasks`` documents, a crash or a time-out), ~0.6 ms a document over 500. The fork
    server is such an interpreter too (started once per process, single-threaded: nothing
    inherited from the reactor's threads, which is why not ``fork``), and a worker is a fork of
    it, its imports already done. The preload takes effect when the server starts (with the
    process's first pool; one server per process). Measured: ``benchmarks/pool_cpu.py``.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():  # Windows: a fresh interpreter each
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(_PRELOAD))  # a module that fails to import is skipped (its reader's error)
    return ctx


def _init_worker(memory_mb: int, nice: int = 0, environ: Mapping[str, str] | None = None) -> None:
    """Once per worker: the environment of the process that made the pool (a forked worker has
    the fork server's, from when that started), its priority and address-space cap, then the
    imports every document needs (done already in the fork server)."""
    if environ is not None and environ != os.environ:
        os.environ.clear()
        os.environ.update(environ)
    _die_with_parent()
    if nice > 0:
        os.nice(nice)  # lower only: raising a priority needs privileges
    if memory_mb > 0:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = memory_mb << 20
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    from . import api  # noqa: F401 - imported once here, not per document

    with contextlib.suppress(ImportError):  # a reader's library missing: its documents say so
        from ..formats import legacy, pdf, sheets, word  # noqa: F401


def _die_with_parent() -> None:
    """Linux: the worker is killed when the process that forked it (the fork server) ends. pebble learns a
    worker's end from the fork server; with the server killed it takes every worker for dead (exit code
    255) and starts others, and a worker that lived on would be out of its reach: taking documents beyond
    ``workers``, no time-out stopping it, outliving the crawl."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGKILL))
