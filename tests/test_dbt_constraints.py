"""NOT NULL of the published marts: dbt contract constraints, enforced by DuckDB.

The marts' columns that must never be NULL carry `constraints: [{type: not_null}]` in their
enforced contracts (models/marts/*/_*.yml) instead of one `not_null` data test each: dbt creates
the table with the constraint and inserts into it, so a NULL fails the model's build (and so
the run, before anything is published) without a query per column afterwards (376 test nodes,
each a Dagster asset check, a few seconds of every nightly run).
"""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from orchestration.defs.dbt import ensure_manifest
from salesops.settings import Settings


def _not_null_columns() -> dict[str, list[str]]:
    manifest = json.loads(ensure_manifest(Settings.from_env()).read_text())
    columns: dict[str, list[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        names = [
            name for name, column in node["columns"].items()
            if any(c["type"] == "not_null" for c in column.get("constraints", []))
        ]
        if names:
            assert node["config"]["contract"]["enforced"], f"{node['name']}: no enforced contract"
            columns[f"{node['schema']}.{node['alias']}"] = names
    return columns


def test_constrained_columns_are_not_null_in_the_warehouse(demo_run):
    columns = _not_null_columns()
    assert len(columns) >= 50 and "marts.kpi_win_rate" in columns
    assert "month" in columns["marts.kpi_win_rate"]
    rows = demo_run.warehouse_rows(
        "select table_schema || '.' || table_name, column_name, is_nullable "
        "from information_schema.columns where table_schema = 'marts'"
    )
    nullable = {(table, column): flag for table, column, flag in rows}
    for table, names in columns.items():
        for name in names:
            assert nullable.get((table, name)) == "NO", f"{table}.{name} accepts NULL"


def test_a_null_in_a_constrained_column_is_refused(demo_run, tmp_path):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_run.warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        with pytest.raises(duckdb.ConstraintException, match="NOT NULL"):
            con.execute(
                "insert into marts.kpi_win_rate select * replace (cast(null as date) as month) "
                "from marts.kpi_win_rate limit 1"
            )
    finally:
        con.close()


def test_published_marts_say_not_null_by_constraint_not_by_test():
    """One way for a mart (docs/decisions.md): NOT NULL is a contract constraint, never a
    not_null data test (a node and an asset check more per column, per run)."""
    manifest = json.loads(ensure_manifest(Settings.from_env()).read_text())
    marts = {node["unique_id"] for node in manifest["nodes"].values()
             if node["resource_type"] == "model" and "published" in node["tags"]}
    tests = sorted(node["attached_node"] + "." + (node.get("column_name") or "")
                   for node in manifest["nodes"].values()
                   if node["resource_type"] == "test" and node.get("attached_node") in marts
                   and (node.get("test_metadata") or {}).get("name") == "not_null")
    assert tests == []


def test_the_manifest_is_parsed_where_it_is_looked_for(tmp_path, monkeypatch):
    """DBT_TARGET_PATH (the dbt steps' own target folders) doesn't move the manifest the
    definitions read: a missing manifest is parsed into the project's target folder."""
    from dagster_dbt import DbtProject

    from salesops.settings import DBT_PROJECT_DIR

    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "elsewhere"))
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR,
                         target_path=tmp_path / "target")
    manifest = ensure_manifest(Settings.from_env(), project)
    assert manifest == tmp_path / "target" / "manifest.json" and manifest.is_file()
    assert "model.salesops.kpi_win_rate" in json.loads(manifest.read_text())["nodes"]
