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

import datetime as dt
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb

from salesops.contract import RAW_SCHEMA, SYSTEMS, ContractViolation, spec_for
from salesops.ingest.drops import Drop, file_sha256, scan_system
from salesops.ingest.file_loader import load_file
from salesops.ingest.hr_columns import load_hr_column_map
from salesops.ingest.raw_tables import create_raw_tables
from salesops.ingest.report import DropResult, FileResult, LoadReport
from salesops.settings import duckdb_memory_limit

Log = Callable[[str], None]


def _noop(_: str) -> None:
    pass


def connect(warehouse: Path, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """The warehouse, with the raw tables, in UTC, within `memory_limit` (default: the
    SALESOPS_DUCKDB_MEMORY_LIMIT setting)."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse))
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"set memory_limit = '{memory_limit or duckdb_memory_limit()}'")
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
