"""The floor: the published marts computed by one hand-written DuckDB SQL script.

The script is the section files of bench/floor/ (NN_name.sql), run in order in one DuckDB
connection over one output database: 10_base.sql reads the landing files into `staging.*`, the
HR periods `staging.int_hr__worker_periods` (the pipeline's intermediate model of that name,
computed once for every section) and the shared core marts, the later sections compute the
`marts.kpi_*` tables from them. No orchestration, no checks, nothing materialized that a mart
doesn't need. The runner sets two DuckDB variables the sections read: `landing` (the landing
root) and `as_of_date` (the newest complete drop's date, the pipeline's int_as_of_date).

    python -m bench.floor run --landing L --out floor.duckdb
    python -m bench.floor check --sections 20_sales --inputs-from warehouse.duckdb
    python -m bench.floor check --landing L --against warehouse.duckdb

`check` with --inputs-from runs mart sections on the staging views, the intermediate
int_hr__worker_periods (as staging.int_hr__worker_periods) and the core marts of a pipeline
warehouse (to develop a section without the base); with --landing it runs the whole script.
Either way every relation the sections created is compared with the warehouse's (the base's
staging.int_hr__worker_periods with the warehouse's intermediate.int_hr__worker_periods).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from salesops.ingest.drops import complete_drops

FLOOR_DIR = Path(__file__).resolve().parent / "floor"
BASE_SECTION = "10_base"
CORE_MARTS = ("dim_reps", "dim_rep_history", "dim_currency_rates", "dim_dates", "fct_opportunities")
# pipeline intermediate models the base section creates in the schema staging (the warehouse
# has them in the schema intermediate)
BASE_INTERMEDIATES = ("int_hr__worker_periods",)
SIGNIFICANT_DIGITS = 9


@dataclass
class FloorRun:
    seconds: float
    section_seconds: dict[str, float] = field(default_factory=dict)


def sections(names: list[str] | None = None) -> list[Path]:
    """The section files in run order (all of them, or those whose stem starts with a name)."""
    files = sorted(FLOOR_DIR.glob("[0-9][0-9]_*.sql"))
    if names:
        files = [f for f in files if any(f.stem.startswith(n) for n in names)]
    if not files:
        raise SystemExit(f"no floor section matches {names} in {FLOOR_DIR}")
    return files


def script(names: list[str] | None = None) -> str:
    """The floor script: its sections, in order, as one SQL text."""
    return "\n".join(f"-- ==== {f.name}\n{f.read_text()}" for f in sections(names))


def newest_drop_date(landing: Path) -> str:
    """The warehouse's "now" (the pipeline's int_as_of_date): the newest complete drop's date,
    any system, by the ingestion's own rule for complete drops."""
    drops = complete_drops(landing)
    if not drops:
        raise SystemExit(f"no complete drop folder (with _SUCCESS) under {landing}")
    return max(d.date for d in drops).isoformat()


def run_floor(landing: Path | None, out_db: Path, names: list[str] | None = None,
              con: duckdb.DuckDBPyConnection | None = None) -> FloorRun:
    """Run the floor's sections into out_db (replaced); landing is the landing root."""
    own = con is None
    if own:
        out_db.unlink(missing_ok=True)
        con = duckdb.connect(str(out_db))
    try:
        if landing is not None:
            con.execute(f"set variable landing = '{Path(landing).resolve()}'")
            con.execute(f"set variable as_of_date = date '{newest_drop_date(Path(landing))}'")
        con.execute("create schema if not exists staging")
        con.execute("create schema if not exists marts")
        run = FloorRun(seconds=0.0)
        start = time.perf_counter()
        for f in sections(names):
            t0 = time.perf_counter()
            con.execute(f.read_text())
            run.section_seconds[f.stem] = time.perf_counter() - t0
        run.seconds = time.perf_counter() - start
        return run
    finally:
        if own:
            con.close()


def _normalized(column: str, data_type: str) -> str:
    if data_type in ("DOUBLE", "FLOAT"):
        return (f"case when {column} is null or {column} = 0 or isnan({column}) "
                f"or isinf({column}) then {column} "
                f"else round({column}, {SIGNIFICANT_DIGITS - 1} - "
                f"cast(floor(log10(abs({column}))) as integer)) end")
    return column


def _columns(con, catalog: str, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [catalog, schema, table],
    ).fetchall()


def compare_relation(con, left: str, right: str, schema: str, table: str,
                     right_schema: str | None = None) -> str | None:
    """None when left.schema.table equals right.right_schema.table (columns, types, rows)."""
    right_schema = right_schema or schema
    lrel, rrel = f"{left}.{schema}.{table}", f"{right}.{right_schema}.{table}"
    lcols = _columns(con, left, schema, table)
    rcols = _columns(con, right, right_schema, table)
    if not rcols:
        return f"{schema}.{table}: missing in {right}"
    if not lcols:
        return f"{schema}.{table}: missing in {left}"
    if lcols != rcols:
        return f"{schema}.{table}: columns differ: {lcols} != {rcols}"
    sel = ", ".join(_normalized(f'"{c}"', t) for c, t in lcols)
    counts = []
    for a, b in ((lrel, rrel), (rrel, lrel)):
        counts.append(con.execute(
            f"select count(*) from (select {sel} from {a} except all select {sel} from {b})"
        ).fetchone()[0])
    if counts == [0, 0]:
        return None
    n = con.execute(f"select count(*) from {rrel}").fetchone()[0]
    return (f"{schema}.{table}: {counts[0]} rows only in {left}, {counts[1]} only in {right} "
            f"({n} rows in {right})")


def compare(floor_db: Path, other_db: Path, other_schema: str | None = None,
            prefix: str = "kpi_", tables: list[str] | None = None) -> list[str]:
    """Mismatches between the floor's marts and another database's: a pipeline warehouse
    (schema marts) or a published database (schema main; found by itself when other_schema is
    None). An empty comparison is a mismatch, never a pass."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{floor_db}' as f (read_only)")
        con.execute(f"attach '{other_db}' as o (read_only)")
        listed = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'o' "
            "and starts_with(table_name, ?) order by 2", [prefix]).fetchall()
        schemas = {s for s, _ in listed}
        if other_schema is None:
            other_schema = "marts" if "marts" in schemas else "main"
        if tables is None:
            tables = [t for s, t in listed if s == other_schema]
        if not tables:
            return [f"no {prefix}* tables in {other_db} (schema {other_schema})"]
        return [m for t in tables
                if (m := compare_relation(con, "f", "o", "marts", t, other_schema))]
    finally:
        con.close()


def _created(con, schema: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() "
        "and schema_name = ? union select view_name from duckdb_views() "
        "where database_name = current_database() and schema_name = ? and not internal "
        "order by 1", [schema, schema]).fetchall()]


def check(names: list[str] | None, landing: Path | None, reference: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "floor.duckdb"
        con = duckdb.connect(str(db))
        con.execute(f"attach '{reference}' as w (read_only)")
        con.execute("create schema staging")
        con.execute("create schema marts")
        if landing is None:
            for (name,) in con.execute(
                    "select view_name from duckdb_views() where database_name = 'w' "
                    "and schema_name = 'staging'").fetchall():
                con.execute(f"create view staging.{name} as select * from w.staging.{name}")
            for name in BASE_INTERMEDIATES:
                con.execute(f"create view staging.{name} as select * from w.intermediate.{name}")
            for name in CORE_MARTS:
                con.execute(f"create view marts.{name} as select * from w.marts.{name}")
            names = [n for n in (names or [f.stem for f in sections()]) if n != BASE_SECTION]
            con.execute("set variable as_of_date = (select as_of_date "
                        "from w.intermediate.int_as_of_date)")
        run = run_floor(landing, db, names, con=con)
        results: dict[str, str | None] = {}
        for schema in ("staging", "marts"):
            for table in _created(con, schema):
                if landing is None and (schema == "staging" or table in CORE_MARTS):
                    continue
                reference_schema = ("intermediate" if schema == "staging"
                                    and table in BASE_INTERMEDIATES else schema)
                results[f"{schema}.{table}"] = compare_relation(con, "floor", "w", schema, table,
                                                                reference_schema)
        con.close()
    for name, sec in run.section_seconds.items():
        print(f"{name}: {sec:.2f} s")
    bad = [m for m in results.values() if m]
    for key, m in results.items():
        print(("DIFF " + m) if m else f"ok   {key}")
    print(f"{len(results) - len(bad)}/{len(results)} relations equal the reference")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the floor script into a database file")
    run.add_argument("--landing", type=Path, required=True)
    run.add_argument("--out", type=Path, required=True)
    chk = sub.add_parser("check", help="run sections and compare with a pipeline warehouse")
    chk.add_argument("--sections", nargs="*", help="section name prefixes (default: all)")
    src = chk.add_mutually_exclusive_group(required=True)
    src.add_argument("--inputs-from", type=Path, help="warehouse whose staging and core marts "
                     "feed the sections (the base section is skipped)")
    src.add_argument("--landing", type=Path, help="landing root (the whole script runs)")
    chk.add_argument("--against", type=Path, help="warehouse to compare with "
                     "(default: --inputs-from)")
    args = parser.parse_args(argv)
    if args.command == "run":
        result = run_floor(args.landing, args.out)
        print(f"floor: {result.seconds:.1f} s "
              + ", ".join(f"{k} {v:.1f} s" for k, v in result.section_seconds.items()))
        return 0
    reference = args.against or args.inputs_from
    if reference is None:
        parser.error("check --landing needs --against WAREHOUSE")
    return check(args.sections, args.landing, reference)


if __name__ == "__main__":
    sys.exit(main())
