"""The semantic layer (MetricFlow, docs/semantic_layer.md) on the real pipeline run of the demo data.

- `mf validate-configs` passes on the semantic manifest, its warehouse checks included;
- `mf query` answers equal the published kpi_* marts, row for row (math.isclose, rel_tol 1e-9):
  ratios at team, region and company grain are recomputed from summed numerators and
  denominators by MetricFlow exactly as the roll-up marts do, and the forecast-category and
  lead-source dimensions give the marts' split columns;
- every KPI area of docs/metrics.md has at least one metric (a cheap check without dbt).

mf reads the dbt project in its working directory: the test parses the project into a
temporary one (its own target/, never dbt_project/target) against a copy of the demo warehouse,
so MetricFlow's read-write connection never locks the file the other test modules read.
"""

from __future__ import annotations

import csv
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from salesops.settings import DBT_PROJECT_DIR

REPO = DBT_PROJECT_DIR.parent
BIN = Path(sys.executable).parent
SEMANTIC_YMLS = sorted((REPO / "models").rglob("_*__semantic.yml"))


@pytest.fixture(scope="module")
def mf_project(demo_run, tmp_path_factory) -> tuple[Path, dict]:
    """A dbt project folder for `mf`: the profile, and target/semantic_manifest.json parsed
    against a copy of the demo warehouse (named warehouse.duckdb, like the original, so the
    manifest's database is the one the profile attaches)."""
    root = tmp_path_factory.mktemp("semantic")
    warehouse = root / "warehouse.duckdb"
    shutil.copyfile(demo_run.warehouse, warehouse)
    project = root / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copyfile(DBT_PROJECT_DIR / name, project / name)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("DBT_") and key.lower() != "no_proxy"}
    # mf asks PyPI for a newer version on every call (1 s timeout, failures ignored): a proxy on
    # a closed local port makes that fail at once, so the test never reaches the network
    env |= {"SALESOPS_WAREHOUSE": str(warehouse), "SALESOPS_DBT_TARGET": "duckdb",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "HTTPS_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}
    proc = subprocess.run(
        [str(BIN / "dbt"), "parse", "--quiet", "--no-partial-parse", "--project-dir", ".",
         "--profiles-dir", ".", "--target-path", str(project / "target"),
         "--log-path", str(root / "logs")],
        cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (project / "target" / "semantic_manifest.json").exists()
    return project, env


def _mf(project_env: tuple[Path, dict], *args: str) -> subprocess.CompletedProcess:
    project, env = project_env
    return subprocess.run([str(BIN / "mf"), *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=300)


def _mf_query(project_env, metrics: list[str], group_by: list[str]) -> list[dict]:
    out = project_env[0] / "query.csv"
    proc = _mf(project_env, "query", "--metrics", ",".join(metrics), "--group-by",
               ",".join(group_by), "--csv", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _key(value) -> str:
    """A group-by value as text: dates as YYYY-MM-DD (mf writes midnight timestamps), NULL ''."""
    if value is None:
        return ""
    text = str(value)
    return text[:10] if text.endswith(" 00:00:00") else text


def _same(mf_value: str, mart_value) -> bool:
    if mart_value is None or mf_value == "":
        return mart_value is None and mf_value == ""
    return math.isclose(float(mf_value), float(mart_value), rel_tol=1e-9)


# (metrics, mf group-by, the mart query: the group-by columns in the same order, then the metrics)
CASES = {
    "win_rate_by_month_and_team": (
        ["win_rate_count", "win_rate_amount", "won_count", "lost_count"],
        ["metric_time__month", "opportunity__team"],
        "select month, team, win_rate_count, win_rate_amount, won_count, lost_count"
        " from marts.kpi_win_rate_team"),
    "win_rate_by_month_company": (
        ["win_rate_count", "win_rate_amount"],
        ["metric_time__month"],
        "select month, win_rate_count, win_rate_amount from marts.kpi_win_rate_company"),
    # a roll-up no mart has: fiscal quarters (a custom granularity of the time spine), the
    # ratio recomputed from the monthly counts
    "win_rate_by_fiscal_quarter": (
        ["win_rate_count", "won_count"],
        ["metric_time__fiscal_quarter"],
        "select dates.fiscal_quarter_start, sum(rates.won_count) * 1.0"
        " / sum(rates.won_count + rates.lost_count), sum(rates.won_count)"
        " from marts.kpi_win_rate_company as rates"
        " inner join marts.dim_dates as dates on dates.date_day = rates.month"
        " group by dates.fiscal_quarter_start"),
    "win_rate_by_lead_source": (
        ["win_rate_count", "win_rate_amount"],
        ["metric_time__month", "opportunity__lead_source"],
        "select month, lead_source, win_rate_count, win_rate_amount"
        " from marts.kpi_win_rate_by_lead_source"),
    "deal_value_by_month_and_region": (
        ["avg_won_amount", "bookings_amount", "largest_won_amount"],
        ["metric_time__month", "opportunity__region"],
        "select month, region, avg_won_amount, bookings_amount, largest_won_amount"
        " from marts.kpi_deal_value_region"),
    "median_deal_value_by_rep": (
        ["median_won_amount"],
        ["metric_time__month", "opportunity__rep_email"],
        "select month, rep_email, median_won_amount from marts.kpi_deal_value"),
    "sales_cycle_company": (
        ["avg_cycle_days_won", "avg_cycle_days_closed", "median_cycle_days_won",
         "p90_cycle_days_won"],
        ["metric_time__month"],
        "select month, avg_cycle_days_won, avg_cycle_days_closed, median_cycle_days_won,"
        " p90_cycle_days_won from marts.kpi_sales_cycle_company"),
    "crm_adoption_by_month_and_team": (
        ["adoption_rate", "selling_share", "stale_open_opp_share", "logins"],
        ["metric_time__month", "crm_usage__team"],
        "select month, team, adoption_rate, selling_share, stale_open_opp_share, logins"
        " from marts.kpi_crm_usage_team"),
    "crm_adoption_by_month": (
        ["adoption_rate"],
        ["metric_time__month"],
        "select month, adoption_rate from marts.kpi_crm_usage_company"),
    "lead_response_by_month": (
        ["within_sla_share", "never_answered_share", "leads_created", "median_response_minutes",
         "p90_response_minutes"],
        ["metric_time__month"],
        "select month, within_sla_share, never_answered_share, leads_created,"
        " median_response_minutes, p90_response_minutes from marts.kpi_lead_response_company"),
    "lead_response_by_rep": (
        ["within_sla_share", "never_answered_share"],
        ["metric_time__month", "lead__rep_email"],
        "select month, rep_email, within_sla_share, never_answered_share"
        " from marts.kpi_lead_response"),
    "outreach_by_month_and_region": (
        ["lead_conversion_rate", "touches_per_touched_lead", "touches_per_converted_lead",
         "under_touched_share", "over_nurtured_share", "touches"],
        ["metric_time__month", "outreach__region"],
        "select month, region, lead_conversion_rate, touches_per_touched_lead,"
        " touches_per_converted_lead, under_touched_share, over_nurtured_share, touches"
        " from marts.kpi_outreach_region"),
    "training_by_month_and_team": (
        ["training_hours", "courses_completed", "on_time_completion_rate", "avg_scaled_score",
         "overdue_assignments"],
        ["metric_time__month", "training__team"],
        "select month, team, training_hours, courses_completed, on_time_completion_rate,"
        " avg_scaled_score, overdue_assignments from marts.kpi_training_team"),
    "retention_by_month_and_region": (
        ["turnover_rate", "retention_rate", "avg_headcount", "separations"],
        ["metric_time__month", "retention__region"],
        "select month, region, turnover_rate, retention_rate, avg_headcount, separations"
        " from marts.kpi_retention_region"),
    # the mart is NULL for the first 11 months of its series; the metric has no series start
    "turnover_t12m_company": (
        ["turnover_rate_t12m"],
        ["metric_time__month"],
        "select month, turnover_rate_t12m from marts.kpi_retention_company"
        " where turnover_rate_t12m is not null"),
    "pipeline_forecast_by_snapshot_close_month_team": (
        ["open_pipeline_amount", "weighted_pipeline_amount", "commit_forecast",
         "best_case_forecast", "pipeline_forecast", "quota_attainment"],
        ["metric_time__day", "pipeline__close_month__month", "pipeline__team"],
        "select snapshot_date, close_month, team, open_pipeline_amount, weighted_pipeline_amount,"
        " commit_forecast, best_case_forecast, pipeline_forecast, quota_attainment"
        " from marts.kpi_pipeline_forecast_team"),
    # calendar close quarters: the mart's fiscal quarters while fiscal_year_start_month is 1
    "pipeline_forecast_by_close_quarter": (
        ["commit_forecast", "open_pipeline_amount", "quota_attainment"],
        ["metric_time__day", "pipeline__close_month__quarter"],
        "select snapshot_date, close_quarter, commit_forecast, open_pipeline_amount,"
        " quota_attainment from marts.kpi_pipeline_forecast_quarter_company"),
    "pipeline_by_forecast_category": (
        ["open_pipeline_amount"],
        ["metric_time__day", "pipeline__close_month__month", "pipeline__forecast_category"],
        "select snapshot_date, close_month, 'Forecast', commit_amount"
        " from marts.kpi_pipeline_forecast_company where commit_amount <> 0"
        " union all select snapshot_date, close_month, 'BestCase', best_case_amount"
        " from marts.kpi_pipeline_forecast_company where best_case_amount <> 0"
        " union all select snapshot_date, close_month, 'Omitted', omitted_amount"
        " from marts.kpi_pipeline_forecast_company where omitted_amount <> 0"
        " union all select snapshot_date, close_month, 'Pipeline', pipeline_amount"
        " from marts.kpi_pipeline_forecast_company where pipeline_amount <> 0"),
}


# Cumulative metrics have rows the mart hasn't: the first 11 months of the series, and months
# after the newest HR extract up to the end of the time spine (docs/semantic_layer.md).
OPEN_ENDED = {"turnover_t12m_company"}


def test_mf_validate_configs(mf_project):
    proc = _mf(mf_project, "validate-configs")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Successfully validated metrics against data warehouse (ERRORS: 0" in output, output


@pytest.mark.parametrize("case", sorted(CASES))
def test_mf_query_equals_mart(mf_project, demo_run, case):
    metrics, group_by, sql = CASES[case]
    mart = {}
    for row in demo_run.warehouse_rows(sql):
        key = tuple(_key(value) for value in row[:len(group_by)])
        assert key not in mart, key
        mart[key] = row[len(group_by):]
    assert mart, f"{case}: the mart is empty on the demo data"
    answer = {tuple(_key(row[column]) for column in group_by): row
              for row in _mf_query(mf_project, metrics, group_by)}
    compared = 0
    for key, values in mart.items():
        if all(value is None for value in values) and key not in answer:
            continue  # a mart row with nothing to show (e.g. a month with velocity events only)
        assert key in answer, (case, key)
        for metric, value in zip(metrics, values, strict=True):
            assert _same(answer[key][metric], value), (case, key, metric, answer[key][metric], value)
            compared += value is not None
    assert compared > 0
    if case in OPEN_ENDED:
        return
    # a row mf has beyond the mart's (the marts are sparse) holds nothing but empty ratios and 0s
    for key in answer.keys() - mart.keys():
        assert all(answer[key][m] == "" or float(answer[key][m]) == 0 for m in metrics), (
            case, key, answer[key])


KPI_HEADING = re.compile(r"^## (\d+)\. (.+)$", re.MULTILINE)


def test_every_kpi_area_has_a_metric():
    """Each numbered KPI of docs/metrics.md is named "(KPI n" by at least one metric's
    description in the semantic ymls, and every ratio's parts are metrics defined there."""
    areas = dict(KPI_HEADING.findall((REPO / "docs" / "metrics.md").read_text()))
    assert len(areas) == 9, areas
    metrics = [metric for path in SEMANTIC_YMLS
               for metric in yaml.safe_load(path.read_text()).get("metrics", [])]
    names = {metric["name"] for metric in metrics}
    for number, title in areas.items():
        tagged = [m["name"] for m in metrics if f"(KPI {number}" in m.get("description", "")]
        assert tagged, f"KPI {number} ({title}) of docs/metrics.md has no metric"
    ratios = [m for m in metrics if m["type"] == "ratio"]
    assert len(ratios) >= 15
    for metric in ratios:
        assert {metric["type_params"]["numerator"], metric["type_params"]["denominator"]} <= names
    documented = (REPO / "docs" / "semantic_layer.md").read_text()
    for name in names:
        assert f"`{name}`" in documented, f"metric {name} is not in docs/semantic_layer.md"
