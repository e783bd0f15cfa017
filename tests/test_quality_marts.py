"""The published marts' GX suites (expectations/marts/kpi_*.json, issue 4).

Coverage (one suite per kpi_* model, reading only its contract's columns), a green run of every
mart suite on the demo warehouse (one run_suites call, with and without a previous publish) and
planted defects, each on its own copy of the warehouse, failing exactly the expectation meant
to catch it with its severity, unexpected_count and sample.

The marts' columns, NOT NULL and grain are the dbt yml's (enforced contract, constraints,
unique_combination test), not the suites' (expectations/README.md); their planted defects are
in tests/test_check_ownership.py and tests/test_dbt_constraints.py.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from salesops.quality import RunParameters, SuiteFile, discover, run_suites
from salesops.quality.suite import load_suite

ROOT = Path(__file__).resolve().parents[1]
EXPECTATIONS = ROOT / "expectations"
MART_SUITES = EXPECTATIONS / "marts"
MODELS = ROOT / "models" / "marts"
AS_OF = dt.date(2026, 10, 31)


def kpi_models() -> set[str]:
    return {p.stem for p in MODELS.glob("*/kpi_*.sql")}


def contracts() -> dict[str, dict[str, Any]]:
    """The kpi_* models of the dbt ymls (anchors resolved), by name."""
    models = {}
    for path in MODELS.glob("*/*.yml"):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models") or []:
            if model["name"].startswith("kpi_"):
                models[model["name"]] = model
    return models


def mart_suites() -> list[SuiteFile]:
    return [s for s in discover(EXPECTATIONS) if s.schema == "marts"
            and s.table_name.startswith("kpi_")]


def suite_file(model: str) -> SuiteFile:
    path = MART_SUITES / f"{model}.json"
    return SuiteFile(path=path, name=model, table=f"marts.{model}")


def row_counts(database: Path, tables: list[str]) -> dict[str, int]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in tables}
    finally:
        con.close()


def run_one(database: Path, model: str, previous: dict[str, int] | None = None):
    params = RunParameters(as_of_date=AS_OF, previous_row_counts=previous or {})
    return run_suites(database, [suite_file(model)], params=params)[f"marts.{model}"]


def failed(result) -> dict[str, Any]:
    return {o.name: o for o in result.failures}


# --------------------------------------------------------------------------------- coverage


def test_every_kpi_model_has_exactly_one_suite_on_its_contract_columns():
    models, ymls = kpi_models(), contracts()
    assert len(models) == 58 and set(ymls) == models
    suites = mart_suites()
    assert sorted(s.table_name for s in suites) == sorted(models)
    assert {p.stem for p in MART_SUITES.glob("kpi_*.json")} == models

    for suite in suites:
        raw = json.loads(suite.path.read_text())
        model = ymls[suite.table_name]
        columns = [c["name"] for c in model["columns"]]
        assert model["config"]["contract"]["enforced"] is True
        assert raw["name"] == suite.path.stem == suite.table_name
        meta = raw["meta"]
        assert meta["table"] == f"marts.{suite.table_name}" and meta["grain"]
        assert meta["row_id_columns"] and set(meta["row_id_columns"]) <= set(columns)
        assert isinstance(meta["volume_band"], int | float) and 0 < meta["volume_band"] < 1

        exps = raw["expectations"]

        volume = {e["meta"]["name"]: e for e in exps
                  if e["type"] == "expect_table_row_count_to_be_between"}
        assert volume["volume_drop"]["kwargs"] == {"min_value": {"$PARAMETER": "volume_min"}}
        assert volume["volume_drop"]["meta"]["severity"] == "error"
        assert volume["volume_growth"]["kwargs"] == {
            "min_value": 0, "max_value": {"$PARAMETER": "volume_max"}}
        assert volume["volume_growth"]["meta"]["severity"] == "warning"

        names = set()
        for e in exps:
            assert e["meta"]["severity"] in ("error", "warning"), (suite.table_name, e)
            assert len(e["meta"].get("purpose", "")) > 20, (suite.table_name, e)
            for column in [e["kwargs"].get("column"), *e["kwargs"].get("column_list", [])]:
                assert column is None or column in columns, (suite.table_name, column)
            if e["type"] == "unexpected_rows_expectation":
                assert "{batch}" in e["kwargs"]["unexpected_rows_query"]
                assert e["meta"]["name"] not in names, (suite.table_name, e["meta"]["name"])
                names.add(e["meta"]["name"])
        # strict GX validation of every expectation, with the parameters filled in
        load_suite(suite.path, RunParameters(as_of_date=AS_OF).for_suite(suite.table, meta))


# --------------------------------------------------------------------------- demo warehouse


@pytest.fixture(scope="module")
def demo_mart_run(demo_run):
    """Every mart suite in ONE run_suites call, previous publish = the current row counts."""
    suites = mart_suites()
    counts = row_counts(demo_run.warehouse, [s.table_name for s in suites])
    params = RunParameters(as_of_date=AS_OF, previous_row_counts=counts)
    started = time.perf_counter()
    results = run_suites(demo_run.warehouse, suites, params=params)
    return results, counts, time.perf_counter() - started


def test_every_mart_suite_passes_on_the_demo_warehouse(demo_mart_run):
    results, counts, seconds = demo_mart_run
    assert len(results) == 58
    problems = {
        table: [(o.name, o.severity, o.unexpected_count, o.unexpected_sample,
                 o.details.get("exception")) for o in result.failures]
        for table, result in results.items() if result.failures or not result.success
    }
    assert problems == {}, problems  # warnings included
    assert sum(len(r.outcomes) for r in results.values()) > 850
    print(f"{len(results)} mart suites, "
          f"{sum(len(r.outcomes) for r in results.values())} expectations, {seconds:.1f} s")


def test_the_volume_band_was_exercised_around_the_current_counts(demo_mart_run):
    results, counts, _ = demo_mart_run
    for table, result in results.items():
        name = table.partition(".")[2]
        band = json.loads((MART_SUITES / f"{name}.json").read_text())["meta"]["volume_band"]
        volume = {o.name: o for o in result.outcomes if o.name.startswith("expect_table_row")}
        drop = volume["expect_table_row_count_to_be_between(volume_drop)"]
        growth = volume["expect_table_row_count_to_be_between(volume_growth)"]
        assert counts[name] > 0, table
        assert drop.success and drop.details["kwargs"]["min_value"] == math.floor(
            counts[name] * (1 - band))
        assert growth.success and growth.details["kwargs"]["max_value"] == math.ceil(
            counts[name] * (1 + band))
        assert drop.details["result"]["observed_value"] == counts[name]


def test_volume_checks_pass_without_a_previous_publish(demo_run, tmp_path):
    # Only the two volume expectations of every suite (the rest ran above), in one call.
    (tmp_path / "marts").mkdir()
    for suite in mart_suites():
        raw = json.loads(suite.path.read_text())
        raw["expectations"] = [e for e in raw["expectations"]
                               if e["type"] == "expect_table_row_count_to_be_between"]
        (tmp_path / "marts" / suite.path.name).write_text(json.dumps(raw))
    suites = discover(tmp_path)
    results = run_suites(demo_run.warehouse, suites, params=RunParameters(as_of_date=AS_OF))
    assert len(results) == 58
    for table, result in results.items():
        assert result.success and not result.failures, table
        kwargs = {o.name: o.details["kwargs"] for o in result.outcomes}
        assert kwargs["expect_table_row_count_to_be_between(volume_drop)"]["min_value"] == 0
        assert kwargs["expect_table_row_count_to_be_between(volume_growth)"].get("max_value") is None


# --------------------------------------------------------------------------- planted defects


@pytest.fixture
def warehouse_copy(demo_run, tmp_path) -> Path:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_run.warehouse, copy)
    wal = demo_run.warehouse.with_name(demo_run.warehouse.name + ".wal")
    if wal.exists():
        shutil.copy(wal, copy.with_name(copy.name + ".wal"))
    return copy


def execute(database: Path, *sql: str) -> list[tuple]:
    con = duckdb.connect(str(database))
    try:
        rows: list[tuple] = []
        for statement in sql:
            rows = con.execute(statement).fetchall()
        return rows
    finally:
        con.close()


def test_a_rate_of_one_and_a_half_fails_its_range_and_its_recomputation(warehouse_copy):
    (month, rep), = execute(warehouse_copy,
                            "select month, rep_email from marts.kpi_win_rate "
                            "order by month, rep_email limit 1")
    execute(warehouse_copy, "update marts.kpi_win_rate set win_rate_count = 1.5 "
                            f"where month = '{month}' and rep_email = '{rep}'")
    result = run_one(warehouse_copy, "kpi_win_rate")
    assert not result.success
    failures = failed(result)
    assert sorted(failures) == ["expect_column_values_to_be_between(win_rate_count)",
                                "unexpected_rows_expectation(win_rates_recomputed)"]
    in_range = failures["expect_column_values_to_be_between(win_rate_count)"]
    assert in_range.severity == "error" and in_range.unexpected_count == 1
    assert in_range.unexpected_sample == [1.5]
    assert in_range.details["unexpected_rows"] == [
        {"month": month, "rep_email": rep, "win_rate_count": 1.5}]
    recomputed = failures["unexpected_rows_expectation(win_rates_recomputed)"]
    assert recomputed.severity == "error" and recomputed.unexpected_count == 1
    assert len(recomputed.unexpected_sample) == 1
    row = recomputed.unexpected_sample[0]
    assert (row["month"], row["rep_email"], row["win_rate_count"]) == (
        month.isoformat(), rep, 1.5)


def test_a_negative_count_fails_its_range(warehouse_copy):
    (month, rep), = execute(warehouse_copy,
                            "select month, rep_email from marts.kpi_outreach "
                            "order by month, rep_email limit 1")
    execute(warehouse_copy, "update marts.kpi_outreach set touches = -1 "
                            f"where month = '{month}' and rep_email = '{rep}'")
    result = run_one(warehouse_copy, "kpi_outreach")
    assert not result.success
    failures = failed(result)
    # the count is out of range and, being below its own subset lead_touches, breaks nesting
    assert sorted(failures) == ["expect_column_values_to_be_between(touches)",
                                "unexpected_rows_expectation(outreach_counts)"]
    in_range = failures["expect_column_values_to_be_between(touches)"]
    assert in_range.severity == "error" and in_range.unexpected_count == 1
    assert in_range.unexpected_sample == [-1]
    assert in_range.details["unexpected_rows"] == [
        {"month": month, "rep_email": rep, "touches": -1}]
    nesting = failures["unexpected_rows_expectation(outreach_counts)"]
    assert nesting.severity == "error" and nesting.unexpected_count == 1
    assert nesting.unexpected_sample[0]["touches"] == -1


def test_a_volume_drop_against_the_previous_publish_is_an_error(demo_run):
    model = "kpi_pipeline_forecast_team"
    actual = row_counts(demo_run.warehouse, [model])[model]
    result = run_one(demo_run.warehouse, model, {model: 3 * actual})
    assert not result.success
    assert list(failed(result)) == ["expect_table_row_count_to_be_between(volume_drop)"]
    outcome = result.failures[0]
    assert outcome.severity == "error" and outcome.unexpected_count is None
    assert outcome.details["kwargs"]["min_value"] == math.floor(3 * actual * 0.5)
    assert outcome.details["result"]["observed_value"] == actual


def test_unusual_growth_is_only_a_warning(demo_run):
    model = "kpi_sales_cycle"
    actual = row_counts(demo_run.warehouse, [model])[model]
    previous = actual // 4
    result = run_one(demo_run.warehouse, model, {model: previous})
    assert result.success  # a warning never blocks the publish
    assert list(failed(result)) == ["expect_table_row_count_to_be_between(volume_growth)"]
    outcome = result.failures[0]
    assert outcome.severity == "warning" and result.warnings == [outcome]
    assert outcome.details["kwargs"]["max_value"] == math.ceil(previous * 1.5)
    assert outcome.details["result"]["observed_value"] == actual


def test_a_forecast_that_is_not_the_sum_of_its_categories_fails(warehouse_copy):
    (snapshot, month), = execute(
        warehouse_copy,
        "select snapshot_date, close_month from marts.kpi_pipeline_forecast_company "
        "where commit_amount > 0 order by snapshot_date, close_month limit 1",
    )
    execute(warehouse_copy,
            "update marts.kpi_pipeline_forecast_company set commit_forecast = commit_forecast "
            f"+ 1000 where snapshot_date = '{snapshot}' and close_month = '{month}'")
    result = run_one(warehouse_copy, "kpi_pipeline_forecast_company")
    assert not result.success
    assert list(failed(result)) == [
        "unexpected_rows_expectation(forecast_rollups_cumulative)"]
    outcome = result.failures[0]
    assert outcome.severity == "error" and outcome.unexpected_count == 1
    row, = outcome.unexpected_sample
    assert (row["snapshot_date"], row["close_month"]) == (snapshot.isoformat(),
                                                         month.isoformat())
    assert row["commit_forecast"] == pytest.approx(
        row["closed_won_amount"] + row["commit_amount"] + 1000)


def test_a_zero_instead_of_null_on_an_empty_denominator_fails(warehouse_copy):
    (month, rep), = execute(warehouse_copy,
                            "select month, rep_email from marts.kpi_win_rate "
                            "order by month, rep_email limit 1")
    execute(warehouse_copy,
            "update marts.kpi_win_rate set won_amount = 0, lost_amount = 0, win_rate_amount = 0 "
            f"where month = '{month}' and rep_email = '{rep}'")
    result = run_one(warehouse_copy, "kpi_win_rate")
    assert list(failed(result)) == ["unexpected_rows_expectation(win_rates_recomputed)"]
    outcome = result.failures[0]
    assert outcome.severity == "error" and outcome.unexpected_count == 1
    row, = outcome.unexpected_sample
    assert (row["won_amount"], row["lost_amount"], row["win_rate_amount"]) == (0, 0, 0)


def test_won_deals_without_a_reporting_amount_are_only_a_warning(warehouse_copy):
    (month,), = execute(warehouse_copy,
                        "select min(month) from marts.kpi_deal_value_company "
                        "where won_with_amount_count >= 2")
    # one won deal lost its conversion rate: out of the amount population (consistently)
    execute(warehouse_copy,
            "update marts.kpi_deal_value_company set won_with_amount_count = "
            "won_with_amount_count - 1, avg_won_amount = bookings_amount / "
            f"(won_with_amount_count - 1) where month = '{month}'")
    result = run_one(warehouse_copy, "kpi_deal_value_company")
    assert result.success
    assert list(failed(result)) == [
        "unexpected_rows_expectation(won_deals_without_reporting_amount)"]
    outcome = result.failures[0]
    assert outcome.severity == "warning" and outcome.unexpected_count == 1
    row, = outcome.unexpected_sample
    assert row["month"] == month.isoformat()
    assert row["won_with_amount_count"] == row["won_count"] - 1


def test_a_team_row_that_does_not_add_up_to_the_company_fails_the_reconciliation(warehouse_copy):
    # Was the dbt singular test assert_win_rate_grains_sum_to_company: a cross-table rule, so
    # the GX suite of the company grain owns it (expectations/README.md).
    (month, team), = execute(
        warehouse_copy,
        "select month, team from marts.kpi_win_rate_team where team is not null "
        "order by month, team limit 1",
    )
    execute(warehouse_copy, "update marts.kpi_win_rate_team set won_count = won_count + 1 "
                            f"where month = '{month}' and team = '{team}'")
    result = run_one(warehouse_copy, "kpi_win_rate_company")
    assert not result.success
    assert list(failed(result)) == ["unexpected_rows_expectation(grains_sum_to_company)"]
    outcome = result.failures[0]
    assert outcome.severity == "error" and outcome.unexpected_count == 1
    row, = outcome.unexpected_sample
    assert (row["month"], row["grain"]) == (month.isoformat(), "team")
    assert row["grain_won_count"] == row["company_won_count"] + 1
