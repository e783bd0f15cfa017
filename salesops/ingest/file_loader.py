"""One file of a drop into the raw schema: staged, checked, its good rows appended to
`raw.<table>` with their lineage, its rejected rows to `raw.quarantine` with the reason.

Runs inside the drop's transaction (see `loader.load_drop`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from salesops.contract import RAW_SCHEMA, ContractViolation, FileSpec
from salesops.ingest.csv_stage import stage_csv
from salesops.ingest.jsonl_stage import stage_jsonl
from salesops.ingest.raw_tables import raw_columns
from salesops.ingest.report import FileResult
from salesops.ingest.sql_builders import (
    field_reason_expr,
    lineage,
    typed_columns,
    with_duplicate_reason,
)
from salesops.sql import sql_str


def load_file(
    con: duckdb.DuckDBPyConnection,
    spec: FileSpec,
    path: Path,
    rel: str,
    drop_date: dt.date,
    load_id: str,
    column_map: dict[str, str] | None = None,
) -> FileResult:
    if path.stat().st_size == 0:
        what = "no statement" if spec.format == "jsonl" else "no header row"
        raise ContractViolation(rel, f"file is empty: {what}", line=1)
    if spec.format == "jsonl":
        values, stage_sql = stage_jsonl(con, spec, path, rel)
        return _insert_checked(con, spec, rel, drop_date, load_id, values, stage_sql)
    staged = stage_csv(con, spec, path, rel, column_map)
    return _insert_staged(con, spec, rel, drop_date, load_id, *staged)


def _quarantine(con, spec: FileSpec, rel: str, drop_date, load_id, values, stage_sql,
                rejected: str, join_on: str) -> None:
    """Rejected rows into raw.quarantine with their reason and the row as delivered (built for
    these rows only: building it for every row held a JSON copy of the whole file in memory,
    10 GB at 8M Tasks). `rejected` is a relation of the rejected rows (`_reason`), joined to
    the staged rows as `staged` on `join_on`."""
    record = "json_object(" + ", ".join(
        f"{sql_str(f.name)}, {values[f.name]}" for f in spec.fields if values[f.name] is not None
    ) + ")" if spec.format == "csv" else "left(line, 2000)"
    con.execute(
        f"""insert into {RAW_SCHEMA}.quarantine
        select {sql_str(load_id)}, {sql_str(spec.system)}, {lineage(drop_date, rel, load_id)[0]},
               {sql_str(rel)}, staged._line, rejected._reason, {record}
        from ({stage_sql}) as staged
        inner join {rejected} as rejected on {join_on}
        order by staged._line"""
    )


def _insert_staged(
    con, spec: FileSpec, rel: str, drop_date, load_id, values, stage_sql, rows, field_reason
):
    """CSV: `field_reason` is the staged rows' column with the reasons their fields break
    the rules (computed as the file was read); `rows` the rows staged.

    Two passes over _stage, neither holding a typed copy of the file: the first finds the
    rejected rows (by ordinality) and their reasons, reading only the field reasons and the
    key (the duplicate window's rows are that narrow); the second types and inserts the other
    rows, in file order."""
    reason = with_duplicate_reason(spec, values, field_reason)
    con.execute(
        f"""create or replace temp table _rejected as
        select ordinality, _reason from (
            select ordinality, {reason} as _reason from ({stage_sql}))
        where _reason is not null"""
    )
    bad = con.execute("select count(*) from _rejected").fetchone()[0]
    col_list = ", ".join(f'"{c}"' for c, _ in raw_columns(spec))
    select_list = ", ".join(typed_columns(spec, values) + lineage(drop_date, rel, load_id))
    keep = " where ordinality not in (select ordinality from _rejected)" if bad else ""
    con.execute(
        f"insert into {RAW_SCHEMA}.{spec.table} ({col_list}) "
        f"select {select_list} from ({stage_sql}){keep}"
    )
    if bad:
        _quarantine(con, spec, rel, drop_date, load_id, values, stage_sql,
                    "_rejected", "rejected.ordinality = staged.ordinality")
    con.execute("drop table if exists _stage")
    con.execute("drop table if exists _rejected")
    return FileResult(rel, spec.table, rows, rows - bad, bad, 0.0)


def _insert_checked(con, spec: FileSpec, rel: str, drop_date, load_id, values, stage_sql):
    """JSON lines: one pass types and checks every row into _checked (the two passes of
    `_insert_staged` would extract each JSON field twice: slower for this format)."""
    # When the line isn't JSON, its fields are all missing: one reason is enough.
    reason = with_duplicate_reason(
        spec, values,
        "case when j is null then 'line is not valid JSON' "
        f"else {field_reason_expr(spec, values)} end",
    )
    typed = typed_columns(spec, values)
    con.execute(
        f"""create or replace temp table _checked as
        select {', '.join(f'{t} as x{i}' for i, t in enumerate(typed))},
               _line, {reason} as _reason
        from ({stage_sql})"""
    )
    col_list = ", ".join(f'"{c}"' for c, _ in raw_columns(spec))
    select_list = ", ".join(
        [f"x{i}" for i in range(len(typed))] + lineage(drop_date, rel, load_id)
    )
    con.execute(
        f"insert into {RAW_SCHEMA}.{spec.table} ({col_list}) "
        f"select {select_list} from _checked where _reason is null"
    )
    read, bad = con.execute(
        "select count(*), count(*) filter (where _reason is not null) from _checked"
    ).fetchone()
    if bad:
        _quarantine(con, spec, rel, drop_date, load_id, values, stage_sql,
                    "(select _line, _reason from _checked where _reason is not null)",
                    "rejected._line = staged._line")
    con.execute("drop table if exists _stage")
    con.execute("drop table if exists _checked")
    return FileResult(rel, spec.table, read, read - bad, bad, 0.0)
