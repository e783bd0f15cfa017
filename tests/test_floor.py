"""The benchmark's floor (bench/floor.py, bench/floor/*.sql) equals the pipeline.

The floor is the same 58 published marts computed by one hand-written DuckDB script straight
from the landing files; `make bench` compares the pipeline's speed with it, and the comparison
is only honest while both compute the same thing. Here the floor runs on the landing files of
the shared demo run and every published kpi_* table must equal the floor's (same columns and
types, same rows, doubles to 9 significant digits).
"""

from __future__ import annotations

import duckdb

from bench.floor import compare, newest_drop_date, run_floor


def test_the_floor_computes_every_published_mart_of_the_demo_run(demo_run, tmp_path):
    floor_db = tmp_path / "floor.duckdb"
    run = run_floor(demo_run.landing_dir, floor_db)
    assert set(run.section_seconds) == {"10_base", "20_sales", "30_activity", "40_pipeline",
                                        "50_people"}
    published = demo_run.publish_dir / "salesops.duckdb"
    assert compare(floor_db, published) == []
    with duckdb.connect(str(published), read_only=True) as con:
        marts = {r[0] for r in con.execute(
            "select table_name from duckdb_tables() where starts_with(table_name, 'kpi_')"
        ).fetchall()}
    with duckdb.connect(str(floor_db), read_only=True) as con:
        floor_marts = {r[0] for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' "
            "and starts_with(table_name, 'kpi_')").fetchall()}
        leftovers = con.execute(
            "select count(*) from duckdb_tables() where temporary").fetchone()[0]
    assert len(marts) == 58 and floor_marts == marts
    assert leftovers == 0


def test_an_empty_comparison_is_a_mismatch(tmp_path):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert compare(empty, empty) != []


def test_the_floor_now_is_the_newest_complete_drop_folder(tmp_path):
    for folder, complete in (("crm/2026-10-30", True), ("hr/2026-10-31", True),
                             ("lms/2026-11-02", False), ("crm/notadate", True),
                             ("other/2026-12-01", True)):
        (tmp_path / folder).mkdir(parents=True)
        if complete:
            (tmp_path / folder / "_SUCCESS").touch()
    assert newest_drop_date(tmp_path) == "2026-10-31"
