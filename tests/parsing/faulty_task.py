"""A parse task that fails the ways a parser worker can, for the documents a test names.

Used as ``GXCRAWLER_PARSE_TASK=tests.parsing.faulty_task:parse`` (the pool's task hook): the
documents whose source (URL) is listed in an environment variable make the worker die
like a segfault (``GX_TEST_PARSE_CRASH``), exit (``GX_TEST_PARSE_EXIT``), hang
(``GX_TEST_PARSE_HANG``) or exhaust its memory (``GX_TEST_PARSE_HOG``); every other
document is parsed normally. Lists are separated by spaces.
"""

from __future__ import annotations

import os
import resource
import signal
import time

from gxcrawler.parsing.pool import ParseTask, parse_task


def _listed(name: str, task: ParseTask) -> bool:
    return task.source in os.environ.get(name, "").split() or task.content.startswith(
        f"{name}:".encode()
    )


def parse(task: ParseTask):
    if _listed("GX_TEST_PARSE_CRASH", task):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file
        os.kill(os.getpid(), signal.SIGSEGV)
    if _listed("GX_TEST_PARSE_EXIT", task):
        os._exit(3)
    if _listed("GX_TEST_PARSE_HANG", task):
        time.sleep(3600)
    if _listed("GX_TEST_PARSE_HOG", task):
        hog = [bytes(32 << 20) for _ in range(2048)]  # 64 GiB of address space (calloc: not touched)
        del hog
    return parse_task(task)
