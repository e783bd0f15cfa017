"""A warehouse holding just what salesops.pending reads: the load ledger, the incremental facts'
ledger and, optionally, a published mart."""

from __future__ import annotations

from pathlib import Path

import duckdb

from salesops.publish import record_published_set

LEDGERS = ("raw.load_drops", "intermediate.int_incremental__processed_drops")


def write_ledgers(warehouse: Path, loaded: list[tuple[str, str]],
                  processed: list[tuple[str, str]], won: int | None = None) -> None:
    """(system, drop date) rows in both ledgers (replaced); with `won`, marts.kpi_demo too."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create schema if not exists raw; create schema if not exists intermediate;"
                    " create schema if not exists marts")
        for table, rows in zip(LEDGERS, (loaded, processed), strict=True):
            con.execute(f"create or replace table {table} (system varchar, drop_date date)")
            if rows:
                con.executemany(f"insert into {table} values (?, ?)", [list(r) for r in rows])
        if won is not None:
            con.execute(f"create or replace table marts.kpi_demo as select {won} as won_count")
            record_published_set(con, ["kpi_demo"])
    finally:
        con.close()
