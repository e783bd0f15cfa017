"""The raw layer as Parquet, partitioned by drop date: what a Spark target reads (docs/spark.md).

    <out>/<table>/_drop_date=2026-10-17/data_0.parquet     (contract tables: _drop_date)
    <out>/load_drops/drop_date=2026-10-17/data_0.parquet   (the ledger: drop_date)
    <out>/raw_tables.json                                   (each table's columns, Spark types)

Two ways in, one layout out:

- :func:`export_warehouse` copies the ``raw`` schema of a DuckDB warehouse (the same rows the
  DuckDB build read: what the parity test compares);
- :func:`ingest_to_parquet` runs the ingestion itself (the same contract checks, quarantine and
  ledger) on a scratch DuckDB database in a temporary folder and exports that: no warehouse, no
  long-lived DuckDB file; DuckDB is only the in-process CSV/JSON reader.

The whole folder is replaced at once (written beside it, then renamed), so a reader sees the
old raw layer or the new one, never half of each. ``raw_tables.json`` carries the schema
because a table with no rows has no Parquet file to infer it from.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import duckdb

from salesops.contract import RAW_SCHEMA
from salesops.sql import sql_str

SCHEMA_FILE = "raw_tables.json"
PARTITION_COLUMNS = ("_drop_date", "drop_date")

# DuckDB column type -> Spark SQL type. Timestamps are stored as UTC wall-clock values without
# a zone (Parquet "not adjusted to UTC"): Spark reads them as TIMESTAMP_NTZ.
_SPARK_TYPES = {
    "VARCHAR": "string",
    "BIGINT": "bigint",
    "INTEGER": "int",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp_ntz",
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


def spark_type(duckdb_type: str) -> str:
    """The Spark SQL type of a raw column's DuckDB type; ValueError for one we don't map."""
    decimal = _DECIMAL.fullmatch(duckdb_type)
    if decimal:
        return f"decimal({decimal.group(1)},{decimal.group(2)})"
    try:
        return _SPARK_TYPES[duckdb_type]
    except KeyError:
        raise ValueError(f"no Spark type for the raw column type {duckdb_type}") from None


def export_connection(con: duckdb.DuckDBPyConnection, out: Path) -> dict[str, int]:
    """Every table of the connection's raw schema to `out` (replaced whole); returns the rows
    per table."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        tables = [row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "and table_type = 'BASE TABLE' order by table_name", [RAW_SCHEMA]).fetchall()]
        schema: dict[str, dict] = {}
        rows: dict[str, int] = {}
        for table in tables:
            columns = [(name, spark_type(typ)) for name, typ, *_ in con.execute(
                f'describe {RAW_SCHEMA}."{table}"').fetchall()]
            names = [name for name, _ in columns]
            partition = next((c for c in PARTITION_COLUMNS if c in names), None)
            relation = f'{RAW_SCHEMA}."{table}"'
            rows[table] = con.execute(f"select count(*) from {relation}").fetchone()[0]
            (staging / table).mkdir()
            if rows[table]:
                options = "format parquet"
                if partition:
                    options += f', partition_by ("{partition}")'
                target = staging / table if partition else staging / table / "data_0.parquet"
                con.execute(f"copy {relation} to {sql_str(str(target))} ({options})")
            schema[table] = {"columns": columns, "partition_by": partition, "rows": rows[table]}
        (staging / SCHEMA_FILE).write_text(json.dumps(schema, indent=1) + "\n", encoding="utf-8")
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return rows


def _replace(new: Path, out: Path) -> None:
    """`new` becomes `out`; the old `out` (if any) is removed after the swap."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
    new.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def export_warehouse(warehouse: Path, out: Path) -> dict[str, int]:
    """The raw schema of a DuckDB warehouse file (opened read-only) to `out`."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return export_connection(con, out)
    finally:
        con.close()


def ingest_to_parquet(
    landing: Path, out: Path, *, hr_column_map: dict[str, str] | None = None,
    log=lambda _: None,
) -> dict[str, int]:
    """Ingest every complete drop of `landing` (the contract checks and quarantine of the
    DuckDB pipeline; `hr_column_map` as the SALESOPS_HR_COLUMN_MAP setting loads it) into a
    scratch database, then export its raw schema to `out`."""
    from salesops.ingest.loader import load_landing

    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".salesops-ingest-", dir=parent) as scratch:
        database = Path(scratch) / "scratch.duckdb"
        report = load_landing(landing, database, hr_column_map=hr_column_map, log=log)
        report.raise_for_failures()
        return export_warehouse(database, out)


def spark_tables(out: Path) -> dict[str, dict]:
    """The tables of an exported raw folder: {table: {columns, partition_by, rows}}."""
    return json.loads((out / SCHEMA_FILE).read_text(encoding="utf-8"))

