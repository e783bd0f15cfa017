"""Put a DuckDB warehouse's raw layer into a local Spark for `dbt build --target spark_local`.

    python scripts/spark_raw.py --warehouse data/warehouse.duckdb --spark-dir /tmp/spark/dir

Groundwork of issue 14 (docs/spark.md). Two steps:

1. every table of the warehouse's ``raw`` schema is exported to Parquet, one folder per table
   (``<spark-dir>/raw_parquet/<table>/``, written by DuckDB; the folder is replaced);
2. a Spark session with the metastore and warehouse of the ``spark_local`` profile
   (dbt_project/profiles.yml: ``<spark-dir>/metastore_db``, ``<spark-dir>/warehouse``)
   registers each folder as an external table ``raw.<table>`` (``USING parquet LOCATION``),
   which is what the dbt sources ``raw.<table>`` name.

The metastore is embedded Derby: one process at a time, so run this before dbt, not during.
Needs duckdb and pyspark (the Spark venv of docs/spark.md has both) and Java 17.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path


def spark_conf(spark_dir: Path) -> dict[str, str]:
    """The server_side_parameters of the spark_local profile for `spark_dir` (keep in step)."""
    return {
        "spark.master": "local[2]",
        "spark.app.name": "salesops-raw",
        "spark.sql.warehouse.dir": f"{spark_dir}/warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL":
            f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=true",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={spark_dir}",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": "4",
        "spark.ui.enabled": "false",
        # as dbt-spark sets it for every session (connections.py)
        "spark.sql.ansi.enabled": "false",
    }


def export_raw(warehouse: Path, out: Path) -> list[str]:
    """Each raw.<table> of `warehouse` to `out`/<table>/data.parquet; returns the tables."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [row[0] for row in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'raw' and table_type = 'BASE TABLE' order by table_name"
        ).fetchall()]
        for table in tables:
            folder = out / table
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            target = str(folder / "data.parquet").replace("'", "''")
            con.execute(f'copy raw."{table}" to \'{target}\' (format parquet)')
    finally:
        con.close()
    return tables


def register_raw(spark_dir: Path, parquet_dir: Path, tables: list[str]) -> None:
    """raw.<table> in the spark_local metastore, an external Parquet table per folder."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_conf(spark_dir).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    try:
        spark.sql("create database if not exists raw")
        for table in tables:
            spark.sql(f"drop table if exists raw.`{table}`")
            spark.sql(f"create table raw.`{table}` using parquet "
                      f"location '{(parquet_dir / table).as_posix()}'")
    finally:
        spark.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", type=Path, required=True,
                        help="the DuckDB warehouse whose raw schema is exported")
    parser.add_argument("--spark-dir", type=Path,
                        default=Path(os.environ.get("SALESOPS_SPARK_DIR", "data/spark")),
                        help="the spark_local folder (SALESOPS_SPARK_DIR of the profile)")
    args = parser.parse_args(argv)
    spark_dir = args.spark_dir.resolve()
    parquet_dir = spark_dir / "raw_parquet"
    started = time.monotonic()
    tables = export_raw(args.warehouse, parquet_dir)
    exported = time.monotonic()
    register_raw(spark_dir, parquet_dir, tables)
    print(f"{len(tables)} raw tables: {parquet_dir} (export {exported - started:.1f} s), "
          f"registered in {spark_dir}/metastore_db ({time.monotonic() - exported:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
