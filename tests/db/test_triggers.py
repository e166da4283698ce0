"""``gxcrawler.db.triggers``: trigger functions reach PostgreSQL as written, then their triggers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gxcrawler.db import triggers

#: a body with what a driver or ``text()`` could take for a parameter: LIKE's ``%`` (and ``%%``),
#: ``::`` casts, ``:word`` inside literals, plpgsql's ``:=``
BODY = """
    n := (SELECT count(*) FROM new_rows WHERE name LIKE '%:x%' OR name LIKE '50%%');
    INSERT INTO seen (n, label) SELECT n::text::int, 'at 12:30 :name' || ':' || '%s';"""
FUNCTIONS = {"seen_insert": BODY, "seen_delete": "\n    INSERT INTO seen (n, label) VALUES (-1, OLD.name);"}
TRIGGERS = {
    "seen_insert": "AFTER INSERT ON t REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION seen_insert()",
    "seen_delete": "BEFORE DELETE ON t FOR EACH ROW EXECUTE FUNCTION seen_delete()",
}


def test_functions_created_as_written_then_their_triggers(pg_url):
    engine = sa.create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (name text); CREATE TABLE seen (n int, label text)")
            triggers.create_triggers(conn, FUNCTIONS, TRIGGERS, declare="n integer")
            triggers.create_triggers(conn, FUNCTIONS, TRIGGERS, declare="n integer")  # again: replaced
            source = conn.exec_driver_sql("SELECT prosrc FROM pg_proc WHERE proname = 'seen_insert'").scalar_one()
            assert BODY in source
            conn.execute(sa.text("INSERT INTO t VALUES (:a), (:b), (:c)"), {"a": "a:xb", "b": "50%%", "c": "x"})
            conn.exec_driver_sql("DELETE FROM t WHERE name = 'x'")
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 2  # BEFORE DELETE returned OLD
            rows = conn.exec_driver_sql("SELECT n, label FROM seen ORDER BY n").all()
        assert rows == [(-1, "x"), (2, "at 12:30 :name:%s")]
        with engine.begin() as conn:
            triggers.drop_triggers(conn, TRIGGERS, FUNCTIONS)
            assert conn.exec_driver_sql("SELECT count(*) FROM pg_proc WHERE proname IN ('seen_insert', 'seen_delete')").scalar_one() == 0
            assert conn.exec_driver_sql("SELECT count(*) FROM pg_trigger WHERE tgname IN ('seen_insert', 'seen_delete')").scalar_one() == 0
    finally:
        engine.dispose()


def test_a_before_trigger_other_than_delete_must_say_what_it_returns():
    with pytest.raises(ValueError, match="BEFORE INSERT"):
        triggers.function_sql("f", "", "n integer", "BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()")
    assert "RETURN OLD;" in triggers.function_sql("f", "", "n integer", TRIGGERS["seen_delete"])
    assert "RETURN NULL;" in triggers.function_sql("f", "", "n integer", TRIGGERS["seen_insert"])
    assert "DECLARE" not in triggers.function_sql("f", "", "", TRIGGERS["seen_insert"])  # no variables
