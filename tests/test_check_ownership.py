"""Each data-quality check in one place (expectations/README.md, "Who owns which check").

dbt owns what must hold for a model to be correct at build time: the contract (columns, types,
NOT NULL), the grain (unique_combination / unique), categorical domains (accepted_values) and
relationships. The GX suites own what judges the night's data: volume, freshness, ranges of
measures, the grain's published format, reconciliation (between grains, with raw and the load
ledgers) and cross-table consistency, with their severities. A property asserted by both is
asserted once, by its owner; these tests keep it so, and show with planted defects that the
dbt tests that now alone hold the grain still catch what the mart suites used to.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import scaffold_mart_suite  # noqa: E402

MART_SUITES = ROOT / "expectations" / "marts"
DBT_PROJECT = ROOT / "dbt_project"

# dbt tests that judge values rather than structure: ranges, volume, freshness, reconciliation.
GX_OWNED_DBT_TESTS = {
    "value_between", "accepted_range", "expression_is_true", "recency", "equal_rowcount",
    "fewer_rows_than", "cardinality_equality", "equality", "at_least_one",
}
# GX expectations of what dbt owns on a model (its contract, NOT NULL, grain, categories).
DBT_OWNED_EXPECTATIONS = {
    "expect_compound_columns_to_be_unique", "expect_column_values_to_be_unique",
    "expect_select_column_values_to_be_unique_within_record", "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_null",
}


def _test_name(test: Any) -> str:
    return (test if isinstance(test, str) else next(iter(test))).split(".")[-1]


def _models() -> dict[str, tuple[Path, dict[str, Any]]]:
    models = {}
    for path in sorted((ROOT / "models").rglob("_*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models") or []:
            models[model["name"]] = (path, model)
    return models


def _grain(model: dict[str, Any]) -> list[str] | None:
    for test in model.get("data_tests") or []:
        if _test_name(test) == "unique_combination":
            body = next(iter(test.values()))
            return list((body.get("arguments") or body)["columns"])
    unique = [c["name"] for c in model.get("columns") or []
              if "unique" in [_test_name(t) for t in c.get("data_tests") or []]]
    return unique or None


def _not_null(column: dict[str, Any]) -> bool:
    return ("not_null" in [_test_name(t) for t in column.get("data_tests") or []]
            or any(c.get("type") == "not_null" for c in column.get("constraints") or []))


def _suites() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(MART_SUITES.glob("*.json"))]


def test_no_dbt_test_on_a_model_judges_values():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}{'.' + column if column else ''}: {_test_name(t)}"
        for name, (path, model) in _models().items()
        for column, tests in [(None, model.get("data_tests") or []),
                              *((c["name"], c.get("data_tests") or [])
                                for c in model.get("columns") or [])]
        for t in tests if _test_name(t) in GX_OWNED_DBT_TESTS
    ]
    assert not offenders, "ranges and reconciliations are the GX suites' (expectations/README.md)"


def test_no_dbt_singular_test_compares_tables():
    # A singular test reading two or more models is a cross-table consistency check: GX's.
    offenders = []
    for path in sorted((ROOT / "tests" / "dbt").glob("*.sql")):
        refs = set(re.findall(r"ref\(\s*['\"](\w+)['\"]\s*\)", path.read_text(encoding="utf-8")))
        if len(refs) > 1:
            offenders.append(f"{path.name}: {sorted(refs)}")
    assert not offenders


def test_mart_suites_leave_the_contract_and_the_grain_to_dbt():
    models = _models()
    for suite in _suites():
        name = suite["name"]
        _, model = models[name]
        columns = {c["name"]: c for c in model.get("columns") or []}
        grain = _grain(model)
        # every suite's table declares its grain in its yml, as the suite's rows are keyed
        assert grain == suite["meta"]["row_id_columns"], name
        enforced = ((model.get("config") or {}).get("contract") or {}).get("enforced")
        for e in suite["expectations"]:
            kind, kwargs, meta = e["type"], e["kwargs"], e["meta"]
            what = f"{name}: {kind}({meta.get('name') or kwargs.get('column') or ''})"
            assert meta.get("name") != "grain_unique_null_groups", what
            if kind == "expect_table_columns_to_match_set":
                assert not enforced, f"{what}: the enforced contract fixes the columns"
            if kind in DBT_OWNED_EXPECTATIONS:
                # A NULL share may be judged (a warning: a smell of the night's data); a column
                # that must not be NULL, a key or a category list is the yml's (an error).
                assert kind == "expect_column_values_to_not_be_null", what
                assert meta["severity"] == "warning", what
                assert not _not_null(columns[kwargs["column"]]), f"{what}: the yml has it"


def test_kpi_grain_columns_that_must_be_set_are_not_null_constraints():
    # What the suites' grain not-null expectations checked: the contract's NOT NULL now does.
    for name, (_, model) in _models().items():
        if not name.startswith("kpi_"):
            continue
        columns = {c["name"]: c for c in model["columns"]}
        assert model["config"]["contract"]["enforced"] is True, name
        for column in _grain(model) or []:
            if column in ("rep_email", "team", "region", "role", "lead_source",
                          "opportunity_type"):
                continue  # a NULL group of its own (no HR match, no e-mail, ...)
            assert _not_null(columns[column]), f"{name}.{column}"


def test_mart_suites_are_what_the_generator_makes_of_their_ymls():
    """Volume, grain format and ranges are generated from the yml (scripts/scaffold_mart_suite.py,
    also `--check`); the committed JSON is what runs and what a reviewer reads."""
    models = scaffold_mart_suite.load_models()
    assert scaffold_mart_suite.check_all(models) == []


def test_the_generator_notices_a_drifted_range():
    models = scaffold_mart_suite.load_models()
    suite = json.loads((MART_SUITES / "kpi_win_rate_team.json").read_text(encoding="utf-8"))
    for e in suite["expectations"]:
        if e["kwargs"].get("column") == "win_rate_count":
            e["kwargs"]["max_value"] = 2  # wider than [0, 1]
    problems = scaffold_mart_suite.drift(suite, models["kpi_win_rate_team"])
    assert len(problems) == 1 and "win_rate_count" in problems[0]


# ------------------------------------------------------------------ planted defects (dbt side)


def _dbt_test(warehouse: Path, work: Path, select: list[str]) -> dict[str, str]:
    """`dbt test` of the selected models on ``warehouse``: {test unique_id: status}."""
    dbt = Path(sys.executable).parent / "dbt"
    env = dict(os.environ, SALESOPS_WAREHOUSE=str(warehouse))
    subprocess.run(
        [str(dbt) if dbt.exists() else "dbt", "test", "--select", *select,
         "--exclude-resource-type", "unit_test",
         "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
         "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        cwd=DBT_PROJECT, env=env, capture_output=True, text=True, timeout=600,
    )
    results = json.loads((work / "target" / "run_results.json").read_text())
    return {r["unique_id"]: r["status"] for r in results["results"]}


def test_planted_grain_duplicates_fail_the_dbt_grain_tests(demo_run, tmp_path):
    """A duplicate (month, team) row, and a second NULL-team row of one month: the mart suites'
    compound uniqueness and NULL-group rule caught these; the yml's unique_combination (GROUP
    BY, so NULL keys compare equal) catches both, and a failed dbt test fails the build step,
    so nothing is published."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_run.warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        (month, team), = con.execute(
            "select month, team from marts.kpi_win_rate_team where team is not null "
            "order by month, team limit 1").fetchall()
        con.execute("insert into marts.kpi_win_rate_team select * from marts.kpi_win_rate_team "
                    "where month = ? and team = ?", [month, team])
        (usage_month,), = con.execute(
            "select min(month) from marts.kpi_crm_usage_team where team is null").fetchall()
        con.execute("insert into marts.kpi_crm_usage_team select * from marts.kpi_crm_usage_team "
                    "where month = ? and team is null", [usage_month])
    finally:
        con.close()
    statuses = _dbt_test(copy, tmp_path, ["kpi_win_rate_team", "kpi_crm_usage_team"])
    failed = {uid.split(".")[2] for uid, status in statuses.items() if status == "fail"}
    assert {t for t in failed if t.startswith("unique_combination")} == {
        t for t in failed
    } and len(failed) == 2, statuses
    assert any("kpi_win_rate_team" in t for t in failed)
    assert any("kpi_crm_usage_team" in t for t in failed)
