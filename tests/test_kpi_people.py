"""People marts (training, retention) on the real pipeline run of the demo data (`demo_run`).

(a) kpi_retention_company and kpi_training (training_hours, courses_completed, assignments_due,
    assignments_completed_on_time, overdue_assignments) equal an independent plain-Python recomputation from the landing files (tests/recompute_people.py);
(b) every additive measure sums to the company row at every grain, per month;
(c) the published marts carry every column of the METRICS.md interface table (and the
    new-hire and training-impact marts their measures), with rows on the demo data.
"""

from __future__ import annotations

import math

import pytest
from recompute_people import assignments_by_rep_month, retention_company, training_by_rep_month

TRAINING_MEASURES = ["training_hours", "courses_completed", "assignments_due",
                     "assignments_completed_on_time", "on_time_completion_rate",
                     "overdue_assignments", "avg_scaled_score"]
TRAINING_ADDITIVE = ["training_hours", "courses_completed", "assignments_due",
                     "assignments_completed_on_time", "overdue_assignments", "scored_attempts"]
RETENTION_MEASURES = ["headcount_start", "headcount_end", "avg_headcount", "separations",
                      "voluntary_separations", "involuntary_separations",
                      "regrettable_separations", "turnover_rate", "retention_rate",
                      "turnover_rate_t12m"]
RETENTION_ADDITIVE = ["headcount_start", "headcount_end", "avg_headcount", "separations",
                      "voluntary_separations", "involuntary_separations",
                      "regrettable_separations", "separations_t12m", "avg_headcount_t12m"]
NEW_HIRE_ADDITIVE = ["hires", "hires_90_day_window_complete", "left_within_90_days",
                     "ramped_hires"]


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def _columns(run, table: str) -> list[str]:
    return [r[0] for r in run.published(
        "select column_name from information_schema.columns where table_name = ? "
        "order by ordinal_position", [table])]


def _dicts(run, sql: str) -> list[dict]:
    rows = run.published(sql)
    cols = [c.strip() for c in sql.split("select", 1)[1].split("from", 1)[0].split(",")]
    return [dict(zip(cols, r, strict=True)) for r in rows]


# -- (a) independent recomputation -------------------------------------------------------------
def test_retention_company_matches_recomputation(demo_run):
    expected = retention_company(demo_run.landing_dir)
    cols = ["month", *RETENTION_MEASURES]
    published = {r["month"]: r for r in _dicts(
        demo_run, f"select {', '.join(cols)} from kpi_retention_company order by month")}
    assert list(published) == list(expected)  # the same month series, earliest hire .. HR drop
    assert sum(m["separations"] for m in expected.values()) > 0  # real rows, real leavers
    assert any(m["turnover_rate_t12m"] is not None for m in expected.values())
    for month, exp in expected.items():
        for measure in RETENTION_MEASURES:
            assert _close(published[month][measure], exp[measure]), (month, measure)


def test_training_matches_recomputation(demo_run):
    expected = training_by_rep_month(demo_run.landing_dir)
    assert expected and sum(m["training_hours"] for m in expected.values()) > 0
    published = {(r[0], r[1]): (r[2], r[3]) for r in demo_run.published(
        "select month, rep_email, training_hours, courses_completed from kpi_training")}
    for key, exp in expected.items():
        assert key in published, key
        hours, courses = published[key]
        assert math.isclose(hours, exp["training_hours"], rel_tol=1e-9, abs_tol=1e-6), key
        assert courses == exp["courses_completed"], key
    # rows without a completion (assignments or failed attempts only) have no hours
    for key, (hours, courses) in published.items():
        if key not in expected:
            assert hours == 0 and courses == 0, key


def test_assignments_match_recomputation(demo_run):
    expected = assignments_by_rep_month(demo_run.landing_dir)
    assert sum(m["assignments_due"] for m in expected.values()) > 0
    assert sum(m["overdue_assignments"] for m in expected.values()) > 0
    measures = ["assignments_due", "assignments_completed_on_time", "overdue_assignments"]
    published = {(r[0], r[1]): dict(zip(measures, r[2:], strict=True)) for r in demo_run.published(
        f"select month, rep_email, {', '.join(measures)} from kpi_training")}
    for key, exp in expected.items():
        assert published.get(key) == exp, key
    for key, got in published.items():
        if key not in expected:
            assert got == dict.fromkeys(measures, 0), key


# -- (b) roll-up consistency --------------------------------------------------------------------
def _sums_by_month(run, table: str, measures: list[str]) -> dict:
    sums = ", ".join(f"sum({m})" for m in measures)
    return {r[0]: r[1:] for r in run.published(
        f"select month, {sums} from {table} group by month order by month")}


@pytest.mark.parametrize(("family", "grains", "measures"), [
    ("kpi_training", ["kpi_training", "kpi_training_team", "kpi_training_region"],
     TRAINING_ADDITIVE),
    ("kpi_retention", ["kpi_retention", "kpi_retention_team", "kpi_retention_region",
                       "kpi_retention_role"], RETENTION_ADDITIVE),
    ("kpi_new_hire_attrition", ["kpi_new_hire_attrition", "kpi_new_hire_attrition_team",
                                "kpi_new_hire_attrition_region"], NEW_HIRE_ADDITIVE),
])
def test_every_grain_sums_to_the_company(demo_run, family, grains, measures):
    company = _sums_by_month(demo_run, f"{family}_company", measures)
    assert company
    for table in grains:
        sums = _sums_by_month(demo_run, table, measures)
        assert set(sums) <= set(company), table
        for month, row in company.items():
            got = sums.get(month, (None,) * len(measures))
            for measure, a, b in zip(measures, got, row, strict=True):
                # a month where nobody at this grain has anything may have no rows
                a = 0 if a is None and b in (0, None) else a
                assert _close(a, b) or (b is None and a in (0, None)), (table, month, measure)


# -- (c) interface columns ----------------------------------------------------------------------
@pytest.mark.parametrize(("table", "keys", "measures"), [
    ("kpi_training", ["month", "rep_email", "rep_name", "team", "region"], TRAINING_MEASURES),
    ("kpi_training_team", ["month", "team"], TRAINING_MEASURES),
    ("kpi_training_region", ["month", "region"], TRAINING_MEASURES),
    ("kpi_training_company", ["month"], TRAINING_MEASURES),
    ("kpi_retention", ["month", "team"], RETENTION_MEASURES),
    ("kpi_retention_team", ["month", "team"], RETENTION_MEASURES),
    ("kpi_retention_region", ["month", "region"], RETENTION_MEASURES),
    ("kpi_retention_role", ["month", "role"], RETENTION_MEASURES),
    ("kpi_retention_company", ["month"], RETENTION_MEASURES),
    ("kpi_new_hire_attrition", ["month", "team"],
     ["hires", "left_within_90_days", "new_hire_attrition_rate_90d", "avg_ramp_days"]),
    ("kpi_new_hire_attrition_company", ["month"],
     ["hires", "left_within_90_days", "new_hire_attrition_rate_90d", "avg_ramp_days"]),
    ("kpi_training_impact", ["quarter", "training_quartile"],
     ["next_quarter_win_rate_count", "next_quarter_avg_won_amount",
      "next_quarter_quota_attainment"]),
])
def test_published_interface_columns(demo_run, table, keys, measures):
    columns = _columns(demo_run, table)
    missing = [c for c in [*keys, *measures] if c not in columns]
    assert not missing, (table, missing)
    assert demo_run.published(f"select count(*) from {table}")[0][0] > 0, table
