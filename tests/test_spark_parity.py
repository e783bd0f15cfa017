"""The same dbt project on a local Spark: every published mart equals the DuckDB build, row for
row (issue 14; docs/spark.md). `make test-spark` runs it (SALESOPS_TEST_SPARK=1).

The DuckDB side is the session's demo run (the bundled sample, seed 42, through the whole
Dagster pipeline). The Spark side starts from the same landing folder: its own ingestion to the
Parquet raw layer (partitioned by drop date), the raw tables registered in Spark's metastore,
then `dbt build --target spark_local` (seeds, models, data tests), all in one Spark session
(`python -m salesops.spark_build`, in a child process so the JVM ends with it). Each mart is
read back from its Parquet files by DuckDB and compared as a multiset (`except all` both ways):
equal means the same rows, the same values, to the last bit.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from scripts.compare_marts import compare

pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.timeout(3600)]


@pytest.fixture(scope="module")
def spark_build(demo_run, tmp_path_factory) -> Path:
    """The Spark build of the demo landing folder; returns its folder (spark dir)."""
    from salesops.spark_build import java_problem

    problem = java_problem()
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
