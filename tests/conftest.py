"""Shared fixtures. Each area keeps its fixtures in ``tests/fixtures/<area>.py``."""

pytest_plugins = [
    "tests.fixtures.pg",
    "tests.fixtures.db",
    "tests.fixtures.sim",
    "tests.fixtures.nightly",
    "tests.fixtures.analytics",
    "tests.fixtures.faults",
]
