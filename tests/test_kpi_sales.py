"""Deal value, sales cycle / velocity and stage marts on the real pipeline run of the demo data (`demo_run`).

- kpi_deal_value and kpi_sales_cycle per rep and month equal an independent plain-Python
  recomputation from the landing files (tests/recompute_sales.py), row for row;
- every additive measure sums to the company row the same way over rep, team and region rows
  (and over LeadSource / Type rows), so no deal is counted twice or lost when a rep moves team;
- the published marts carry the METRICS.md interface columns and real rows.
The formulas' edge cases are the dbt unit tests in models/marts/sales/_sales__models.yml.
"""

from __future__ import annotations

import math

import pytest
from recompute_sales import deal_value_by_rep_month, sales_cycle_by_rep_month

DEAL_VALUE = ["won_count", "won_with_amount_count", "bookings_amount", "avg_won_amount",
              "median_won_amount", "largest_won_amount"]
CYCLE = ["closed_count", "won_count", "negative_cycle_count", "avg_cycle_days_won",
         "median_cycle_days_won", "p90_cycle_days_won", "avg_cycle_days_closed",
         "median_cycle_days_closed", "p90_cycle_days_closed"]
VELOCITY = ["opportunities_created_90d", "closed_count_90d", "won_count_90d", "avg_won_amount_90d",
            "win_rate_count_90d", "avg_cycle_days_won_90d", "sales_velocity_90d"]


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def _assert_rows_equal(published: dict, expected: dict, measures: list[str]) -> None:
    assert published.keys() == expected.keys()
    for key, row in expected.items():
        for measure in measures:
            assert _same(published[key][measure], row[measure]), (key, measure,
                                                                  published[key][measure], row[measure])


def _published_by_rep_month(demo_run, table: str, measures: list[str]) -> dict:
    rows = demo_run.published(f"select month, rep_email, {', '.join(measures)} from {table}")
    return {(r[0], r[1]): dict(zip(measures, r[2:], strict=True)) for r in rows}


def test_deal_value_matches_recomputation(demo_run):
    expected = deal_value_by_rep_month(demo_run.landing_dir)
    assert expected, "the demo data should have won deals"
    published = _published_by_rep_month(demo_run, "kpi_deal_value", DEAL_VALUE)
    _assert_rows_equal(published, expected, DEAL_VALUE)


def test_sales_cycle_and_velocity_match_recomputation(demo_run):
    expected = sales_cycle_by_rep_month(demo_run.landing_dir)
    published = _published_by_rep_month(demo_run, "kpi_sales_cycle", CYCLE + VELOCITY)
    _assert_rows_equal(published, expected, CYCLE + VELOCITY)
    assert any(r["sales_velocity_90d"] is not None for r in expected.values())
    assert any(r["median_cycle_days_won"] is not None for r in expected.values())


def _sums_by_month(demo_run, table: str, measures: list[str]) -> dict:
    rows = demo_run.published(
        f"select month, {', '.join(f'sum({m})' for m in measures)} from {table} group by month")
    return {r[0]: r[1:] for r in rows}


ADDITIVE = {
    "kpi_deal_value": (["kpi_deal_value", "kpi_deal_value_team", "kpi_deal_value_region",
                        "kpi_deal_value_by_lead_source"],
                       ["won_count", "won_with_amount_count", "bookings_amount"]),
    "kpi_sales_cycle": (["kpi_sales_cycle", "kpi_sales_cycle_team", "kpi_sales_cycle_region"],
                        ["closed_count", "won_count", "negative_cycle_count", "won_cycle_count",
                         "won_cycle_days_total", "closed_cycle_count", "closed_cycle_days_total",
                         "opportunities_created_90d", "closed_count_90d", "won_count_90d",
                         "bookings_amount_90d"]),
    "kpi_win_rate": (["kpi_win_rate_by_lead_source", "kpi_win_rate_by_type"],
                     ["won_count", "lost_count", "won_amount", "lost_amount"]),
}


@pytest.mark.parametrize("family", sorted(ADDITIVE))
def test_every_grain_sums_to_the_company(demo_run, family):
    grains, measures = ADDITIVE[family]
    company = _sums_by_month(demo_run, f"{family}_company", measures)
    assert company
    for table in grains:
        sums = _sums_by_month(demo_run, table, measures)
        assert sums.keys() == company.keys(), table
        for month, values in company.items():
            for measure, got, want in zip(measures, sums[month], values, strict=True):
                assert _same(got, want), (table, month, measure, got, want)


def test_deal_value_agrees_with_win_rate(demo_run):
    """Bookings and won deals are the win-rate mart's won side, month by month."""
    deal = {r[0]: r[1:] for r in demo_run.published(
        "select month, won_count, bookings_amount from kpi_deal_value_company")}
    win = {r[0]: r[1:] for r in demo_run.published(
        "select month, won_count, won_amount from kpi_win_rate_company where won_count > 0")}
    assert deal.keys() == win.keys()
    for month, (count, amount) in deal.items():
        assert count == win[month][0] and _same(amount, win[month][1]), month


@pytest.mark.parametrize("table", ["kpi_deal_value", "kpi_deal_value_team", "kpi_deal_value_region",
                                   "kpi_deal_value_company", "kpi_deal_value_by_lead_source"])
def test_average_is_bookings_over_deals_with_an_amount(demo_run, table):
    for won, bookings, avg, median, largest in demo_run.published(
            f"select won_with_amount_count, bookings_amount, avg_won_amount, median_won_amount, "
            f"largest_won_amount from {table}"):
        if won == 0:
            assert bookings == 0 and avg is None and median is None and largest is None
        else:
            assert _same(avg, bookings / won) and median <= largest


def _columns(demo_run, table: str) -> list[str]:
    return [r[0] for r in demo_run.published(
        "select column_name from information_schema.columns where table_name = ? "
        "order by ordinal_position", [table])]


REP_KEYS = ["month", "rep_email", "rep_name", "team", "region"]
INTERFACE = {
    "kpi_deal_value": ["won_count", "bookings_amount", "avg_won_amount", "median_won_amount",
                       "largest_won_amount"],
    "kpi_sales_cycle": ["avg_cycle_days_won", "median_cycle_days_won", "p90_cycle_days_won",
                        "avg_cycle_days_closed", "sales_velocity_90d"],
}


@pytest.mark.parametrize("family", sorted(INTERFACE))
@pytest.mark.parametrize("grain,keys", [("", REP_KEYS), ("_team", ["month", "team"]),
                                        ("_region", ["month", "region"]), ("_company", ["month"])])
def test_published_interface_columns(demo_run, family, grain, keys):
    table = family + grain
    columns = _columns(demo_run, table)
    missing = [c for c in keys + INTERFACE[family] if c not in columns]
    assert not missing, (table, missing)
    assert demo_run.published(f"select count(*) from {table}")[0][0] > 0, table


@pytest.mark.parametrize("table,columns", [
    ("kpi_deal_value_by_lead_source", ["month", "lead_source", *INTERFACE["kpi_deal_value"]]),
    ("kpi_win_rate_by_lead_source", ["month", "lead_source", "won_count", "lost_count",
                                     "win_rate_count", "won_amount", "lost_amount",
                                     "win_rate_amount"]),
    ("kpi_win_rate_by_type", ["month", "opportunity_type", "won_count", "lost_count",
                              "win_rate_count", "won_amount", "lost_amount", "win_rate_amount"]),
    ("kpi_stage_funnel", ["month", "stage_name", "entered_count", "moved_on_count",
                          "won_later_count", "conversion_rate", "avg_days_in_stage",
                          "median_days_in_stage"]),
])
def test_other_sales_marts_published(demo_run, table, columns):
    assert [c for c in columns if c not in _columns(demo_run, table)] == []
    assert demo_run.published(f"select count(*) from {table}")[0][0] > 0, table


def test_stage_funnel_counts_live_history(demo_run):
    """Every stage entry of a live opportunity is in the funnel once; conversions never exceed
    entries, and the terminal (won / lost) stages have no conversion rate."""
    entries = demo_run.warehouse_rows(
        "select count(*) from marts.fct_opportunity_stage_history")[0][0]
    funnel = demo_run.published(
        "select sum(entered_count), sum(case when moved_on_count > entered_count then 1 else 0 end),"
        " sum(case when is_closed_stage and conversion_rate is not null then 1 else 0 end)"
        " from kpi_stage_funnel")[0]
    assert entries > 0 and funnel == (entries, 0, 0)
    orphans = demo_run.warehouse_rows(
        "select count(*) from marts.fct_opportunity_stage_history h "
        "left join marts.fct_opportunities o on h.opportunity_id = o.opportunity_id "
        "where o.opportunity_id is null")
    assert orphans == [(0,)]
