"""A write whose connection drops after the server got its COMMIT: committed, and the writer cannot know.

``gxcrawler.db.retry`` tries a dropped connection again. For an upsert that is harmless; the run
record's INSERT is not an upsert: tried again blindly, it opens the night's run twice, and the
first, never finished, is closed by the next night as a crawl killed (a failed run that never was).
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from scrapy.utils.test import get_crawler

from gxcrawler.db import borrow_engine, ensure_schema, return_engine
from tests.reliability.dbproxy import TcpProxy


class CommitLost(TcpProxy):
    """Forwards the first COMMIT after an INSERT into ``crawl_runs`` to the server, then drops the
    client's connection before the server's answer: the run is committed, the client hears nothing."""

    armed = True

    def __init__(self, target: tuple[str, int]):
        super().__init__(target)
        self._inserting: set[socket.socket] = set()  # clients that sent the INSERT

    def _go_on(self, src: socket.socket, dst: socket.socket, data: bytes) -> bool:
        if dst.getpeername()[1] != self.target[1]:  # the server's answers
            return True
        if b"INSERT INTO crawl_runs" in data:
            self._inserting.add(src)
        if src in self._inserting and self.armed and b"COMMIT" in data:
            self.armed = False
            src.shutdown(socket.SHUT_RDWR)  # the client's side, the COMMIT already with the server
            return False
        return True


@pytest.fixture()
def commit_lost():
    from urllib.parse import urlsplit

    from tests.fixtures.pg import SERVER

    p = CommitLost((urlsplit(SERVER).hostname, urlsplit(SERVER).port or 5432)).start()
    try:
        yield p
    finally:
        p.stop()


def test_a_run_whose_commit_answer_is_lost_is_opened_once(pg_url, commit_lost, tmp_path):
    from gxcrawler.crawl.runner import NightlyExtension

    url = commit_lost.url_for(pg_url)
    direct = borrow_engine(pg_url)
    ensure_schema(direct)
    crawler = get_crawler(settings_dict={"GXCRAWLER_DATABASE_URL": url, "GX_SPOOL_DIR": str(tmp_path / "spool")})
    ext = NightlyExtension(crawler)
    try:
        run_id, *_ = ext._open_run("panzhihua", {"year": "2021"}, datetime.now(UTC))
        assert not commit_lost.armed, "the COMMIT's answer was not lost"
        with direct.connect() as conn:
            runs = conn.execute(sa.text("SELECT id FROM crawl_runs WHERE spider = 'panzhihua'")).scalars().all()
        assert runs == [run_id]  # one run, the one the crawl goes on with
    finally:
        return_engine(ext.engine)
        return_engine(direct)
