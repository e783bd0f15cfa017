"""The same dbt project on a local Spark: every published mart equals the DuckDB build, row for
row (issue 14; docs/spark.md). `make test-spark` runs it (SALESOPS_TEST_SPARK=1).

The DuckDB side is the session's demo run (the bundled sample, seed 42, through the whole
Dagster pipeline). Two Spark sides start from the same landing folder:

- `python -m salesops.spark_build` (in a child process, so the JVM ends with it): its own
  ingestion to the Parquet raw layer (partitioned by drop date), the raw tables registered in
  Spark's metastore, then `dbt build --target spark_local` (seeds, models, data tests), all in
  one Spark session; each mart is read back from its Parquet files by DuckDB;
- the whole Dagster pipeline with SALESOPS_DBT_TARGET=spark_local: its dbt steps run on Spark,
  the mart checks and publishing read the tables copied back; its published database is compared
  with the DuckDB run's.

Marts are compared as multisets (`except all` both ways): equal means the same rows, the same
values, to the last bit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import PipelineRun
from pipeline_env import pipeline_env

from scripts.compare_marts import compare

pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.timeout(3600)]


@pytest.fixture(scope="module")
def spark_build(demo_run, tmp_path_factory) -> Path:
    """The Spark build of the demo landing folder; returns its folder (spark dir)."""
    from salesops.spark_build import spark_problem

    problem = spark_problem()
    assert problem is None, problem
    spark_dir = tmp_path_factory.mktemp("spark")
    done = subprocess.run(
        [sys.executable, "-m", "salesops.spark_build", "--landing", str(demo_run.landing_dir),
         "--spark-dir", str(spark_dir)],
        capture_output=True, text=True, timeout=3000)
    log = spark_dir / "dbt.log"
    assert done.returncode == 0, (
        f"{done.stdout}\n{done.stderr[-4000:]}\n--- dbt.log (end) ---\n"
        + (log.read_text(encoding="utf-8")[-6000:] if log.exists() else "(none)"))
    return spark_dir


def test_every_published_mart_equals_the_duckdb_build(demo_run, spark_build):
    published = [row[0] for row in demo_run.warehouse_rows(
        "select model from ops.published_marts order by model")]
    assert len(published) >= 50, published  # the recorded set, not an empty list
    con = duckdb.connect(str(demo_run.warehouse), read_only=True)
    try:
        outcome = {}
        for mart in published:
            files = spark_build / "warehouse" / "marts.db" / mart
            if not any(files.glob("*.parquet")):
                outcome[mart] = "missing on Spark"
                continue
            equal, line = compare(con, f"marts.{mart}",
                                  f"read_parquet('{files.as_posix()}/*.parquet')")
            outcome[mart] = "equal" if equal else line
    finally:
        con.close()
    assert {mart: line for mart, line in outcome.items() if line != "equal"} == {}
    # the comparison saw data: most marts have rows on both sides
    rows = demo_run.warehouse_rows(
        "select count(*) from marts.kpi_win_rate")[0][0]
    assert rows > 0


def test_the_raw_layer_is_parquet_partitioned_by_drop_date(demo_run, spark_build):
    """What Spark read: one folder per raw table, one partition per drop date, and the same
    rows as the DuckDB warehouse's raw tables (apart from the run's load id)."""
    raw = spark_build / "raw"
    drops = demo_run.warehouse_rows(
        "select count(distinct _drop_date) from raw.crm_opportunity")[0][0]
    partitions = sorted(p.name for p in (raw / "crm_opportunity").iterdir() if p.is_dir())
    assert len(partitions) == drops and partitions[0].startswith("_drop_date=")
    con = duckdb.connect(str(demo_run.warehouse), read_only=True)
    try:
        for table in ("crm_opportunity", "hr_workers", "lms_statements"):
            columns = [r[0] for r in con.execute(f"describe raw.{table}").fetchall()
                       if r[0] != "_load_id"]
            select = ", ".join(f'"{c}"' for c in columns)
            parquet = (f"read_parquet('{(raw / table).as_posix()}/*/*.parquet', "
                       f"hive_partitioning = true, hive_types = {{'_drop_date': date}})")
            for left, right in ((f"raw.{table}", parquet), (parquet, f"raw.{table}")):
                assert con.execute(f"select count(*) from (select {select} from {left} "
                                   f"except all select {select} from {right})").fetchone()[0] == 0
    finally:
        con.close()


@pytest.fixture(scope="module")
def spark_pipeline_run(demo_run, tmp_path_factory) -> PipelineRun:
    """The demo landing folder through the whole pipeline with its dbt on spark_local."""
    from orchestration.in_process import run_pipeline

    root = tmp_path_factory.mktemp("spark_pipeline")
    run = PipelineRun(demo_run.landing_dir, root / "warehouse.duckdb", root / "published")
    spark = {"SALESOPS_DBT_TARGET": "spark_local", "SALESOPS_SPARK_DIR": str(root / "spark")}
    with pipeline_env(run.landing_dir, run.warehouse, run.publish_dir):
        os.environ.update(spark)
        try:
            ok, reasons = run_pipeline()
        finally:
            for name in spark:
                os.environ.pop(name, None)
    assert ok, reasons
    return run


def test_the_pipeline_on_spark_publishes_what_the_duckdb_pipeline_publishes(
        demo_run, spark_pipeline_run):
    """Same published marts, same column types, same rows (publish_log, the record of each
    publish, differs by nature); the run's dbt really ran on Spark
    (its tables are in the Spark folder) and the ledgers say the marts are current."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{demo_run.publish_dir / 'salesops.duckdb'}' as d (read_only)")
        con.execute(f"attach '{spark_pipeline_run.publish_dir / 'salesops.duckdb'}' as s "
                    f"(read_only)")
        tables = {}
        for catalog in ("d", "s"):
            tables[catalog] = {
                r[0]: r[1] for r in con.execute(
                    "select table_name, string_agg(column_name || ' ' || data_type, ', ' "
                    "order by ordinal_position) from information_schema.columns "
                    "where table_catalog = ? and table_schema = 'main' "
                    "and table_name like 'kpi\\_%' escape '\\' group by table_name",
                    [catalog]).fetchall()}
        assert len(tables["d"]) >= 58 and tables["s"] == tables["d"]
        differ = {}
        for table in sorted(tables["d"]):
            equal, line = compare(con, f"d.main.{table}", f"s.main.{table}")
            if not equal:
                differ[table] = line
        assert differ == {}
    finally:
        con.close()
    spark_marts = spark_pipeline_run.warehouse.parent / "spark" / "warehouse" / "marts.db"
    assert (spark_marts / "kpi_win_rate").is_dir() and (spark_marts / "fct_opportunities").is_dir()
    assert spark_pipeline_run.warehouse_rows(
        "select count(*) from ops.published_marts")[0][0] == len(tables["d"])
