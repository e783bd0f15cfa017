"""Published docs (issue 15): every published table and column carries its dbt description as a
COMMENT in the published database, so a BI tool shows the definitions; descriptions are part of
what is published (an edited description publishes a new version, nothing new publishes nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from salesops.publish import (
    LOG_COLUMN_DESCRIPTIONS,
    LOG_DESCRIPTION,
    MartDocs,
    docs_from_manifest,
    publish,
    record_published_set,
)

MANIFEST = Path(__file__).resolve().parents[1] / "dbt_project" / "target" / "manifest.json"


def comments(db: Path) -> tuple[dict[str, str | None], dict[tuple[str, str], str | None]]:
    """(table -> comment, (table, column) -> comment) of the database's main schema."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = dict(con.execute(
            "select table_name, comment from duckdb_tables() where schema_name = 'main'"
        ).fetchall())
        columns = {(t, c): m for t, c, m in con.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where schema_name = 'main' and not internal").fetchall()}
        return tables, columns
    finally:
        con.close()


def dbt_descriptions() -> dict[str, dict]:
    """model -> {"description", "columns": {name: description}} for the models tagged published."""
    nodes = json.loads(MANIFEST.read_text())["nodes"].values()
    return {n["name"]: {"description": n["description"].strip(),
                        "columns": {c: v["description"].strip()
                                    for c, v in n["columns"].items()}}
            for n in nodes if n["resource_type"] == "model" and "published" in n["tags"]}


def test_every_published_table_and_column_has_its_dbt_description(demo_run):
    db = demo_run.publish_dir / "salesops.duckdb"
    tables, columns = comments(db)
    dbt = dbt_descriptions()
    marts = sorted(t for t in tables if t != "publish_log")
    assert marts == sorted(dbt)  # the published set is exactly the models tagged published
    assert len(marts) == 58
    for mart in marts:
        assert tables[mart] and tables[mart] == dbt[mart]["description"], mart
        mart_columns = [c for t, c in columns if t == mart]
        assert mart_columns, mart
        for column in mart_columns:
            assert columns[(mart, column)], (mart, column)
            assert columns[(mart, column)] == dbt[mart]["columns"][column], (mart, column)
    assert tables["publish_log"] == LOG_DESCRIPTION
    assert {c: columns[("publish_log", c)] for t, c in columns if t == "publish_log"} == (
        LOG_COLUMN_DESCRIPTIONS)
    assert all(columns.values())  # not one column without a description


def test_the_warehouse_records_the_published_sets_descriptions(demo_run):
    con = duckdb.connect(str(demo_run.warehouse), read_only=True)
    try:
        rows = con.execute("select model, column_name, description from ops.published_docs"
                           ).fetchall()
    finally:
        con.close()
    dbt = dbt_descriptions()
    assert {(m, c, d) for m, c, d in rows if c is None} == {
        (m, None, v["description"]) for m, v in dbt.items()}
    assert {(m, c, d) for m, c, d in rows if c is not None} == {
        (m, c, d) for m, v in dbt.items() for c, d in v["columns"].items()}


def test_docs_from_manifest_reads_models_and_columns(tmp_path):
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"nodes": {
        "model.p.kpi_a": {"resource_type": "model", "name": "kpi_a", "description": " A. ",
                          "columns": {"x": {"description": "X"}, "y": {"description": ""}}},
        "model.p.kpi_b": {"resource_type": "model", "name": "kpi_b", "description": "B",
                          "columns": {}},
        "test.p.kpi_a_t": {"resource_type": "test", "name": "kpi_a", "description": "no"},
    }}))
    assert docs_from_manifest(manifest, ["kpi_a", "kpi_missing"]) == {
        "kpi_a": MartDocs("A.", {"x": "X"})}


def make_warehouse(path: Path, docs: dict[str, MartDocs] | None, won: int = 3) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create or replace table marts.kpi_demo as "
                f"select date '2026-10-01' as month, {won} as won_count, 'it''s' as note")
    record_published_set(con, ["kpi_demo"], docs)
    con.close()


DOCS = {"kpi_demo": MartDocs("Won deals per month, the rep's view.",
                             {"month": "First day of the month.",
                              "WON_COUNT": "Deals won (case of the yml need not match).",
                              "gone": "A column the table no longer has: skipped."})}


def test_publish_comments_tables_and_columns_and_republishes_when_docs_change(tmp_path):
    wh, pub = tmp_path / "wh.duckdb", tmp_path / "pub"
    make_warehouse(wh, DOCS)
    first = publish(wh, pub)
    tables, columns = comments(pub / "salesops.duckdb")
    assert tables["kpi_demo"] == "Won deals per month, the rep's view."
    assert columns[("kpi_demo", "month")] == "First day of the month."
    assert columns[("kpi_demo", "won_count")] == "Deals won (case of the yml need not match)."
    assert columns[("kpi_demo", "note")] is None  # undocumented in this toy warehouse

    assert publish(wh, pub).published is False  # same data, same descriptions: nothing new

    edited = {"kpi_demo": MartDocs("Won deals per month.", DOCS["kpi_demo"].columns)}
    make_warehouse(wh, edited)  # same rows, an edited description
    second = publish(wh, pub)
    assert second.published and second.version != first.version
    assert second.content_hash != first.content_hash
    assert comments(pub / "salesops.duckdb")[0]["kpi_demo"] == "Won deals per month."
    # the version before keeps its own descriptions
    old_tables, _ = comments(pub / "versions" / first.version / "salesops.duckdb")
    assert old_tables["kpi_demo"] == "Won deals per month, the rep's view."


def test_a_warehouse_without_recorded_docs_publishes_without_comments(tmp_path):
    wh, pub = tmp_path / "wh.duckdb", tmp_path / "pub"
    make_warehouse(wh, None)  # built before descriptions were recorded
    result = publish(wh, pub)
    assert result.published and result.row_counts == {"kpi_demo": 1}
    tables, columns = comments(pub / "salesops.duckdb")
    assert tables["kpi_demo"] is None
    assert columns[("kpi_demo", "won_count")] is None
    assert tables["publish_log"] == LOG_DESCRIPTION
