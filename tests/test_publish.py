"""Publishing: versions, the atomic swap, the publish log, pruning and restore, on real files."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from salesops.publish import current_version, publish, restore, versions


def make_warehouse(path: Path, won: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create schema if not exists raw")
    con.execute("create or replace table marts.kpi_demo as select date '2026-10-01' as month, "
                f"{won} as won_count")
    con.execute("create or replace table marts.fct_not_published as select 1 as x")
    con.execute("create or replace table raw.load_drops as select 'crm' as system, "
                "date '2026-10-31' as drop_date")
    con.close()


def read(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_publish_versions_log_prune_and_restore(tmp_path):
    wh, pub = tmp_path / "wh.duckdb", tmp_path / "published"
    published = []
    for won in (1, 2, 3):
        make_warehouse(wh, won)
        published.append(publish(wh, pub, run_id=f"run{won}xxxxxx", keep_versions=2))
    db = pub / "salesops.duckdb"
    # only kpi_ marts (and the log) are published, in the database and as parquet
    assert {r[0] for r in read(db, "select table_name from information_schema.tables")} == {
        "kpi_demo", "publish_log"}
    assert read(db, "select won_count from kpi_demo") == [(3,)]
    parquet = pub / "parquet" / "kpi_demo.parquet"
    assert duckdb.sql(f"select won_count from '{parquet}'").fetchall() == [(3,)]
    log = read(db, "select run_id, drop_dates, row_counts from publish_log order by published_at")
    assert log == [(f"run{i}xxxxxx", "crm=2026-10-31", "kpi_demo=1") for i in (1, 2, 3)]
    # the last two versions are kept; the current one is the newest
    assert versions(pub) == [published[1].version, published[2].version]
    assert current_version(pub) == published[2].version
    assert (pub / "parquet").is_symlink()
    # restore makes the previous version current again, database and parquet together
    restore(pub, published[1].version)
    assert read(db, "select won_count from kpi_demo") == [(2,)]
    assert duckdb.sql(f"select won_count from '{parquet}'").fetchall() == [(2,)]
    with pytest.raises(FileNotFoundError, match="no published version"):
        restore(pub, "nope")


def test_a_reader_holding_the_old_file_keeps_reading_it(tmp_path):
    wh, pub = tmp_path / "wh.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    publish(wh, pub)
    reader = duckdb.connect(str(pub / "salesops.duckdb"), read_only=True)
    try:
        make_warehouse(wh, 2)
        publish(wh, pub)  # swapped in while the reader has the old file open
        assert reader.execute("select won_count from kpi_demo").fetchall() == [(1,)]
    finally:
        reader.close()
    assert read(pub / "salesops.duckdb", "select won_count from kpi_demo") == [(2,)]
    # nothing half-written is left beside the published files
    assert sorted(p.name for p in pub.iterdir()) == ["parquet", "salesops.duckdb", "versions"]
    assert not [p for p in (pub / "versions").iterdir() if p.name.startswith(".")]


def test_nothing_to_publish_is_an_error_and_changes_nothing(tmp_path):
    wh, pub = tmp_path / "wh.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    publish(wh, pub)
    before = (pub / "salesops.duckdb").read_bytes()
    con = duckdb.connect(str(wh))
    con.execute("drop table marts.kpi_demo")
    con.close()
    with pytest.raises(RuntimeError, match="no marts.kpi_"):
        publish(wh, pub)
    assert (pub / "salesops.duckdb").read_bytes() == before
    assert len(versions(pub)) == 1
    assert not [p for p in (pub / "versions").iterdir() if p.name.startswith(".")]
    assert os.path.exists(pub / "parquet" / "kpi_demo.parquet")
