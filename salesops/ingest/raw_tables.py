"""DDL of the raw schema: one append-only table per contract file, plus the load ledger."""

from __future__ import annotations

import duckdb

from salesops.contract import FILES, LINEAGE_COLUMNS, RAW_SCHEMA, FileSpec

# Extra columns that ingestion derives for a file kind (besides the contract fields).
DERIVED_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "lms_statements": (("result_duration_seconds", "DOUBLE"), ("statement", "VARCHAR")),
}


# `timestamp` is a reserved word in several SQL dialects; the raw column gets a plain name.
_RENAMED = {"timestamp": "statement_timestamp"}


def column_name(field_name: str) -> str:
    """Raw column name of a contract field: JSON paths are flattened with '_'."""
    return _RENAMED.get(field_name, field_name.replace(".", "_"))


def raw_columns(spec: FileSpec) -> list[tuple[str, str]]:
    cols = [(column_name(f.name), f.sql_type) for f in spec.fields]
    cols += list(DERIVED_COLUMNS.get(spec.table, ()))
    cols += list(LINEAGE_COLUMNS)
    return cols


LEDGER_DDL = f"""
create table if not exists {RAW_SCHEMA}.load_drops (
    system varchar not null,
    drop_date date not null,
    load_id varchar not null,
    fingerprint varchar not null,
    files integer not null,
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    loaded_at timestamp not null
);
create table if not exists {RAW_SCHEMA}.load_files (
    load_id varchar not null,
    system varchar not null,
    drop_date date not null,
    file varchar not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    sha256 varchar not null
);
create table if not exists {RAW_SCHEMA}.quarantine (
    load_id varchar not null,
    system varchar not null,
    drop_date date not null,
    file varchar not null,
    line bigint,
    reason varchar not null,
    record varchar
);
"""


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    for spec in FILES:
        cols = ",\n    ".join(f'"{name}" {typ}' for name, typ in raw_columns(spec))
        con.execute(f"create table if not exists {RAW_SCHEMA}.{spec.table} (\n    {cols}\n)")
    con.execute(LEDGER_DDL)
