"""The raw layer as Parquet (salesops/raw_parquet.py): what a Spark target reads. Runs without
Spark: DuckDB reads the folders back."""

from __future__ import annotations

import json

import duckdb
import pytest

from salesops.ingest.raw_tables import create_raw_tables
from salesops.raw_parquet import SCHEMA_FILE, export_warehouse, spark_tables, spark_type


def _warehouse(path, drops):
    con = duckdb.connect(str(path))
    create_raw_tables(con)
    for i, drop in enumerate(drops):
        con.execute(
            "insert into raw.crm_opportunity (Id, Name, StageName, CreatedDate, "
            "_drop_date, _file, _line, _load_id) values (?, ?, null, "
            "timestamp '2026-10-01 08:30:00', cast(? as date), 'crm/x.csv', ?, 'L')",
            [f"00E{i}", "O'Brien's team", drop, i + 2])
        con.execute("insert into raw.load_drops values ('crm', cast(? as date), 'L', 'f', 1, 1, 0, "
                    "timestamp '2026-10-01 09:00:00')", [drop])
    con.close()


def test_partitioned_by_drop_date_with_a_schema_for_every_table(tmp_path):
    _warehouse(tmp_path / "wh.duckdb", ["2026-10-17", "2026-10-18"])
    rows = export_warehouse(tmp_path / "wh.duckdb", tmp_path / "raw")
    raw = tmp_path / "raw"
    assert rows["crm_opportunity"] == 2 and rows["load_drops"] == 2 and rows["crm_user"] == 0
    assert sorted(p.name for p in (raw / "crm_opportunity").iterdir()) == [
        "_drop_date=2026-10-17", "_drop_date=2026-10-18"]
    assert sorted(p.name for p in (raw / "load_drops").iterdir()) == [
        "drop_date=2026-10-17", "drop_date=2026-10-18"]
    assert list((raw / "crm_user").iterdir()) == []  # no rows: no file, but a schema
    tables = spark_tables(raw)
    assert tables == json.loads((raw / SCHEMA_FILE).read_text())
    assert tables["crm_user"]["partition_by"] == "_drop_date"
    assert tables["crm_user"]["rows"] == 0
    role = dict(tables["crm_opportunity"]["columns"])
    assert role["Id"] == "string" and role["_drop_date"] == "date"
    assert role["CreatedDate"] == "timestamp_ntz" and role["_line"] == "bigint"
    back = duckdb.sql(
        f"select Id, Name, _drop_date, CreatedDate from read_parquet("
        f"'{raw}/crm_opportunity/*/*.parquet', hive_partitioning = true, "
        f"hive_types = {{'_drop_date': date}}) order by Id").fetchall()
    assert [(r[0], r[1], str(r[2]), str(r[3])) for r in back] == [
        ("00E0", "O'Brien's team", "2026-10-17", "2026-10-01 08:30:00"),
        ("00E1", "O'Brien's team", "2026-10-18", "2026-10-01 08:30:00")]


def test_a_new_export_replaces_the_folder_whole(tmp_path):
    _warehouse(tmp_path / "a.duckdb", ["2026-10-17", "2026-10-18"])
    _warehouse(tmp_path / "b.duckdb", ["2026-11-01"])
    export_warehouse(tmp_path / "a.duckdb", tmp_path / "raw")
    export_warehouse(tmp_path / "b.duckdb", tmp_path / "raw")
    assert sorted(p.name for p in (tmp_path / "raw" / "crm_opportunity").iterdir()) == [
        "_drop_date=2026-11-01"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.duckdb", "b.duckdb", "raw"]


def test_every_raw_column_type_has_a_spark_type(tmp_path):
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    create_raw_tables(con)
    types = {r[0] for r in con.execute(
        "select distinct data_type from information_schema.columns "
        "where table_schema = 'raw'").fetchall()}
    con.close()
    assert {t: spark_type(t) for t in types}  # no ValueError
    assert spark_type("DECIMAL(18,6)") == "decimal(18,6)"
    with pytest.raises(ValueError, match="no Spark type"):
        spark_type("INTERVAL")
