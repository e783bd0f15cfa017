"""Activity marts (CRM usage, outreach, lead response) on the real pipeline run of the demo data (`demo_run`).

(a) kpi_lead_response (every measure), kpi_outreach touches / leads_touched and kpi_crm_usage
    active_days / active_working_days / working_days / adoption_rate are recomputed in plain
    Python from the landing files (tests/recompute_activity.py) and must equal the published
    rep x month rows, row for row;
(b) every additive measure sums to the same total per month over the rep, team and region rows
    and the company row;
(c) the published marts carry every column of METRICS.md's interface table.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from recompute_activity import (
    crm_usage_days_by_rep_month,
    lead_response_by_rep_month,
    touches_by_rep_month,
)

pytestmark = pytest.mark.slow

REP_COLUMNS = ["month", "rep_email", "rep_name", "team", "region"]
INTERFACE = {
    "kpi_crm_usage": ["activities_logged", "logins", "active_days", "active_working_days",
                      "working_days", "adoption_rate", "selling_hours", "admin_hours", "selling_share",
                      "open_opps", "stale_open_opps"],
    "kpi_outreach": ["touches", "leads_touched", "touches_per_touched_lead", "leads_converted",
                     "lead_conversion_rate", "touches_per_converted_lead",
                     "under_touched_share", "over_nurtured_share"],
    "kpi_lead_response": ["leads_created", "median_response_minutes", "p90_response_minutes",
                          "within_sla_share", "never_answered_share"],
}
ADDITIVE = {
    "kpi_crm_usage": ["activities_logged", "logins", "active_days", "active_working_days",
                      "working_days", "selling_hours", "admin_hours", "open_opps",
                      "stale_open_opps"],
    "kpi_outreach": ["touches", "lead_touches", "leads_touched", "leads_owned", "leads_final",
                     "leads_converted", "converted_lead_touches", "leads_under_touched",
                     "leads_over_nurtured"],
    "kpi_lead_response": ["leads_created", "leads_answered", "leads_pending",
                          "leads_within_sla", "leads_never_answered"],
}


def _columns(run, table: str) -> list[str]:
    return [r[0] for r in run.published(
        "select column_name from information_schema.columns where table_name = ? "
        "order by ordinal_position", [table])]


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("mart", sorted(INTERFACE))
def test_interface_columns_and_real_rows(demo_run, mart):
    assert set(REP_COLUMNS + INTERFACE[mart]) <= set(_columns(demo_run, mart))
    assert set(["month", "team"] + INTERFACE[mart]) <= set(_columns(demo_run, mart + "_team"))
    assert set(["month", "region"] + INTERFACE[mart]) <= set(_columns(demo_run, mart + "_region"))
    assert set(["month"] + INTERFACE[mart]) <= set(_columns(demo_run, mart + "_company"))
    # real rows with real numbers on the demo data: several months, some non-NULL ratios
    months = demo_run.published(f"select count(distinct month) from {mart}")[0][0]
    assert months >= 2
    reps = demo_run.published(f"select count(distinct rep_email) from {mart}")[0][0]
    assert reps >= 3
    for column in INTERFACE[mart]:
        non_null = demo_run.published(f"select count({column}) from {mart}")[0][0]
        assert non_null > 0, f"{mart}.{column} is NULL everywhere"


def test_lead_response_equals_independent_recomputation(demo_run):
    expected = lead_response_by_rep_month(demo_run.landing_dir, sla_minutes=60)
    rows = demo_run.published(
        "select month, rep_email, leads_created, median_response_minutes, p90_response_minutes, "
        "within_sla_share, never_answered_share from kpi_lead_response")
    assert len(rows) == len(expected) > 0
    names = ["leads_created", "median_response_minutes", "p90_response_minutes",
             "within_sla_share", "never_answered_share"]
    for month, rep, *values in rows:
        want = expected[(month, rep)]
        for name, got in zip(names, values, strict=True):
            assert _same(got, want[name]), (month, rep, name, got, want[name])
    # the recomputation is not vacuous: answered leads, shares strictly between 0 and 1
    assert any(v["median_response_minutes"] is not None for v in expected.values())
    assert any(0 < (v["within_sla_share"] or 0) < 1 for v in expected.values())


def test_outreach_touches_equal_independent_recomputation(demo_run):
    expected = touches_by_rep_month(demo_run.landing_dir)
    rows = demo_run.published(
        "select month, rep_email, touches, lead_touches, leads_touched from kpi_outreach")
    published = {(m, r): (t, lt, ld) for m, r, t, lt, ld in rows}
    # every rep-month with a touch has a row with those numbers ...
    for key, want in expected.items():
        assert published.get(key, (0, 0, 0)) == (
            want["touches"], want["lead_touches"], want["leads_touched"]), key
    # ... and the rows without one (cohort-only rows) show 0 touches
    for key, (t, lt, ld) in published.items():
        if key not in expected:
            assert (t, lt, ld) == (0, 0, 0), key
    assert sum(v["touches"] for v in expected.values()) > 100
    # touches on contacts count in touches but not in leads_touched
    assert any(v["touches"] > v["lead_touches"] for v in expected.values())


@pytest.mark.parametrize("mart", sorted(ADDITIVE))
def test_rollups_sum_to_the_company(demo_run, mart):
    measures = ADDITIVE[mart]
    sums = ", ".join(f"sum({m})" for m in measures)
    totals = {}
    for table in (mart, f"{mart}_team", f"{mart}_region", f"{mart}_company"):
        totals[table] = {row[0]: row[1:] for row in demo_run.published(
            f"select month, {sums} from {table} group by month")}
    company = totals[f"{mart}_company"]
    assert company, f"{mart}_company is empty"
    for table, per_month in totals.items():
        assert set(per_month) == set(company), table
        for month, values in per_month.items():
            for name, got, want in zip(measures, values, company[month], strict=True):
                assert _same(got, want), (table, month, name, got, want)


def test_ratios_recomputed_from_sums_at_every_grain(demo_run):
    # adoption (METRICS 2026-12-04) is sum(active_working_days) / sum(working_days) at every
    # grain, never a mean of rates, and never above 1: the active working days are a subset of
    # both the active days and the working days
    weekend_rows = 0
    for table in ("kpi_crm_usage", "kpi_crm_usage_team", "kpi_crm_usage_region",
                  "kpi_crm_usage_company"):
        rows = demo_run.published(
            f"select active_days, active_working_days, working_days, adoption_rate from {table}")
        assert rows, table
        for active, active_working, working, adoption in rows:
            assert _same(adoption, active_working / working if working else None), table
            assert active_working <= active and active_working <= working, table
            assert adoption is None or 0 <= adoption <= 1, table
            weekend_rows += active_working < active
    assert weekend_rows > 0  # the demo data has weekend activity: the two counts differ
    for grain in ("", "_team", "_region", "_company"):
        for conv, final, rate in demo_run.published(
                f"select leads_converted, leads_final, lead_conversion_rate from kpi_outreach{grain}"):
            assert _same(rate, conv / final if final else None), grain


def test_working_days_are_the_weekdays_of_the_month(demo_run):
    rows = demo_run.published(
        "select month, working_days from kpi_crm_usage where rep_email is not null")
    assert rows
    for month, working_days in rows:
        assert isinstance(month, dt.date)
        day, weekdays = month, 0
        while day.month == month.month:
            weekdays += day.weekday() < 5
            day += dt.timedelta(days=1)
        assert working_days == weekdays, month


def test_crm_usage_days_equal_independent_recomputation(demo_run):
    expected = crm_usage_days_by_rep_month(demo_run.landing_dir)
    names = ["active_days", "active_working_days", "working_days", "adoption_rate"]
    published = {(r[0], r[1]): dict(zip(names, r[2:], strict=True)) for r in demo_run.published(
        f"select month, rep_email, {', '.join(names)} from kpi_crm_usage "
        "where rep_email is not null")}
    assert len(expected) > 10
    for key, want in expected.items():
        got = published.get(key)
        assert got is not None, key
        for name in names:
            assert _same(got[name], want[name]), (key, name, got[name], want[name])
    # rows without an active day (usage or open opportunities only) have adoption 0
    for key, got in published.items():
        if key not in expected:
            assert (got["active_days"], got["active_working_days"]) == (0, 0), key
            assert got["adoption_rate"] == 0, key
    # the rule matters on this data: some rep-month was active on a weekend, and no adoption
    # exceeds 1 although active days / working days would for some
    assert any(w["active_days"] > w["active_working_days"] for w in expected.values())
