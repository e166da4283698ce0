"""the loader nearer COPY: no (rule, ok) index on check_results; documents compressed with lz4

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-30

Issue 12 (docs/notes/performance.md, "The loader nearer COPY").

* ``ix_check_results_rule_ok`` (0001) was read by no plan: 0 scans on both 100,000-report
  databases after every query of ``benchmarks/query_speed.py``, and no view, worked query
  or analysts' guide query filters checks by rule across reports (the failed ones come
  from ``ix_check_results_failed``, a report's own by the primary key ``(report_id,
  rule)``). Every loaded check (~50 a report) updated it: 28 MB at 100,000 reports. A
  question by rule over all reports ("how many pass ``s3.balance.total``") now reads the
  whole table; ``CREATE INDEX`` gives the index back.
* ``documents.content`` is compressed with lz4 instead of pglz (PostgreSQL ≥ 14 built with
  lz4, as Debian's and the official images are; elsewhere left as it was): a stored 8.5 KiB
  page cost the server about a third less CPU, for ~9 % more bytes. Only new rows are
  compressed so; stored ones keep pglz and read as before.
"""

from __future__ import annotations

import logging

from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)


def upgrade() -> None:
    op.drop_index('ix_check_results_rule_ok', table_name='check_results')
    _compression('lz4')


def downgrade() -> None:
    _compression('pglz')
    op.create_index('ix_check_results_rule_ok', 'check_results', ['rule', 'ok'], unique=False)


def _compression(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    try:
        with bind.begin_nested():  # a server built without lz4 refuses it: keep pglz
            bind.exec_driver_sql(f'ALTER TABLE documents ALTER COLUMN content SET COMPRESSION {method}')
    except Exception as exc:  # noqa: BLE001 - an optional speed-up
        log.warning('documents.content keeps its compression: %s', exc)
