"""Every view returns, for the known reports, exactly the rows and values they imply."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from gxcrawler.agencies import division_code
from gxcrawler.db.views import GROUPED_VIEWS, VIEWS
from tests.analytics.expected import HEADLINES, coverage, failed_checks, headline, long_rows, years_checks


def query(engine, sql: str) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.text(sql))]


def num(value) -> Decimal | None:  # noqa: ANN001 - SQLite gives text/int/float, PostgreSQL Decimal
    return None if value is None else Decimal(str(value))


def test_v_reports_one_row_per_report_with_region_status_and_headlines(analytics_pg):
    engine, known = analytics_pg
    rows = {r["report_id"]: r for r in query(engine, "SELECT * FROM v_reports")}
    assert set(rows) == {k.report_id for k in known}
    for k in known:
        row = rows[k.report_id]
        region = k.region
        assert (row["agency"], row["province"], row["city"], row["county"]) == (
            k.agency, region.province, region.city, region.county
        )
        assert row["division_code"] == division_code(region)
        assert (row["year"], row["edition"], row["published"]) == (k.year, k.result.edition, k.result.published)
        assert row["url"] == (k.provenance.document_url or k.provenance.page_url)
        assert row["status"] == k.result.status and row["spider"] == region.portal
        assert row["checks"] == len(k.result.checks)
        assert row["checks_failed"] == len(k.result.failed_checks)
        for column in HEADLINES:
            assert row[column] == headline(k.result.values, column), (k.agency, k.year, column)
    # the set is not trivial: some reports fail identities, one has no tables
    assert any(r["checks_failed"] for r in rows.values())
    assert any(r["status"] == "no_tables" and r["s3_total"] is None for r in rows.values())
    assert any(r["s3_denied"] for r in rows.values())


@pytest.mark.parametrize("section", ["s2", "s3", "s4"])
def test_long_views_hold_every_cell_with_the_official_labels(analytics_pg, section):
    engine, known = analytics_pg
    got = {
        (r["report_id"], r["key"], r["row_key"], r["row_label"], r["column_key"], r["column_label"], r["value"])
        for r in query(engine, f"SELECT * FROM v_{section}_long")
    }
    expected = long_rows(known, section)
    assert expected and got == expected


def test_long_views_use_the_labels_of_the_report_edition(analytics_pg):
    engine, _ = analytics_pg
    rows = query(
        engine,
        "SELECT DISTINCT edition, row_label FROM v_s2_long WHERE key LIKE 's2.art20_1.normative.%'",
    )
    assert {(r["edition"], r["row_label"]) for r in rows} == {("2019", "规范性文件"), ("2021", "行政规范性文件")}
    denied = query(engine, "SELECT DISTINCT row_label, column_label FROM v_s3_long WHERE key = 's3.denied.state_secret.natural'")
    assert denied == [{"row_label": "(三)不予公开 1.属于国家秘密", "column_label": "自然人"}]


def test_v_coverage_is_every_agency_times_every_year(analytics_pg):
    engine, known = analytics_pg
    got = {
        (r["agency"], r["year"], r["has_report"], r["report_id"]) for r in query(engine, "SELECT * FROM v_coverage")
    }
    expected = coverage(known)
    assert got == expected
    assert any(not has for _, _, has, _ in expected)
    assert any(year < 2019 for _, year, _, _ in expected)  # an early report: its row, no empty grid


def test_v_failed_checks_names_the_rule_and_the_difference(analytics_pg):
    engine, known = analytics_pg
    rows = query(engine, "SELECT * FROM v_failed_checks")
    got = {(r["report_id"], r["rule"], r["left"], r["right"], r["difference"]) for r in rows if r["kind"] == "identity"}
    expected = failed_checks(known)
    assert expected and got == expected
    assert all(r["identity"] for r in rows)
    years = {
        (r["report_id"], r["other_report_id"], r["rule"], False, r["left"], r["right"])
        for r in rows
        if r["kind"] == "years"
    }
    assert years == {c for c in years_checks(known) if not c[3]}
    assert {r["kind"] for r in rows} == {"identity", "years"}
    agencies = {k.report_id: (k.agency, k.year) for k in known}
    assert all((r["agency"], r["year"]) == agencies[r["report_id"]] for r in rows)


def test_checks_across_years_follow_the_known_reports(analytics_pg):
    """Mixed editions (2019 → 2021 in 2020 → 2021), gaps (太平乡 2021, 区政府办 2018), a
    neighbour without tables (平远镇 2021): computed here from the inputs."""
    engine, known = analytics_pg
    rows = query(
        engine,
        'SELECT report_id, other_report_id, rule, ok, "left", "right" FROM check_results WHERE rule LIKE \'years.%\'',
    )
    got = {(r["report_id"], r["other_report_id"], r["rule"], r["ok"], r["left"], r["right"]) for r in rows}
    expected = years_checks(known)
    assert expected and got == expected
    by_id = {k.report_id: k for k in known}
    assert any(by_id[o].result.edition == "2019" and by_id[r].result.edition == "2021" for r, o, *_ in got)
    assert not any(rule.startswith("years.in_force") and by_id[o].result.edition == "2019" for _, o, rule, *_ in got)
    assert any(rule.startswith("years.in_force") for _, _, rule, *_ in got)


def test_the_views_work_on_sqlite_too(analytics_sqlite):
    engine, known = analytics_sqlite
    with engine.connect() as conn:
        names = set(sa.inspect(conn).get_view_names())
    assert names == set(VIEWS)
    rows = {r["report_id"]: r for r in query(engine, "SELECT * FROM v_reports")}
    for k in known:
        for column in HEADLINES:
            assert num(rows[k.report_id][column]) == headline(k.result.values, column)
        assert rows[k.report_id]["checks_failed"] == len(k.result.failed_checks)
    failed = query(engine, "SELECT * FROM v_failed_checks")
    got = {
        (r["report_id"], r["rule"], num(r["left"]), num(r["right"]), num(r["difference"]))
        for r in failed
        if r["kind"] == "identity"
    }
    assert got == failed_checks(known)
    years = {
        (r["report_id"], r["other_report_id"], r["rule"], False, num(r["left"]), num(r["right"]))
        for r in failed
        if r["kind"] == "years"
    }
    assert years == {c for c in years_checks(known) if not c[3]}
    cov = {
        (r["agency"], r["year"], bool(r["has_report"]), r["report_id"])
        for r in query(engine, "SELECT * FROM v_coverage")
    }
    assert cov == coverage(known)
    s3 = {
        (r["report_id"], r["key"], r["row_key"], r["row_label"], r["column_key"], r["column_label"], num(r["value"]))
        for r in query(engine, "SELECT * FROM v_s3_long")
    }
    assert s3 == long_rows(known, "s3")


def _plan_nodes(plan: dict) -> list[dict]:
    """Every node of the main plan tree (InitPlans — a view's min/max of a year — excluded)."""
    nodes = [plan]
    for child in plan.get("Plans", []):
        if child.get("Parent Relationship") != "InitPlan":
            nodes += _plan_nodes(child)
    return nodes


def _per_row_subqueries(plan: dict) -> list[dict]:
    """Subquery scans and aggregates run once per row of a nested loop's outer side: a
    LATERAL subquery driven by the rows the filter found (``v_compare``'s cells of each
    report, grouped by key since 0032), not between the filter and the tables."""
    found = []
    for child in plan.get("Plans", []):
        if plan["Node Type"] == "Nested Loop" and child.get("Parent Relationship") == "Inner":
            found += [node for node in _plan_nodes(child) if node["Node Type"] in ("Subquery Scan", "Aggregate")]
        found += _per_row_subqueries(child)
    return found


@pytest.mark.parametrize("name", sorted(set(VIEWS) - set(GROUPED_VIEWS)))
def test_filters_on_every_view_reach_the_tables(analytics_pg, name):
    """Each view is merged into the query (no aggregate, window or subquery between the
    filter and the tables; a LATERAL subquery run per filtered row is after them), so a
    filter on agency, county or year uses the indexes."""
    engine, known = analytics_pg
    with engine.connect() as conn:
        (plan,) = conn.execute(
            sa.text(
                f"EXPLAIN (FORMAT JSON) SELECT * FROM {name} "
                "WHERE county = :county AND agency_id = :agency AND year = :year"
            ),
            {"county": known[0].region.county, "agency": 1, "year": known[0].year},
        ).scalar_one()
    per_row = {id(node) for node in _per_row_subqueries(plan["Plan"])}
    kinds = {node["Node Type"] for node in _plan_nodes(plan["Plan"]) if id(node) not in per_row}
    assert not kinds & {"Aggregate", "WindowAgg", "Subquery Scan", "CTE Scan", "Unique"}, kinds
    filtered = {
        node["Relation Name"]
        for node in _plan_nodes(plan["Plan"])
        if "Relation Name" in node and any(k in node for k in ("Index Cond", "Filter", "Recheck Cond"))
    }
    assert filtered & {"agencies", "reports"}, filtered


def test_long_views_skip_the_agency_join_when_no_agency_column_is_used(analytics_pg):
    engine, _ = analytics_pg
    with engine.connect() as conn:
        (plan,) = conn.execute(
            sa.text("EXPLAIN (FORMAT JSON) SELECT row_label, sum(value) FROM v_s3_long GROUP BY row_label")
        ).scalar_one()
    relations = {node.get("Relation Name") for node in _plan_nodes(plan["Plan"])}
    assert "agencies" not in relations and "report_values" in relations


@pytest.mark.parametrize("name", sorted(GROUPED_VIEWS))
def test_filters_on_the_grouping_columns_of_a_grouped_view_reach_the_tables(analytics_pg, name):
    """A view that ranks or groups across reports: a filter on its region and year is applied
    to the tables (an index on agencies or reports), below the window or aggregate."""
    engine, known = analytics_pg
    area, *rest = GROUPED_VIEWS[name]
    value = getattr(known[0].region, area)
    where = " AND ".join([f"{area} = :v", *(f"{c} = :year" for c in rest)])
    with engine.connect() as conn:
        (plan,) = conn.execute(
            sa.text(f"EXPLAIN (FORMAT JSON) SELECT * FROM {name} WHERE {where}"),
            {"v": value, "year": known[0].year},
        ).scalar_one()

    def filtered(node: dict) -> set[str]:
        """Relations scanned with a condition on the area: the filter reached the table
        (applied after the grouping, it would sit on a node above, and the table be read whole)."""
        conditions = " ".join(str(node.get(k, "")) for k in ("Index Cond", "Filter", "Recheck Cond"))
        found = {node["Relation Name"]} if "Relation Name" in node and area in conditions else set()
        for child in node.get("Plans", []):
            found |= filtered(child)
        return found

    # the sums of cells are stored per region and year (cell_sums): the filter reaches them
    assert filtered(plan["Plan"]) & {"agencies", "cell_sums"}, plan
