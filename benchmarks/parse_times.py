"""A parse task that records each document's parse CPU time (for ``crawl_speed.py --parse-times``).

Plugged into a crawl's parse workers with ``-s GXCRAWLER_PARSE_TASK=benchmarks.parse_times:task``
(docs/notes/parsing-pool.md); each worker appends one JSON line per document — source, type,
bytes, CPU seconds of the worker process (``time.process_time``) — to the file named by the
environment variable ``GX_PARSE_TIMES``. The result is the parser's, unchanged.
"""

from __future__ import annotations

import json
import os
import time

from gxcrawler.model import ParseResult
from gxcrawler.parsing.pool import ParseTask, parse_task


def task(t: ParseTask) -> ParseResult:
    started = time.process_time()
    result = parse_task(t)
    secs = time.process_time() - started
    path = os.environ.get("GX_PARSE_TIMES")
    if path:
        line = json.dumps({"source": t.source, "type": result.source_type, "bytes": len(t.content), "cpu": secs})
        with open(path, "a") as out:  # one short line per write: appends from two workers do not interleave
            out.write(line + "\n")
    return result
