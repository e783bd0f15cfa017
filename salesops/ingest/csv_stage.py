"""Reading a CSV file into the temporary table `_stage`: its header checked against the
contract, every value as text with the reasons its fields break their domains, and each row's
physical line (a thread counts the file's line feeds while DuckDB reads it, to tell whether any
value can hold one)."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import duckdb

from salesops.contract import ContractViolation, FileSpec
from salesops.ingest.read_errors import MAX_LINE_BYTES, csv_error
from salesops.ingest.sql_builders import field_reason_expr
from salesops.sql import sql_str


def read_header(path: Path, rel: str) -> list[str]:
    with open(path, "rb") as fh:
        first = fh.readline(1 << 20)
    if not first.strip():
        raise ContractViolation(rel, "file is empty: no header row", line=1)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ContractViolation(rel, f"header is not valid UTF-8 ({e.reason})", line=1) from e
    if not text.strip():  # only a byte-order mark (Excel's "CSV UTF-8" of an empty sheet)
        raise ContractViolation(rel, "file is empty: no header row", line=1)
    header = next(csv.reader([text.rstrip("\r\n")]))
    seen: set[str] = set()
    for name in header:
        if not name.strip():
            raise ContractViolation(rel, "header has an empty column name", line=1)
        if name.lower() in seen:
            raise ContractViolation(rel, "header has a duplicate column", column=name, line=1)
        seen.add(name.lower())
    return header


def check_required(spec: FileSpec, columns: list[str], rel: str) -> None:
    present = set(columns)
    for name in spec.required_columns:
        if name not in present:
            raise ContractViolation(rel, f"missing required column {name!r}", column=name)


def stage_csv(con, spec: FileSpec, path: Path, rel: str, column_map: dict[str, str] | None):
    header = read_header(path, rel)
    names = [column_map.get(h, h) if column_map else h for h in header]
    check_required(spec, names, rel)
    cols = {f"c{i}": "VARCHAR" for i in range(len(header))}
    struct = "{" + ", ".join(f"'{k}': 'VARCHAR'" for k in cols) + "}"
    index = {n: i for i, n in enumerate(names)}
    values = {
        f.name: (f"nullif(c{index[f.name]}, '')" if f.name in index else None) for f in spec.fields
    }
    # The line feeds of the file are counted (in Python, while DuckDB reads it) to tell
    # whether any value can hold one; the field rules apply as the rows are read.
    feeds = _LineFeeds(path)
    try:
        con.execute(
            f"""create or replace temp table _stage as
            select *, {field_reason_expr(spec, values)} as _field_reason
            from read_csv({sql_str(str(path))}, columns = {struct}, header = true,
                delim = ',', quote = '"', escape = '"', auto_detect = false,
                strict_mode = true, encoding = 'utf-8', max_line_size = {MAX_LINE_BYTES})
            with ordinality"""
        )
    except duckdb.Error as e:
        feeds.join()
        raise csv_error(rel, e, path, header) from e
    feeds.join()
    # Embedded newlines in quoted values shift the physical line numbers of later rows.
    nl = " + ".join(
        f"coalesce(length(c{i}) - length(replace(c{i}, chr(10), '')), 0)"
        for i in range(len(header))
    )
    rows = con.execute("select count(*) from _stage").fetchone()[0]
    has_nl = not feeds.one_per_record(rows) and con.execute(
        f"select coalesce(max({nl}), 0) from _stage"
    ).fetchone()[0] > 0
    line = (
        f"1 + ordinality + coalesce(sum({nl}) over (order by ordinality rows between "
        "unbounded preceding and 1 preceding), 0)"
        if has_nl else "1 + ordinality"
    )
    stage_sql = f"select *, {line} as _line from _stage"
    return values, stage_sql, rows, "_field_reason"


class _LineFeeds(threading.Thread):
    """Counts a file's line feeds, in a thread of its own (DuckDB releases the GIL while it
    reads the same file)."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path = path
        self.feeds = 0
        self.lf_ends = False  # records end with LF or CR LF (not with a lone CR)
        self.ends_with_feed = False
        self.start()

    def run(self) -> None:
        feeds = 0
        last = b""
        try:
            with open(self.path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    if not last:  # the first line's end tells how the records end
                        end = chunk.find(b"\n")
                        head = chunk[:end] if end >= 0 else chunk
                        self.lf_ends = b"\r" not in head.removesuffix(b"\r")
                    feeds += chunk.count(b"\n")
                    last = chunk[-1:]
        except OSError:
            self.lf_ends = False
            return
        self.feeds = feeds
        self.ends_with_feed = last == b"\n"

    def one_per_record(self, records: int) -> bool:
        """True when no value of the file's `records` records (header not counted) can hold a
        line feed: its records end with LF or CR LF (DuckDB detects the line end from the
        file's start and, in strict mode, refuses a file that mixes them: a file whose first
        line ends with a lone CR is not looked at here), and the file has exactly one line
        feed per record end: the header's, each record's but the last, and the last one's
        when the file ends with one. Any other file (blank lines, line breaks in values)
        gets False: the values are to be looked at."""
        return self.lf_ends and self.feeds == records + self.ends_with_feed
