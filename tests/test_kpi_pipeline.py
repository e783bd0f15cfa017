"""Pipeline forecast, quota attainment and forecast accuracy (METRICS.md section 7) on the real
pipeline run of the demo data (`demo_run`): the published marts against an independent
plain-Python recomputation from the landing files (tests/recompute_pipeline.py), every grain
summing to the company, and the published interface columns."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

import pytest
from recompute_pipeline import (
    forecast_by_snapshot_month_rep,
    quota_attainment_by_month_rep,
    snapshot_dates,
)

FORECAST_SUMS = [
    "open_opportunity_count", "open_pipeline_amount", "weighted_pipeline_amount",
    "pipeline_amount", "best_case_amount", "commit_amount", "omitted_amount",
    "closed_won_count", "closed_won_amount", "commit_forecast", "best_case_forecast",
    "pipeline_forecast", "quota_amount",
]
QUOTA_SUMS = ["won_count", "won_amount", "quota_amount"]
ACCURACY_SUMS = ["won_count", "won_amount"] + [
    f"{m}_{h}d" for h in (30, 60, 90) for m in ("commit_forecast", "weighted_pipeline")
]

# (mart, period columns, additive measures)
FAMILIES = [
    ("kpi_pipeline_forecast", ["snapshot_date", "close_month"], FORECAST_SUMS),
    ("kpi_pipeline_forecast_quarter", ["snapshot_date", "close_quarter"], FORECAST_SUMS),
    ("kpi_quota_attainment", ["month"], QUOTA_SUMS),
    ("kpi_forecast_accuracy", ["close_month"], ACCURACY_SUMS),
]


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-5)


def test_published_marts_have_rows(demo_run):
    for mart in ("kpi_pipeline_forecast", "kpi_pipeline_forecast_team",
                 "kpi_pipeline_forecast_region", "kpi_pipeline_forecast_company",
                 "kpi_quota_attainment", "kpi_quota_attainment_team",
                 "kpi_quota_attainment_region", "kpi_quota_attainment_company",
                 "kpi_forecast_accuracy", "kpi_forecast_accuracy_team",
                 "kpi_forecast_accuracy_region", "kpi_forecast_accuracy_company",
                 "kpi_pipeline_forecast_quarter", "kpi_pipeline_forecast_quarter_team",
                 "kpi_pipeline_forecast_quarter_region", "kpi_pipeline_forecast_quarter_company"):
        assert demo_run.published(f"select count(*) from {mart}")[0][0] > 0, mart
    # real forecasts, not only zeros: open pipeline, weighted pipeline and a quota attainment
    got = demo_run.published("""
        select sum(open_pipeline_amount), sum(weighted_pipeline_amount),
            count(quota_attainment)
        from kpi_pipeline_forecast""")[0]
    assert got[0] > 0 and 0 < got[1] < got[0] and got[2] > 0


def test_one_snapshot_per_crm_drop(demo_run):
    got = [str(r[0]) for r in demo_run.published(
        "select distinct snapshot_date from kpi_pipeline_forecast_company order by 1")]
    assert got == snapshot_dates(demo_run.landing_dir)


def test_forecast_matches_an_independent_recomputation(demo_run):
    expected = forecast_by_snapshot_month_rep(demo_run.landing_dir)
    rows = demo_run.published("""
        select snapshot_date, close_month, rep_email, weighted_pipeline_amount, commit_forecast
        from kpi_pipeline_forecast""")
    got = {(r[0], r[1], r[2]): r[3:] for r in rows}
    assert len(got) == len(rows)
    # every opportunity key of the recomputation has its row (quota-only rows come on top)
    assert set(expected) <= set(got)
    assert len(expected) > 20
    for key, (weighted, commit) in got.items():
        want = expected.get(key, {"weighted_pipeline_amount": 0.0, "commit_forecast": 0.0})
        assert close(weighted, want["weighted_pipeline_amount"]), (key, weighted, want)
        assert close(commit, want["commit_forecast"]), (key, commit, want)


def test_quota_attainment_matches_an_independent_recomputation(demo_run):
    expected = quota_attainment_by_month_rep(demo_run.landing_dir)
    rows = demo_run.published("""
        select month, rep_email, won_amount, quota_amount, quota_attainment
        from kpi_quota_attainment""")
    got = {(r[0], r[1]): r[2:] for r in rows}
    assert len(got) == len(rows)
    assert set(got) == set(expected)
    assert sum(1 for m in expected.values() if m["quota_attainment"]) > 5
    for key, (won, quota, attainment) in got.items():
        want = expected[key]
        assert close(won, want["won_amount"]), (key, won, want)
        assert close(quota, want["quota_amount"]), (key, quota, want)
        assert close(attainment, want["quota_attainment"]), (key, attainment, want)


def test_forecast_quota_attainment_agrees_with_the_monthly_mart(demo_run):
    """At the newest snapshot, the forecast's won amount and quota of a month are the monthly
    quota-attainment mart's (both come from the latest versions)."""
    latest = demo_run.published("select max(snapshot_date) from kpi_pipeline_forecast")[0][0]
    forecast = {(r[0], r[1]): r[2:] for r in demo_run.published("""
        select close_month, rep_email, closed_won_amount, quota_amount, quota_attainment
        from kpi_pipeline_forecast where snapshot_date = ?""", [latest])}
    monthly = {(r[0], r[1]): r[2:] for r in demo_run.published("""
        select month, rep_email, won_amount, quota_amount, quota_attainment
        from kpi_quota_attainment""")}
    for key, values in monthly.items():
        assert key in forecast, key
        assert all(close(a, b) for a, b in zip(values, forecast[key], strict=True)), key


def _sums(demo_run, table: str, periods: list[str], measures: list[str]) -> dict:
    rows = demo_run.published(
        f"select {', '.join(periods + measures)} from {table}")
    out: dict[tuple, list] = defaultdict(lambda: [None] * len(measures))
    for r in rows:
        acc = out[tuple(r[: len(periods)])]
        for i, v in enumerate(r[len(periods):]):
            if v is not None:
                acc[i] = (acc[i] or 0) + v
    return dict(out)


@pytest.mark.parametrize(("mart", "periods", "measures"), FAMILIES, ids=[f[0] for f in FAMILIES])
def test_every_grain_sums_to_the_company(demo_run, mart, periods, measures):
    company = _sums(demo_run, f"{mart}_company", periods, measures)
    assert company
    for grain in (mart, f"{mart}_team", f"{mart}_region"):
        got = _sums(demo_run, grain, periods, measures)
        assert set(got) == set(company), grain
        for period, values in company.items():
            for name, a, b in zip(measures, got[period], values, strict=True):
                assert close(a, b), (grain, period, name, a, b)


def test_quarter_is_the_sum_of_its_months(demo_run):
    """Calendar quarters (fiscal_year_start_month 1): each quarter row of the company sums
    its three months."""
    monthly = _sums(demo_run, "kpi_pipeline_forecast_company", ["snapshot_date", "close_month"],
                    FORECAST_SUMS)
    by_quarter: dict[tuple, list] = defaultdict(lambda: [0] * len(FORECAST_SUMS))
    for (snapshot, month), values in monthly.items():
        quarter = month.replace(month=(month.month - 1) // 3 * 3 + 1)
        acc = by_quarter[(snapshot, quarter)]
        for i, v in enumerate(values):
            acc[i] += v or 0
    quarterly = _sums(demo_run, "kpi_pipeline_forecast_quarter_company",
                      ["snapshot_date", "close_quarter"], FORECAST_SUMS)
    assert set(quarterly) == set(by_quarter)
    for key, values in quarterly.items():
        for name, a, b in zip(FORECAST_SUMS, values, by_quarter[key], strict=True):
            assert close(a, b), (key, name, a, b)


def test_forecast_accuracy_only_for_ended_months(demo_run):
    now = demo_run.warehouse_rows("select max(drop_date) from raw.load_drops")[0][0]
    months = [r[0] for r in demo_run.published(
        "select distinct close_month from kpi_forecast_accuracy_company")]
    assert months
    for month in months:
        next_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        assert next_month - dt.timedelta(days=1) < now
    # the sample drops span a few days at the end of October: no snapshot lies 30+
    # days before the end of an ended month, so every forecast and accuracy is NULL, not 0
    rows = demo_run.published("""
        select snapshot_date_30d, commit_forecast_30d, commit_accuracy_30d,
            weighted_accuracy_90d from kpi_forecast_accuracy""")
    assert rows and all(v is None for r in rows for v in r)


def test_newest_snapshot_is_the_latest_versions(demo_run):
    """The snapshot of the newest CRM drop holds exactly fct_opportunities (latest versions,
    deleted ones out) with the same converted amounts."""
    snapshot = {r[0]: r[1:] for r in demo_run.warehouse_rows("""
        select opportunity_id, stage_name, amount_reporting from marts.fct_pipeline_snapshots
        where snapshot_date = (select max(snapshot_date) from marts.fct_pipeline_snapshots)""")}
    latest = {r[0]: r[1:] for r in demo_run.warehouse_rows(
        "select opportunity_id, stage_name, amount_reporting from marts.fct_opportunities")}
    assert snapshot.keys() == latest.keys()
    for opp_id, (stage, amount) in latest.items():
        assert snapshot[opp_id][0] == stage
        assert close(snapshot[opp_id][1], amount), opp_id


INTERFACE = {
    "kpi_pipeline_forecast": [
        "snapshot_date", "close_month", "rep_email", "rep_name", "team", "region",
        "open_pipeline_amount", "weighted_pipeline_amount", "commit_forecast",
        "best_case_forecast", "closed_won_amount", "quota_amount", "quota_attainment"],
}


def _columns(demo_run, table: str) -> list[str]:
    return [r[0] for r in demo_run.published(
        "select column_name from information_schema.columns where table_name = ? "
        "order by ordinal_position", [table])]


def test_published_interface_columns(demo_run):
    for mart, columns in INTERFACE.items():
        got = _columns(demo_run, mart)
        assert set(columns) <= set(got), (mart, set(columns) - set(got))
        measures = [c for c in columns if c not in ("rep_email", "rep_name", "team", "region")]
        for rollup, keys in (("_team", ["team"]), ("_region", ["region"]), ("_company", [])):
            got = _columns(demo_run, mart + rollup)
            assert set(measures + keys) <= set(got), (mart + rollup, set(measures + keys) - set(got))
            assert "rep_email" not in got
    for mart, grain in (("kpi_quota_attainment", "month"), ("kpi_forecast_accuracy", "close_month")):
        got = _columns(demo_run, mart)
        assert [grain, "rep_email", "rep_name", "team", "region"] == got[:5], mart
