"""Compare the kpi_* marts of two builds row for row (multisets: ``except all`` both ways).

    python scripts/compare_marts.py --left data/warehouse.duckdb --right /tmp/other.duckdb
    python scripts/compare_marts.py --left data/warehouse.duckdb --right-spark /tmp/spark/dir

A side is a DuckDB warehouse (its ``marts`` schema) or, with ``--right-spark``, the spark_local
folder of docs/spark.md: each mart is read from the Parquet files of its managed Spark table
(``<dir>/warehouse/marts.db/<mart>/``), no Spark needed. For a mart that differs, the columns
whose values differ (each column compared alone, as a multiset) are listed, and for double
columns whether they agree once rounded to 6 decimals (arithmetic noise) or not. Exit 1 when a
mart differs or is missing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb


def _marts(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [row[0] for row in con.execute(
        "select table_name from information_schema.tables where table_catalog = ? "
        "and table_schema = 'marts' and table_name like 'kpi\\_%' escape '\\' "
        "order by table_name", [catalog]).fetchall()]


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return con.execute(f"select count(*) from ({sql})").fetchone()[0]


def compare(con: duckdb.DuckDBPyConnection, left: str, right: str) -> tuple[bool, str]:
    """(equal, one line) for two relations `left` and `right` (SQL from-expressions)."""
    left_columns = [(r[0], r[1]) for r in con.execute(f"describe select * from {left}").fetchall()]
    right_names = [r[0] for r in con.execute(f"describe select * from {right}").fetchall()]
    names = [name for name, _ in left_columns]
    if [n.lower() for n in names] != [n.lower() for n in right_names]:
        return False, f"columns differ: {names} vs {right_names}"
    columns = ", ".join(f'"{n}"' for n in names)
    only_left = _count(con, f"select {columns} from {left} except all "
                            f"select {columns} from {right}")
    only_right = _count(con, f"select {columns} from {right} except all "
                             f"select {columns} from {left}")
    rows = (_count(con, f"select * from {left}"), _count(con, f"select * from {right}"))
    if only_left == 0 and only_right == 0:
        return True, f"equal ({rows[0]} rows)"
    differing = []
    for name, data_type in left_columns:
        column = f'"{name}"'
        if _count(con, f"select {column} from {left} except all select {column} from {right}") == 0:
            continue
        note = name
        kind = data_type.upper()
        if kind in ("DOUBLE", "FLOAT", "REAL") or kind.startswith("DECIMAL"):
            rounded = f"round(cast({column} as double), 6)"
            if _count(con, f"select {rounded} from {left} except all "
                           f"select {rounded} from {right}") == 0:
                note += " (noise < 1e-6)"
        differing.append(note)
    return False, (f"rows {rows[0]} vs {rows[1]}, {only_left} only left, {only_right} only "
                   f"right; columns: {', '.join(differing) or '(only in combination)'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--left", type=Path, required=True, help="a DuckDB warehouse")
    side = parser.add_mutually_exclusive_group(required=True)
    side.add_argument("--right", type=Path, help="another DuckDB warehouse")
    side.add_argument("--right-spark", type=Path, help="a spark_local folder (SALESOPS_SPARK_DIR)")
    parser.add_argument("marts", nargs="*", help="only these marts (default: every kpi_*)")
    args = parser.parse_args(argv)

    con = duckdb.connect()
    con.execute(f"attach '{args.left}' as left_wh (read_only)")
    marts = args.marts or _marts(con, "left_wh")
    if args.right is not None:
        con.execute(f"attach '{args.right}' as right_wh (read_only)")

    def right_relation(mart: str) -> str | None:
        if args.right is not None:
            return f"right_wh.marts.{mart}" if mart in _marts(con, "right_wh") else None
        folder = args.right_spark / "warehouse" / "marts.db" / mart
        if not any(folder.glob("*.parquet")):
            return None
        return f"read_parquet('{folder.as_posix()}/*.parquet')"

    failures = 0
    for mart in marts:
        right = right_relation(mart)
        if right is None:
            failures += 1
            print(f"{mart}: MISSING on the right")
            continue
        equal, line = compare(con, f"left_wh.marts.{mart}", right)
        failures += not equal
        print(f"{mart}: {line}")
    print(f"{len(marts) - failures} of {len(marts)} marts equal")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
