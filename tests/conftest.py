"""Shared fixtures. Each area keeps its fixtures in ``tests/fixtures/<area>.py``.

The suite never touches the user's data: whatever ``GXCRAWLER_DATABASE_URL`` the shell
exports (the README tells users to export it) is dropped before any test runs, and the
variable points at a throwaway SQLite file instead, so a test that forgets to name its
database writes there — never to the user's database or to ``./gxcrawler.sqlite3``.
Crawl job dirs and spools go to the same throwaway directory. Tests that need a database
use the fixtures (``pg_url``, ``pg_engine``, ``sqlite_engine`` …) or their ``tmp_path``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

#: what the shell had set; kept only so a test can prove it is not used
USER_DATABASE_URL = os.environ.pop("GXCRAWLER_DATABASE_URL", None)
SCRATCH = tempfile.mkdtemp(prefix="gxcrawler-tests-")
atexit.register(shutil.rmtree, SCRATCH, ignore_errors=True)
os.environ["GXCRAWLER_DATABASE_URL"] = f"sqlite:///{SCRATCH}/unconfigured.sqlite3"
os.environ["GXCRAWLER_CRAWLS_DIR"] = os.path.join(SCRATCH, "crawls")

pytest_plugins = [
    "tests.fixtures.pg",
    "tests.fixtures.db",
    "tests.fixtures.sim",
    "tests.fixtures.nightly",
    "tests.fixtures.analytics",
    "tests.fixtures.faults",
    "tests.fixtures.distributed",
]
