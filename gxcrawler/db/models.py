"""The schema, as SQLAlchemy 2 models (the Alembic migrations create exactly this).

Written for analysts who query with SQL: one row per agency, per report (agency ×
statistics year), per cell, per identity; labels live in ``metrics`` so a join shows
the official Chinese wording; every number traces back to the stored bytes in
``documents`` through ``reports.sha256``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from .headlines import HEADLINES

#: the reports columns the roll-ups sum, included in ``ix_reports_year`` (migration 0034)
YEAR_INDEX_SUMS: tuple[str, ...] = ("checks_failed", *HEADLINES)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class ExactDecimal(TypeDecorator):
    """NUMERIC on PostgreSQL; on SQLite a decimal string, because SQLite's REAL is a float.

    SQLite's ``sum()`` coerces the text to a number; a comparison with a number does not (it
    compares text: '10' > 5 is false). The SQLite views show such columns cast to numbers
    (migration 0044, ``views.number``); a query on the tables themselves must cast.
    """

    impl = sa.Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(64))
        return dialect.type_descriptor(sa.Numeric())

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return str(Decimal(value))

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))


class UtcDateTime(TypeDecorator):
    """``timestamptz`` on PostgreSQL; on SQLite, which stores a datetime's wall time without its
    offset, an aware datetime is stored as UTC (as PostgreSQL keeps it), not as its local time.

    Read back, SQLite's values stay naive and mean UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        if dialect.name == "sqlite" and isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value


JSONB = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TZ = UtcDateTime()


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class Metric(Base):
    """The catalog of every statistics cell (``gxcrawler.catalog``), with official labels."""

    __tablename__ = "metrics"
    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    section: Mapped[str] = mapped_column(sa.String(4))
    table_code: Mapped[str] = mapped_column(sa.String(20))
    table_label: Mapped[str] = mapped_column(sa.Text)
    row_key: Mapped[str] = mapped_column(sa.String(40))
    row_label: Mapped[str] = mapped_column(sa.Text)
    column_key: Mapped[str] = mapped_column(sa.String(40))
    column_label: Mapped[str] = mapped_column(sa.Text)
    row_label_2019: Mapped[str] = mapped_column(sa.Text)
    column_label_2019: Mapped[str] = mapped_column(sa.Text)
    editions: Mapped[str] = mapped_column(sa.String(20))  # "2019,2021"
    in_2019: Mapped[bool] = mapped_column(sa.Boolean)
    in_2021: Mapped[bool] = mapped_column(sa.Boolean)
    ordinal: Mapped[int] = mapped_column(sa.Integer)


class Agency(Base):
    __tablename__ = "agencies"
    __table_args__ = (
        sa.Index("ix_agencies_region", "province", "city", "county"),
        # analysts filter on a city or a county without its province
        sa.Index("ix_agencies_city", "city"),
        sa.Index("ix_agencies_county", "county"),
    )
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text, unique=True)  # canonical full name
    short_name: Mapped[str] = mapped_column(sa.Text)  # without the region prefix
    kind: Mapped[str] = mapped_column(sa.String(20))  # county | city | township | department
    province: Mapped[str | None] = mapped_column(sa.Text)
    city: Mapped[str | None] = mapped_column(sa.Text)
    county: Mapped[str | None] = mapped_column(sa.Text)
    division_code: Mapped[str | None] = mapped_column(sa.String(12), index=True)
    portal: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class AgencyAlias(Base):
    """Every spelling seen for an agency; a row whose alias is a canonical name merges agencies."""

    __tablename__ = "agency_aliases"
    alias: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    agency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class Document(Base):
    """The raw fetched bytes, so anything can be re-parsed without re-crawling."""

    __tablename__ = "documents"
    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    content_type: Mapped[str | None] = mapped_column(sa.Text)
    size: Mapped[int] = mapped_column(sa.Integer)
    url: Mapped[str | None] = mapped_column(sa.Text)  # where it was first fetched
    first_fetched_at: Mapped[datetime] = mapped_column(TZ)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    spider: Mapped[str] = mapped_column(sa.String(40), index=True)
    args: Mapped[dict[str, Any]] = mapped_column(JSONB, default=lambda: {})
    started_at: Mapped[datetime] = mapped_column(TZ)
    finished_at: Mapped[datetime | None] = mapped_column(TZ)
    requests: Mapped[int] = mapped_column(sa.Integer, default=0)
    bytes: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    reports_found: Mapped[int] = mapped_column(sa.Integer, default=0)
    reports_new: Mapped[int] = mapped_column(sa.Integer, default=0)
    reports_changed: Mapped[int] = mapped_column(sa.Integer, default=0)
    reports_unchanged: Mapped[int] = mapped_column(sa.Integer, default=0)
    reports_skipped: Mapped[int] = mapped_column(sa.Integer, default=0)
    reports_failed: Mapped[int] = mapped_column(sa.Integer, default=0)
    errors: Mapped[dict[str, Any]] = mapped_column(JSONB, default=lambda: {})  # count by kind
    outcome: Mapped[str | None] = mapped_column(sa.String(20))  # success | partial | failed
    reason: Mapped[str | None] = mapped_column(sa.Text)
    heartbeat_at: Mapped[datetime | None] = mapped_column(TZ)  # a running crawl's last sign of life


class Report(Base):
    """One per agency and statistics year (a 2021 report published in 2022 is year 2021)."""

    __tablename__ = "reports"
    __table_args__ = (
        # with the id: an agency's reports from the index alone (migration 0024)
        sa.UniqueConstraint("agency_id", "year", postgresql_include=["id"]),
        # a year's reports by agency from the index alone (migration 0023: coverage by year),
        # with the columns the roll-ups sum (migration 0034: v_rollup_county / city by year)
        sa.Index("ix_reports_year", "year", "agency_id", postgresql_include=["id", *YEAR_INDEX_SUMS]),
    )
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    year: Mapped[int] = mapped_column(sa.Integer)
    title: Mapped[str | None] = mapped_column(sa.Text)
    agency_raw: Mapped[str | None] = mapped_column(sa.Text)  # the name as the report wrote it
    page_url: Mapped[str | None] = mapped_column(sa.Text)
    document_url: Mapped[str | None] = mapped_column(sa.Text)
    published: Mapped[date | None] = mapped_column(sa.Date)
    edition: Mapped[str | None] = mapped_column(sa.String(4))
    source_type: Mapped[str | None] = mapped_column(sa.String(8))
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("documents.sha256"), index=True)
    spider: Mapped[str | None] = mapped_column(sa.String(40))
    fetched_at: Mapped[datetime | None] = mapped_column(TZ)
    parsed_at: Mapped[datetime] = mapped_column(TZ)
    status: Mapped[str] = mapped_column(sa.String(12))  # ok | partial | no_tables
    warnings: Mapped[list[str]] = mapped_column(JSONB, default=lambda: [])
    blank: Mapped[list[str]] = mapped_column(JSONB, default=lambda: [])  # keys printed empty
    checks_failed: Mapped[int] = mapped_column(sa.Integer, default=0)
    checks: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")  # identities evaluated
    # Headline numbers (gxcrawler.db.headlines), derived from the report's cells by the
    # loader in the same statement as the row: v_reports reads them without a GROUP BY.
    s3_new: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    s3_carried_in: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    s3_granted: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    s3_partial: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    s3_denied: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    s3_unavailable: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    s3_rejected: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    s3_other: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    s3_total: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    s3_carried_out: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    s4_review: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    s4_suit_direct: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    s4_suit_after_review: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    s4_suits: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    s4_review_corrected: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    s4_suits_corrected: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    listed: Mapped[bool] = mapped_column(sa.Boolean, default=True)  # still on its list page
    fingerprint: Mapped[str] = mapped_column(sa.String(64))  # hash of the stored parse
    created_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class AnalyticsSetting(Base):
    """A number the analyst views read (``rate_min_base``: the smallest base a rate is shown for)."""

    __tablename__ = "analytics_settings"
    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    value: Mapped[Decimal] = mapped_column(ExactDecimal)
    note: Mapped[str | None] = mapped_column(sa.Text)


class ReportValue(Base):
    """One statistics cell of one report; ``value`` is exact (NUMERIC).

    Section, row and column are functions of the key: they live in ``metrics``
    (``JOIN metrics USING (key)``, as the long views do), not on each of the
    millions of rows (a quarter of the table's size, measured).
    """

    __tablename__ = "report_values"
    # A report's cells are found by the primary key; one cell across many reports (a
    # year's, a city's: ``v_s*_long``, ``v_compare`` filtered by key) by this covering index,
    # from the index alone (migration 0035; 0017 had dropped it for the loader's sake —
    # sums of a key are in ``cell_sums``, but the cells themselves were a look-up per report).
    # Partial on a predicate every row meets (keys are never NULL) that only a comparison of
    # ``key`` with a constant proves: a join on ``key`` cannot use it, so the long views'
    # other filters keep their plans (migration 0035). PostgreSQL only.
    __table_args__ = (
        sa.Index(
            "ix_report_values_key", "key", "report_id",
            postgresql_include=["value"], postgresql_where=sa.text("key >= ''"),
        ).ddl_if(dialect="postgresql"),
    )
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    # A key of ``metrics``, but deliberately not a FOREIGN KEY: PostgreSQL would lock the
    # metrics row for every inserted cell (a WAL record each), which doubled the cost of
    # loading a report. The loader refuses keys that are not in the catalog instead.
    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    value: Mapped[Decimal] = mapped_column(ExactDecimal)
    #: NULL: printed text (markup, a text layer, a spreadsheet); ``read``: read by OCR, every
    #: character sure; ``settled``: an OCR reading chosen because it alone satisfies the
    #: identities (migration 0013). The report's ``source_type`` is then ``ocr``.
    ocr: Mapped[str | None] = mapped_column(sa.String(8))
    #: the report's picture the cell was read from (``report_pictures.position``): a web page
    #: whose tables are pictures (migration 0021); NULL for cells read from text
    picture: Mapped[int | None] = mapped_column(sa.SmallInteger)


class ReportPicture(Base):
    """A picture a report's tables were read from (a township page's ``<img>`` tables, OCR).

    The bytes are a document of their own (``documents``, by ``sha256``); ``position`` is
    the picture's place among those read with the page, the one ``report_values.picture``
    names. Replaced with the report's cells, never on its own: a picture that fails to
    download later leaves the stored one and its values as they are.
    """

    __tablename__ = "report_pictures"
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    url: Mapped[str] = mapped_column(sa.Text)
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("documents.sha256"), index=True)


#: every cell summed per region, year and edition; PostgreSQL only, kept current by triggers
#: (``gxcrawler.db.cellsums``, migration 0016). No primary key: the unique index is the key
#: (NULLS NOT DISTINCT: a city-level agency's county is NULL).
cell_sums = sa.Table(
    "cell_sums",
    Base.metadata,
    sa.Column("key", sa.String(80), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("province", sa.Text),
    sa.Column("city", sa.Text),
    sa.Column("county", sa.Text),
    sa.Column("edition", sa.String(4)),
    sa.Column("reports", sa.Integer, nullable=False),  # reports with this cell
    sa.Column("value", ExactDecimal, nullable=False),  # the sum of their values
    # region first (0019): a batch of one portal's reports updates neighbouring entries
    sa.Index(
        "ux_cell_sums_group", "county", "city", "province", "year", "edition", "key",
        unique=True, postgresql_nulls_not_distinct=True,
    ),
    # a few keys across every region (worked queries 2 and 3), from the index alone (0020)
    sa.Index(
        "ix_cell_sums_key", "key", "year",
        postgresql_include=["province", "city", "county", "edition", "reports", "value"],
    ),
    sa.Index("ix_cell_sums_city", "city", "year"),
    # a year's sums in v_rollup_cells' grouping order, from the index alone (0030): no sort
    sa.Index(
        "ix_cell_sums_year", "year", "key", "county", "city", "province",
        postgresql_include=["edition", "reports", "value"],
    ),
    postgresql_with={"fillfactor": "70"},
)


#: each report's failed identities, counted and listed as worked query 5 prints them; only
#: reports with at least one, with the report's agency and year (0031: query 5 reads no other
#: report); PostgreSQL only, kept current by triggers on ``check_results`` and ``reports``
#: (``gxcrawler.db.failures``, migrations 0026, 0031)
failed_identities = sa.Table(
    "failed_identities",
    Base.metadata,
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("agency_id", sa.Integer, nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("identities_failed", sa.Integer, nullable=False),
    sa.Column("details", sa.Text),
)

#: each partition's values of a rate, sorted, for the rank views (``gxcrawler.db.ranks``,
#: migration 0027): PostgreSQL only, kept current by triggers on reports, agencies and
#: analytics_settings; a partition without a value has no row; a NULL city or province is
#: stored as ``ranks.NULL_REGION`` (U+001F)
rank_values_county = sa.Table(
    "rank_values_county",
    Base.metadata,
    sa.Column("county", sa.Text, primary_key=True),
    sa.Column("city", sa.Text, primary_key=True),
    sa.Column("province", sa.Text, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("rate", sa.Text, primary_key=True),
    sa.Column("ranked", sa.BigInteger, nullable=False),  # the partition's non-NULL values
    sa.Column("sorted", sa.ARRAY(sa.Numeric), nullable=False),  # those values, smallest first
)
rank_values_city = sa.Table(
    "rank_values_city",
    Base.metadata,
    sa.Column("city", sa.Text, primary_key=True),
    sa.Column("province", sa.Text, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("rate", sa.Text, primary_key=True),
    sa.Column("ranked", sa.BigInteger, nullable=False),
    sa.Column("sorted", sa.ARRAY(sa.Numeric), nullable=False),
)

#: each report's rate rows of ``v_rates_long`` (``gxcrawler.db.reportrates``, migration
#: 0029): seven rows a report, PostgreSQL only, kept current by triggers on reports and
#: analytics_settings; the key is the report's (agency, year), which reports keeps unique
report_rates = sa.Table(
    "report_rates",
    Base.metadata,
    sa.Column("report_id", sa.Integer, nullable=False),
    sa.Column("agency_id", sa.Integer, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("edition", sa.String(4)),
    sa.Column("rate", sa.Text, primary_key=True),
    sa.Column("numerator", sa.Numeric),
    sa.Column("base", sa.Numeric),
    sa.Column("value", sa.Numeric),  # NULL below the minimum base (gxcrawler.db.rates)
    # the agency's report of the year before and its value of the rate (migration 0036), NULL
    # when there is none: v_rates_long's change without a join
    sa.Column("prev_report_id", sa.Integer),
    sa.Column("prev_value", sa.Numeric),
    # a year's rates and ranks from the index alone (the region from the agency)
    sa.Index("ix_report_rates_year", "year", "rate", postgresql_include=["agency_id", "value"]),
    # an agency's (a county's, a city's) rows: one column, so the planner sees them together
    sa.Index("ix_report_rates_agency_id", "agency_id"),
    # a year's change (v_rates_long, migration 0036) from the index alone (the agency too: the
    # view's join to agencies, removed by the planner, still asks PostgreSQL 15 for it)
    sa.Index("ix_report_rates_year_change", "year", "rate", postgresql_include=["agency_id", "value", "prev_value"]),
)

class CheckResult(Base):
    """One check on one report: ``left`` should equal ``right``.

    The rule's prefix says its kind: an identity (勾稽关系) of the spec (``s3.``/``s4.``,
    ``gxcrawler.checks``), a number the text states against its cell (``narrative.``,
    ``gxcrawler.parsing.narrative``: ``left`` stated, ``right`` the table's, with the
    ``sentence``), or a check across years (``years.``, ``gxcrawler.db.years``: stored on
    the year-N report, naming the year-N−1 one in ``other_report_id``).
    """

    __tablename__ = "check_results"
    # No index by (rule, ok) since migration 0028: no query read it, every check updated it.
    __table_args__ = (
        # the few failed identities (v_failed_checks), read from the index alone (PostgreSQL)
        # without visiting the pages of the many that hold; other_report_id since 0018
        # (v_failed_checks joins on it, so without it every failed check visited its page)
        sa.Index(
            "ix_check_results_failed",
            "report_id",
            postgresql_include=["rule", "left", "right", "other_report_id"],
            postgresql_where=sa.text("NOT ok"),
            sqlite_where=sa.text("NOT ok"),
        ),
        # checks across years naming a report as the earlier year (cascading deletes)
        sa.Index(
            "ix_check_results_other_report_id",
            "other_report_id",
            postgresql_where=sa.text("other_report_id IS NOT NULL"),
            sqlite_where=sa.text("other_report_id IS NOT NULL"),
        ),
    )
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    rule: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    ok: Mapped[bool] = mapped_column(sa.Boolean)
    left: Mapped[Decimal] = mapped_column(ExactDecimal)
    right: Mapped[Decimal] = mapped_column(ExactDecimal)
    #: the report's sentence a ``narrative.*`` check read its number from
    sentence: Mapped[str | None] = mapped_column(sa.Text)
    #: the other report a ``years.*`` check compares with (the same agency's year N−1)
    other_report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"))


class CheckReview(Base):
    """An analyst's mark on a failed check: ``confirmed`` (the report's own error) or
    ``dismissed`` (our misreading, with a note).

    Tied to the content of the report (``sha256``) — and of the other report, for a check
    across years (``other_sha256``, ``''`` for the others) — not to the report row: the mark
    survives re-parsing and re-crawls of the same bytes, and a changed report reopens its
    checks (the old mark stays here, unseen, as history). Keyed by agency and year, as
    reports are.
    """

    __tablename__ = "check_reviews"
    __table_args__ = (sa.UniqueConstraint("agency_id", "year", "rule", "sha256", "other_sha256"),)
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(sa.Integer)
    rule: Mapped[str] = mapped_column(sa.String(60))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    other_sha256: Mapped[str] = mapped_column(sa.String(64), server_default="")
    status: Mapped[str] = mapped_column(sa.String(12))  # confirmed | dismissed
    note: Mapped[str | None] = mapped_column(sa.Text)
    reviewer: Mapped[str | None] = mapped_column(sa.Text)
    reviewed_at: Mapped[datetime] = mapped_column(TZ, server_default=sa.func.now())


class Fetch(Base):
    """One URL the crawler has seen: what it held, when, and whether it is still listed."""

    __tablename__ = "fetches"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    url: Mapped[str] = mapped_column(sa.Text, unique=True)
    spider: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # list | detail | attachment | document
    parent_url: Mapped[str | None] = mapped_column(sa.Text)  # page that linked it
    sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    status_code: Mapped[int | None] = mapped_column(sa.Integer)
    etag: Mapped[str | None] = mapped_column(sa.Text)
    last_modified: Mapped[str | None] = mapped_column(sa.Text)
    hints: Mapped[dict[str, Any]] = mapped_column(JSONB, default=lambda: {})  # list-page title/agency/date
    region: Mapped[dict[str, Any]] = mapped_column(JSONB, default=lambda: {})  # model.Region fields
    first_seen: Mapped[datetime] = mapped_column(TZ)
    last_seen: Mapped[datetime] = mapped_column(TZ)
    last_run_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True
    )
    listed: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    report_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reports.id", ondelete="SET NULL"), index=True
    )
    outcome: Mapped[str | None] = mapped_column(sa.String(12))  # last load or fetch outcome
    message: Mapped[str | None] = mapped_column(sa.Text)  # why, when it failed or was refused
    checked_at: Mapped[datetime | None] = mapped_column(TZ)  # content last confirmed (200, 304, same hash)



class FetchAlias(Base):
    """A link that redirected to a document (``target``) when its own request was last followed."""

    __tablename__ = "fetch_aliases"
    url: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    spider: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    target: Mapped[str] = mapped_column(sa.Text)
    first_seen: Mapped[datetime] = mapped_column(TZ)
    checked_at: Mapped[datetime] = mapped_column(TZ)  # the link itself last followed to ``target``

metadata = Base.metadata
