"""Loading complete drops into the raw schema.

Each drop is one transaction: its files are checked against the contract, good rows are appended
to `raw.<table>` with their drop date, file, line and load id, rows that break a field's domain go
to `raw.quarantine` with the reason, and the drop is recorded in `raw.load_drops`. A file that
can't be read (empty, wrong header, missing column, not UTF-8, truncated) fails the whole drop:
the transaction is rolled back and nothing of the drop is loaded. A drop already recorded is not
loaded again, so re-delivering a drop doubles nothing.

All parsing and checking runs as SQL inside DuckDB.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from salesops.contract import RAW_SCHEMA, SYSTEMS, ContractViolation, FileSpec, spec_for
from salesops.ingest.drops import Drop, file_sha256, scan_system
from salesops.ingest.hr_columns import load_hr_column_map
from salesops.ingest.raw_tables import column_name, create_raw_tables, raw_columns
from salesops.ingest.rules import duration_seconds_expr, sql_str, typed_expr, violation_expr
from salesops.settings import duckdb_memory_limit

Log = Callable[[str], None]


@dataclass
class FileResult:
    file: str
    table: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    seconds: float


@dataclass
class DropResult:
    system: str
    drop_date: dt.date
    status: str  # loaded | skipped | failed
    load_id: str | None = None
    files: list[FileResult] = field(default_factory=list)
    message: str | None = None
    seconds: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.system}/{self.drop_date.isoformat()}"

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


@dataclass
class LoadReport:
    results: list[DropResult] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # drops without _SUCCESS
    warnings: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> list[DropResult]:
        return [r for r in self.results if r.status == "loaded"]

    @property
    def failures(self) -> list[DropResult]:
        return [r for r in self.results if r.status == "failed"]

    def raise_for_failures(self) -> None:
        if self.failures:
            raise IngestionFailed(self.failures)

    def extend(self, other: LoadReport) -> None:
        self.results += other.results
        self.pending += other.pending
        self.warnings += other.warnings


class IngestionFailed(Exception):
    def __init__(self, failures: list[DropResult]):
        self.failures = failures
        lines = [f"drop {r.key} failed: {r.message}" for r in failures]
        super().__init__("\n".join(lines))


def _noop(_: str) -> None:
    pass


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse))
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"set memory_limit = '{duckdb_memory_limit()}'")
    create_raw_tables(con)
    return con


def load_landing(
    landing: Path,
    warehouse: Path,
    *,
    systems: tuple[str, ...] = SYSTEMS,
    hr_column_map: dict[str, str] | None = None,
    log: Log = _noop,
) -> LoadReport:
    """Load every complete, not yet loaded drop of `systems`. Failures are in the report."""
    report = LoadReport()
    con = connect(warehouse)
    try:
        for system in systems:
            report.extend(load_system(con, landing, system, hr_column_map=hr_column_map, log=log))
    finally:
        con.close()
    return report


def load_system(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    system: str,
    *,
    hr_column_map: dict[str, str] | None = None,
    log: Log = _noop,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> LoadReport:
    """Load the system's new complete drops in date order; stop at the first that fails.

    ``date_from`` / ``date_to`` (inclusive) limit it to the drops of those dates (a Dagster
    partition range); without them every new complete drop is loaded.
    """
    if system not in SYSTEMS:
        raise ValueError(f"unknown system {system!r}; expected one of {SYSTEMS}")
    report = LoadReport()
    scan = scan_system(landing, system)
    report.pending = [d.path.as_posix() for d in scan.pending]
    for p in scan.pending:
        log(f"{system}: drop {p.date} has no _SUCCESS yet; left for a later run")
    for folder in scan.ignored:
        report.warnings.append(f"{folder}: not a YYYY-MM-DD drop folder; ignored")
    if system == "hr" and hr_column_map is None:
        hr_column_map = load_hr_column_map()
    loaded = dict(
        con.execute(
            f"select drop_date, fingerprint from {RAW_SCHEMA}.load_drops where system = ?",
            [system],
        ).fetchall()
    )
    newest = max(loaded) if loaded else None
    def in_range(drop: Drop) -> bool:
        return (date_from is None or drop.date >= date_from) and (
            date_to is None or drop.date <= date_to
        )

    todo = [d for d in scan.complete if d.date not in loaded and in_range(d)]
    for drop in scan.complete:
        if drop.date in loaded:
            if drop.fingerprint() != loaded[drop.date]:
                report.warnings.append(
                    f"{drop.key}: delivered again with different content; the drop loaded "
                    "before is kept and this delivery is ignored"
                )
            report.results.append(
                DropResult(system, drop.date, "skipped", message="already loaded")
            )
    if todo:
        log(f"{system}: {len(todo)} new drop(s) to load: {todo[0].date} .. {todo[-1].date}")
    started = time.perf_counter()
    done: list[DropResult] = []
    for i, drop in enumerate(todo, start=1):
        if newest is not None and drop.date < newest:
            report.warnings.append(
                f"{drop.key}: arrived after the newer drop {system}/{newest} was loaded; "
                "loaded anyway (latest SystemModstamp still wins)"
            )
        result = load_drop(con, landing, drop, hr_column_map=hr_column_map, log=log)
        report.results.append(result)
        if result.status == "failed":
            log(f"{drop.key}: FAILED: {result.message}")
            break
        done.append(result)
        log(_drop_progress(i, len(todo), result))
    log(_system_summary(system, todo, done, report, time.perf_counter() - started))
    return report


def _rows_per_second(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s" if seconds > 0 else "- rows/s"


def _drop_progress(i: int, n: int, result: DropResult) -> str:
    """'drop 3/15 crm/2026-10-19: 8 files, 12,345 rows loaded, 3 quarantined in 1.2 s (...)'"""
    rows = result.rows_loaded + result.rows_quarantined
    return (
        f"drop {i}/{n} {result.key}: {len(result.files)} files, {result.rows_loaded:,} rows "
        f"loaded, {result.rows_quarantined:,} quarantined in {result.seconds:.1f} s "
        f"({_rows_per_second(rows, result.seconds)})"
    )


def _system_summary(
    system: str, todo: list[Drop], done: list[DropResult], report: LoadReport, seconds: float
) -> str:
    """The closing line of a system's load: drops, files, rows and speed."""
    if not todo:
        skipped = sum(1 for r in report.results if r.status == "skipped")
        return (f"{system}: no new complete drop to load ({skipped} already loaded, "
                f"{len(report.pending)} without _SUCCESS)")
    files = sum(len(r.files) for r in done)
    loaded = sum(r.rows_loaded for r in done)
    quarantined = sum(r.rows_quarantined for r in done)
    line = (
        f"{system}: {len(done)}/{len(todo)} drop(s) loaded, {files} files, {loaded:,} rows "
        f"loaded, {quarantined:,} quarantined in {seconds:.1f} s "
        f"({_rows_per_second(loaded + quarantined, seconds)})"
    )
    failed = report.failures
    if failed:
        line += f"; stopped at the failed drop {failed[-1].key}, nothing of it loaded"
    return line


def load_drop(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    drop: Drop,
    *,
    hr_column_map: dict[str, str] | None = None,
    log: Log = _noop,
) -> DropResult:
    """Load one drop in one transaction; on a contract violation, load nothing of it."""
    started = time.perf_counter()
    load_id = f"{drop.system}-{drop.date.isoformat()}-{uuid.uuid4().hex[:12]}"
    result = DropResult(drop.system, drop.date, "loaded", load_id=load_id)
    hashes: dict[str, str] = {}
    con.execute("begin transaction")
    try:
        for path in drop.data_files():
            spec = spec_for(drop.system, path.name)
            rel = path.relative_to(landing).as_posix()
            if spec is None:
                log(f"{rel}: not a contract file; ignored")
                continue
            hashes[path.name] = file_sha256(path)
            t0 = time.perf_counter()
            mapping = hr_column_map if drop.system == "hr" else None
            fr = load_file(con, spec, path, rel, drop.date, load_id, mapping)
            fr.seconds = time.perf_counter() - t0
            result.files.append(fr)
            rate = fr.rows_read / fr.seconds if fr.seconds > 0 else 0.0
            log(
                f"{rel}: {fr.rows_loaded:,} rows loaded, {fr.rows_quarantined:,} quarantined "
                f"({rate:,.0f} rows/s)"
            )
            _record_file(con, load_id, drop, fr, hashes[path.name])
        con.execute(
            f"insert into {RAW_SCHEMA}.load_drops values (?, ?, ?, ?, ?, ?, ?, ?)",
            [drop.system, drop.date, load_id, drop.fingerprint(), len(result.files),
             result.rows_loaded, result.rows_quarantined,
             dt.datetime.now(dt.UTC).replace(tzinfo=None)],
        )
        con.execute("commit")
    except ContractViolation as violation:
        con.execute("rollback")
        result.status = "failed"
        result.message = str(violation)
        result.files = []
    except BaseException:
        con.execute("rollback")
        raise
    result.seconds = time.perf_counter() - started
    return result


def _record_file(con, load_id: str, drop: Drop, fr: FileResult, sha: str) -> None:
    con.execute(
        f"insert into {RAW_SCHEMA}.load_files values (?, ?, ?, ?, ?, ?, ?, ?)",
        [load_id, drop.system, drop.date, fr.file, fr.rows_read, fr.rows_loaded,
         fr.rows_quarantined, sha],
    )


# ---------------------------------------------------------------------------------------------
# one file


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


_DUCKDB_LINE = re.compile(r"on Line: (\d+)")
_MAX_LINE = re.compile(r"Maximum line size of \d+ bytes exceeded\. Actual Size:\s*(\d+)")

# The longest record (physical line, or quoted value spanning lines) a file may hold. DuckDB's
# default (2,000,000 bytes) would refuse a 1 Mi-character text value of non-Latin script (3 to 4
# bytes a character in UTF-8); 16 MiB holds any such value with room, and costs no speed.
MAX_LINE_BYTES = 16 << 20


def _csv_error(
    rel: str, err: duckdb.Error, path: Path | None = None, header: list[str] | None = None
) -> ContractViolation:
    """The contract violation for a file DuckDB could not read, located at the physical line
    (and the column, when one is to blame) by a second, Python pass over the file.

    DuckDB's "Line" counts records, not physical lines: a quoted value with line breaks before
    the problem would make it point above the problem."""
    text = str(err)
    m = _DUCKDB_LINE.search(text)
    line = int(m.group(1)) if m else None
    column = None
    too_long = _MAX_LINE.search(text)
    if too_long:
        problem = (f"a record of {int(too_long.group(1)):,} bytes is longer than the "
                   f"{MAX_LINE_BYTES:,}-byte limit")
    elif "unicode" in text.lower() or "utf-8" in text.lower():
        problem = "not valid UTF-8"
    elif "unterminated quote" in text.lower():
        problem = "truncated: a quoted value is never closed"
    elif "Expected Number of Columns" in text:
        found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
        problem = (
            f"a row has {found.group(2)} fields where the header has {found.group(1)}"
            if found else "a row has the wrong number of fields"
        )
    else:
        problem = "can't be read as CSV: " + text.splitlines()[0][:300]
    if path is not None:
        try:
            located = _locate_problem(path, header, line)
        except OSError:
            located = None
        if located is not None:
            line, column, found_problem = located
            problem = found_problem or problem
    return ContractViolation(rel, problem, column=column, line=line)


def _locate_problem(
    path: Path, header: list[str] | None, duckdb_line: int | None
) -> tuple[int, str | None, str | None] | None:
    """(physical line, column, problem) of the first problem in the file, read with Python's
    csv module (strict RFC 4180; bytes that are not UTF-8 kept as surrogates). `header` None
    means a JSON-lines file (one record a line). When Python finds nothing wrong, the physical
    line where DuckDB's record `duckdb_line` starts (problem None: DuckDB's stands)."""
    if header is None:
        bad = _first_invalid_utf8(path)
        if bad is None:
            return None
        offset, byte = bad
        return _line_at(path, offset), None, f"not valid UTF-8 (byte 0x{byte:02x})"
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, 2 * MAX_LINE_BYTES))
    try:
        with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            record = 0
            start = 1
            try:
                for row in reader:
                    record += 1
                    for i, value in enumerate(row):
                        pos = _SURROGATE.search(value)
                        if pos is not None:
                            before = ",".join(row[:i]) + value[: pos.start()]
                            byte = ord(pos.group()) - 0xDC00
                            name = header[i] if i < len(header) else None
                            return (start + before.count("\n"), name,
                                    f"not valid UTF-8 (byte 0x{byte:02x})")
                    if record > 1 and row and len(row) != len(header):
                        return (start, None,
                                f"a row has {len(row)} fields where the header has {len(header)}")
                    if record == duckdb_line and duckdb_line > 1:
                        return start, None, None
                    start = reader.line_num + 1
            except csv.Error as e:
                if "unexpected end of data" in str(e):
                    return start, None, "truncated: a quoted value is never closed"
                if "expected after" in str(e):
                    return (start, None, "a quoted value has text after its closing quote "
                            "(a quote inside it that is not doubled?)")
                return start, None, f"can't be read as CSV: {e}"
    finally:
        csv.field_size_limit(old_limit)
    return None


_SURROGATE = re.compile("[\udc80-\udcff]")


def _first_invalid_utf8(path: Path) -> tuple[int, int] | None:
    """(byte offset, byte value) of the first byte that isn't UTF-8, or None."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0  # bytes of the file handed to the decoder before this chunk
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(1 << 20)
            pending = decoder.getstate()[0]
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as e:
                data = pending + chunk
                return offset - len(pending) + e.start, data[e.start]
            if not chunk:
                return None
            offset += len(chunk)


def _line_at(path: Path, offset: int) -> int:
    """Physical line (1-based) of the byte at `offset`."""
    lines = 1
    with open(path, "rb") as fh:
        while offset > 0:
            chunk = fh.read(min(1 << 20, offset))
            if not chunk:
                break
            lines += chunk.count(b"\n")
            offset -= len(chunk)
    return lines


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
        values, stage_sql = _stage_jsonl(con, spec, path, rel)
        return _insert_checked(con, spec, rel, drop_date, load_id, values, stage_sql)
    staged = _stage_csv(con, spec, path, rel, column_map)
    return _insert_staged(con, spec, rel, drop_date, load_id, *staged)


def _stage_csv(con, spec: FileSpec, path: Path, rel: str, column_map: dict[str, str] | None):
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
            select *, {_field_reason(spec, values)} as _field_reason
            from read_csv({sql_str(str(path))}, columns = {struct}, header = true,
                delim = ',', quote = '"', escape = '"', auto_detect = false,
                strict_mode = true, encoding = 'utf-8', max_line_size = {MAX_LINE_BYTES})
            with ordinality"""
        )
    except duckdb.Error as e:
        feeds.join()
        raise _csv_error(rel, e, path, header) from e
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


def _stage_jsonl(con, spec: FileSpec, path: Path, rel: str):
    try:
        con.execute(
            f"""create or replace temp table _stage as
            select line, ordinality from read_csv({sql_str(str(path))},
                columns = {{'line': 'VARCHAR'}}, header = false, delim = chr(1), quote = '',
                escape = '', auto_detect = false, encoding = 'utf-8',
                max_line_size = {MAX_LINE_BYTES}) with ordinality"""
        )
    except duckdb.Error as e:
        raise _csv_error(rel, e, path) from e
    values = {
        f.name: f"nullif(trim(json_extract_string(j, {sql_str('$.' + f.name)})), '')"
        for f in spec.fields
    }
    stage_sql = (
        "select *, ordinality as _line, case when json_valid(line) then line end as j "
        "from _stage where line is not null and trim(line) <> ''"
    )
    return values, stage_sql


def _field_reason(spec: FileSpec, values: dict[str, str | None]) -> str:
    """SQL: the reasons the row's fields break their domains ('; '-separated), else NULL."""
    reasons = [
        violation_expr(f, v) if v is not None else "cast(null as varchar)"
        for f, v in ((f, values[f.name]) for f in spec.fields)
    ]
    return f"nullif(concat_ws('; ', {', '.join(reasons)}), '')"


def _with_duplicate_reason(spec: FileSpec, values: dict[str, str | None], reason: str) -> str:
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


def _typed_columns(spec: FileSpec, values: dict[str, str | None]) -> list[str]:
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


def _lineage(drop_date: dt.date, rel: str, load_id: str) -> list[str]:
    """SQL of the lineage columns: _drop_date, _file, _line, _load_id."""
    return [f"cast({sql_str(drop_date.isoformat())} as date)", sql_str(rel), "_line",
            sql_str(load_id)]


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
        select {sql_str(load_id)}, {sql_str(spec.system)}, {_lineage(drop_date, rel, load_id)[0]},
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
    reason = _with_duplicate_reason(spec, values, field_reason)
    con.execute(
        f"""create or replace temp table _rejected as
        select ordinality, _reason from (
            select ordinality, {reason} as _reason from ({stage_sql}))
        where _reason is not null"""
    )
    bad = con.execute("select count(*) from _rejected").fetchone()[0]
    col_list = ", ".join(f'"{c}"' for c, _ in raw_columns(spec))
    select_list = ", ".join(_typed_columns(spec, values) + _lineage(drop_date, rel, load_id))
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
    reason = _with_duplicate_reason(
        spec, values,
        f"case when j is null then 'line is not valid JSON' else {_field_reason(spec, values)} end",
    )
    typed = _typed_columns(spec, values)
    con.execute(
        f"""create or replace temp table _checked as
        select {', '.join(f'{t} as x{i}' for i, t in enumerate(typed))},
               _line, {reason} as _reason
        from ({stage_sql})"""
    )
    col_list = ", ".join(f'"{c}"' for c, _ in raw_columns(spec))
    select_list = ", ".join(
        [f"x{i}" for i in range(len(typed))] + _lineage(drop_date, rel, load_id)
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


__all__ = [
    "DropResult", "FileResult", "IngestionFailed", "LoadReport", "column_name", "connect",
    "load_drop", "load_file", "load_landing", "load_system",
]
