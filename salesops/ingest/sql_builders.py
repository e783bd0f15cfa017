"""SQL expressions over a staged row: why it is rejected, its typed raw columns, its lineage."""

from __future__ import annotations

import datetime as dt

from salesops.contract import FileSpec
from salesops.ingest.rules import duration_seconds_expr, typed_expr, violation_expr
from salesops.sql import sql_str


def field_reason_expr(spec: FileSpec, values: dict[str, str | None]) -> str:
    """SQL: the reasons the row's fields break their domains ('; '-separated), else NULL."""
    reasons = [
        violation_expr(f, v) if v is not None else "cast(null as varchar)"
        for f, v in ((f, values[f.name]) for f in spec.fields)
    ]
    return f"nullif(concat_ws('; ', {', '.join(reasons)}), '')"


def with_duplicate_reason(spec: FileSpec, values: dict[str, str | None], reason: str) -> str:
    """SQL: `reason` plus "duplicate <key> in this file" when another row of the file has the
    same unique key. A Salesforce Id is the same record in its 15- and 18-character forms (the
    last 3 are a case checksum): the duplicate check compares the first 15 characters."""
    key = [
        f"left(trim({values[k]}), 15)" if spec.field(k).type == "id" else values[k]
        for k in spec.unique_key if values.get(k) is not None
    ]
    if not spec.unique_key or len(key) != len(spec.unique_key):
        return reason
    dup_reason = f"duplicate {', '.join(spec.unique_key)} in this file (ambiguous)"
    dup = (
        f"case when count(*) over (partition by {', '.join(key)}) > 1 and "
        + " and ".join(f"{k} is not null" for k in key)
        + f" then {sql_str(dup_reason)} end"
    )
    return f"nullif(concat_ws('; ', {reason}, {dup}), '')"


def typed_columns(spec: FileSpec, values: dict[str, str | None]) -> list[str]:
    """SQL of the raw table's contract columns, typed, in raw-table order (lineage excluded)."""
    typed = [
        f"cast({typed_expr(f, values[f.name])} as {f.sql_type})" if values[f.name] is not None
        else f"cast(null as {f.sql_type})"
        for f in spec.fields
    ]
    if spec.table == "lms_statements":
        typed.append(duration_seconds_expr(values["result.duration"]))
        typed.append("line")
    return typed


def lineage(drop_date: dt.date, rel: str, load_id: str) -> list[str]:
    """SQL of the lineage columns: _drop_date, _file, _line, _load_id."""
    return [f"cast({sql_str(drop_date.isoformat())} as date)", sql_str(rel), "_line",
            sql_str(load_id)]
