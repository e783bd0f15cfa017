"""Build the dbt project on a local Spark (the ``spark_local`` output), in one Spark session.

    python -m salesops.spark_build --landing data/landing --spark-dir data/spark
    python -m salesops.spark_build --warehouse data/warehouse.duckdb --spark-dir data/spark

1. the raw layer as Parquet under ``<spark-dir>/raw`` (salesops/raw_parquet.py): ingested from
   the landing folder, or copied from a DuckDB warehouse's raw schema;
2. ``dbt run-operation register_raw_parquet``: the raw database of Spark's metastore points at
   those folders;
3. ``dbt build --target spark_local``: seeds, models and data tests (unit tests are DuckDB's:
   the four incremental-run ones expect a drop window that Spark doesn't use, docs/spark.md).

Steps 2 and 3 run in this process through dbt's Python entry point, so they share the one
Spark session that dbt-spark's ``method: session`` starts (15-25 s each time otherwise). Needs
the ``spark`` extra (``make setup-spark``) and Java 17. dbt's and Spark's own output (Spark
logs a harmless ERROR with a Java stack trace when a generated query method is too large and it
falls back to interpreted code) go to ``<spark-dir>/dbt.log``; the terminal gets a line per step.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from salesops.raw_parquet import export_warehouse, ingest_to_parquet, spark_tables
from salesops.sql import sql_str

PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
SPARK_TARGET = "spark_local"


class SparkBuildFailed(RuntimeError):
    pass


def spark_problem() -> str | None:
    """None when spark_local can run here (the spark extra and a `java`); else what is missing,
    and how to get it. Cheap (nothing imported, nothing started): the settings check uses it."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None or \
            importlib.util.find_spec("dbt.adapters.spark") is None:
        return "spark_local needs the spark extra (dbt-spark, pyspark): run `make setup-spark`"
    if shutil.which("java") is None:
        return "spark_local needs Java 17 (Debian: openjdk-17-jre-headless; `make setup-spark`)"
    return None


SPARK_DATABASES = ("reference", "staging", "intermediate", "marts")
"""The Spark databases the dbt project builds (its custom schemas)."""


def spark_table_folders(spark_dir: Path, databases=SPARK_DATABASES) -> dict[tuple[str, str], Path]:
    """{(database, table): folder} of the managed tables of spark_local under `spark_dir`
    (``<spark-dir>/warehouse/<database>.db/<table>/``, Parquet files)."""
    found = {}
    for database in databases:
        root = spark_dir / "warehouse" / f"{database}.db"
        if root.is_dir():
            for folder in sorted(root.iterdir()):
                if folder.is_dir() and not folder.name.startswith((".", "_")):
                    found[(database, folder.name)] = folder
    return found


def mirror_into_duckdb(spark_dir: Path, warehouse: Path, memory_limit: str = "4GB") -> int:
    """Every table dbt built on spark_local, copied into the DuckDB warehouse's schema of the
    same name (replacing the table or view there), in one transaction: the mart checks' and
    publishing's warehouse then holds the Spark build. Returns the number of tables."""
    import duckdb

    folders = spark_table_folders(spark_dir)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"set memory_limit = '{memory_limit}'")
        existing = {(r[0], r[1]): r[2] for r in con.execute(
            "select table_schema, table_name, table_type from information_schema.tables "
            "where table_catalog = current_database()").fetchall()}
        con.execute("begin transaction")
        for (database, table), folder in folders.items():
            con.execute(f'create schema if not exists "{database}"')
            kind = existing.get((database, table))
            if kind == "VIEW":
                con.execute(f'drop view "{database}"."{table}"')
            con.execute(f'create or replace table "{database}"."{table}" as select * from '
                        f"read_parquet({sql_str((folder / '*.parquet').as_posix())})")
        con.execute("commit")
    finally:
        con.close()
    return len(folders)


def dbt_args(
    command: list[str], spark_dir: Path, target_path: Path, driver_memory: str
) -> list[str]:
    """A dbt command line for the spark_local output of this project."""
    dbt_vars = {"salesops_spark_dir": str(spark_dir),
                "salesops_spark_driver_memory": driver_memory}
    return [*command, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target", SPARK_TARGET, "--target-path", str(target_path),
            "--vars", json.dumps(dbt_vars), "--no-use-colors",
            "--log-path", str(spark_dir / "dbt_logs")]


@contextlib.contextmanager
def _output_to(log_file: Path):
    """This process's stdout and stderr (file descriptors 1 and 2, which the Spark JVM started
    meanwhile inherits: its warnings and Java stack traces) go to `log_file` in the block."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    fd = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for descriptor in (fd, *saved):
            os.close(descriptor)


def _invoke(args: list[str], log_file: Path) -> None:
    from dbt.cli.main import dbtRunner

    with _output_to(log_file):
        result = dbtRunner().invoke(args)
    if not result.success:
        failed = []
        if result.result is not None and hasattr(result.result, "results"):
            failed = [f"{r.node.unique_id}: {r.status}" for r in result.result.results
                      if str(r.status) in ("error", "fail", "runtime error")]
        detail = "; ".join(failed[:10]) or str(result.exception or "see the log")
        raise SparkBuildFailed(f"dbt {args[0]} on Spark failed: {detail} (log: {log_file})")


def build_on_spark(
    spark_dir: Path,
    *,
    landing: Path | None = None,
    warehouse: Path | None = None,
    driver_memory: str = "4g",
    log: Callable[[str], None] = print,
) -> Path:
    """Raw Parquet, registration and the whole dbt build under `spark_dir`; returns the folder
    of Spark's managed tables (``<spark-dir>/warehouse``: marts.db/<mart>/ is a mart)."""
    if (landing is None) == (warehouse is None):
        raise ValueError("give the landing folder or a warehouse, not both")
    spark_dir = spark_dir.resolve()
    spark_dir.mkdir(parents=True, exist_ok=True)
    raw_dir = spark_dir / "raw"
    log_file = spark_dir / "dbt.log"
    log_file.write_text("", encoding="utf-8")
    target_path = spark_dir / "target"

    started = time.monotonic()
    if landing is not None:
        from salesops.ingest.hr_columns import load_hr_column_map
        from salesops.settings import Settings

        column_map = load_hr_column_map(Settings.from_env().hr_column_map)
        rows = ingest_to_parquet(landing, raw_dir, hr_column_map=column_map)
    else:
        rows = export_warehouse(warehouse, raw_dir)
    log(f"raw parquet: {len(rows)} tables, {sum(rows.values()):,} rows -> {raw_dir} "
        f"({time.monotonic() - started:.1f} s)")

    started = time.monotonic()
    tables = spark_tables(raw_dir)
    _invoke(dbt_args(["run-operation", "register_raw_parquet", "--args",
                      json.dumps({"location": raw_dir.as_posix(), "tables": tables})],
                     spark_dir, target_path, driver_memory), log_file)
    log(f"registered raw.<table> in Spark ({time.monotonic() - started:.1f} s, "
        f"with the session start)")

    started = time.monotonic()
    _invoke(dbt_args(["build", "--exclude-resource-type", "unit_test"],
                     spark_dir, target_path, driver_memory), log_file)
    log(f"dbt build on {SPARK_TARGET}: done ({time.monotonic() - started:.1f} s; "
        f"log: {log_file})")
    return spark_dir / "warehouse"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--landing", type=Path, help="ingest this landing folder")
    source.add_argument("--warehouse", type=Path, help="copy this DuckDB warehouse's raw schema")
    parser.add_argument("--spark-dir", type=Path, required=True,
                        help="Spark's metastore, managed tables and the raw Parquet go here")
    parser.add_argument("--driver-memory", default="4g", help="Spark driver memory (4g)")
    args = parser.parse_args(argv)
    problem = spark_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    source = args.landing if args.landing is not None else args.warehouse
    if not source.exists():
        print(f"error: {source} does not exist", file=sys.stderr)
        return 2
    try:
        build_on_spark(args.spark_dir, landing=args.landing, warehouse=args.warehouse,
                       driver_memory=args.driver_memory)
    except SparkBuildFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
