"""Reading a JSON-lines file into the temporary table `_stage`: one line a row, each field
extracted from it as text."""

from __future__ import annotations

from pathlib import Path

import duckdb

from salesops.contract import FileSpec
from salesops.ingest.read_errors import MAX_LINE_BYTES, csv_error
from salesops.sql import sql_str


def stage_jsonl(con, spec: FileSpec, path: Path, rel: str):
    try:
        con.execute(
            f"""create or replace temp table _stage as
            select line, ordinality from read_csv({sql_str(str(path))},
                columns = {{'line': 'VARCHAR'}}, header = false, delim = chr(1), quote = '',
                escape = '', auto_detect = false, encoding = 'utf-8',
                max_line_size = {MAX_LINE_BYTES}) with ordinality"""
        )
    except duckdb.Error as e:
        raise csv_error(rel, e, path) from e
    values = {
        f.name: f"nullif(trim(json_extract_string(j, {sql_str('$.' + f.name)})), '')"
        for f in spec.fields
    }
    stage_sql = (
        "select *, ordinality as _line, case when json_valid(line) then line end as j "
        "from _stage where line is not null and trim(line) <> ''"
    )
    return values, stage_sql
