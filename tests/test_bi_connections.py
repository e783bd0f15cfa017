"""BI connections (issue 15): a BI tool connects the way Superset and Metabase do (SQLAlchemy
with duckdb-engine, read-only) while publishes run, and reads every mart: every read succeeds,
each sees one complete version (old or new), the publisher is never blocked. The Parquet files
read the same, and the descriptions are visible through SQLAlchemy's inspector."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

REPO = Path(__file__).resolve().parents[1]
V2 = " (v2)"

# The exact connection strings README.md gives for Superset (URI) and for SQLAlchemy code.
def superset_uri(db: Path) -> str:
    return f"duckdb:///{db.resolve()}?access_mode=read_only"


# Publishes alternately from two warehouses (same rows, descriptions differing by V2, so that
# every publish is a new version) and prints one JSON line per publish.
PUBLISHER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from salesops.publish import publish

    wa, wb, pub, n = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
    for i in range(n):
        t = time.monotonic()
        r = publish(wb if i % 2 == 0 else wa, pub, keep_versions=3)
        print(json.dumps({"version": r.version, "published": r.published,
                          "seconds": time.monotonic() - t}), flush=True)
""")


@pytest.fixture(scope="module")
def bi_publish(demo_run, tmp_path_factory) -> tuple[Path, Path, Path, list[str]]:
    """(warehouse A, warehouse B, publish dir, marts): copies of the demo warehouse (the fixture
    is shared and only read), B's descriptions ending in V2, A published once."""
    root = tmp_path_factory.mktemp("bi")
    wa, wb, pub = root / "wa.duckdb", root / "wb.duckdb", root / "published"
    shutil.copy(demo_run.warehouse, wa)
    shutil.copy(demo_run.warehouse, wb)
    con = duckdb.connect(str(wb))
    try:
        con.execute("update ops.published_docs set description = description || ?", [V2])
        marts = [r[0] for r in con.execute(
            "select model from ops.published_marts order by 1").fetchall()]
    finally:
        con.close()
    run_publisher(wa, wb, pub, 0)
    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                    "from salesops.publish import publish; publish(Path(sys.argv[1]), "
                    "Path(sys.argv[2]))", str(wa), str(pub)], check=True, cwd=REPO,
                   env=_env())
    return wa, wb, pub, marts


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def run_publisher(wa: Path, wb: Path, pub: Path, n: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", PUBLISHER, str(wa), str(wb), str(pub),
                             str(n)], cwd=REPO, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def read_all(conn: sa.Connection, marts: list[str]) -> dict:
    """One BI session's view: the newest publish_log row, every mart's row count, the comments."""
    version, row_counts = conn.execute(sa.text(
        "select version, row_counts from publish_log "
        "order by published_at desc, version desc limit 1")).one()
    counts = {m: conn.execute(sa.text(f'select count(*) from "{m}"')).scalar_one()
              for m in marts}
    first_rows = {m: conn.execute(sa.text(f'select * from "{m}" limit 1')).all() for m in marts}
    table_comments = dict(conn.execute(sa.text(
        "select table_name, comment from duckdb_tables() where schema_name = 'main'")).all())
    return {"version": version, "expected": json.loads(row_counts), "counts": counts,
            "first_rows": first_rows, "comments": table_comments}


def test_a_read_only_sqlalchemy_reader_sees_complete_versions_while_publishes_run(bi_publish):
    wa, wb, pub, marts = bi_publish
    engine = sa.create_engine(superset_uri(pub / "salesops.duckdb"), poolclass=NullPool)
    publishes = 6
    publisher = run_publisher(wa, wb, pub, publishes)
    views, errors = [], []
    deadline = time.monotonic() + 300
    while publisher.poll() is None and time.monotonic() < deadline:
        try:
            with engine.connect() as conn:  # a new session per query batch, as a BI tool opens
                views.append(read_all(conn, marts))
        except Exception as exc:  # every error is a finding
            errors.append(repr(exc))
    out, err = publisher.communicate(timeout=60)
    assert publisher.returncode == 0, err
    runs = [json.loads(line) for line in out.splitlines()]
    assert len(runs) == publishes and all(r["published"] for r in runs)  # never blocked
    assert errors == []
    assert len(views) >= 3
    for view in views:
        assert sorted(view["counts"]) == marts
        assert view["counts"] == view["expected"]  # every mart of one version, complete
        assert all(view["first_rows"][m] for m in marts)
        mart_comments = [view["comments"][m] for m in marts]
        assert all(mart_comments)
        # descriptions of one version: all V2 (warehouse B) or none (warehouse A)
        assert len({c.endswith(V2) for c in mart_comments}) == 1
    assert len({v["version"] for v in views}) >= 2  # the reader saw publishes happen
    assert {v["comments"][marts[0]].endswith(V2) for v in views} == {True, False}


def test_a_long_lived_connection_keeps_its_version_until_every_connection_is_closed(bi_publish):
    """DuckDB's Python client keeps one database instance per path and process: while any
    connection to salesops.duckdb is open (a pool's idle one too), new connections in that
    process share it and read the version it opened; once all are closed, the next connection
    opens the file swapped in."""
    wa, wb, pub, marts = bi_publish
    uri = superset_uri(pub / "salesops.duckdb")
    pooled = sa.create_engine(uri)
    query = sa.text("select version from publish_log order by published_at desc, version desc "
                    "limit 1")
    held = pooled.connect()
    before = held.execute(query).scalar_one()
    publisher = run_publisher(wa, wb, pub, 1)
    out, err = publisher.communicate(timeout=300)
    assert publisher.returncode == 0, err
    [run] = [json.loads(line) for line in out.splitlines()]
    assert run["published"] and run["version"] != before
    assert held.execute(query).scalar_one() == before  # the old file, still whole
    assert held.execute(sa.text(f'select count(*) from "{marts[0]}"')).scalar_one() > 0
    fresh = sa.create_engine(uri, poolclass=NullPool)
    with fresh.connect() as conn:
        assert conn.execute(query).scalar_one() == before  # same process, instance shared
    held.close()
    pooled.dispose()  # every connection closed
    with fresh.connect() as conn:
        assert conn.execute(query).scalar_one() == run["version"]


def test_the_inspector_shows_every_marts_description_as_a_bi_tool_sees_it(bi_publish, demo_run):
    _, _, _, marts = bi_publish
    db = demo_run.publish_dir / "salesops.duckdb"
    expected = duckdb.connect(str(db), read_only=True)
    try:
        tables = dict(expected.execute(
            "select table_name, comment from duckdb_tables()").fetchall())
        columns = {(t, c): m for t, c, m in expected.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where not internal").fetchall()}
    finally:
        expected.close()
    # the other documented form of read-only: connect_args, as in SQLAlchemy code
    engine = sa.create_engine(f"duckdb:///{db.resolve()}", connect_args={"read_only": True},
                              poolclass=NullPool)
    inspector = sa.inspect(engine)
    assert sorted(inspector.get_table_names()) == sorted([*marts, "publish_log"])
    for mart in marts:
        comment = inspector.get_table_comment(mart)["text"]
        assert comment and comment == tables[mart]
        cols = inspector.get_columns(mart)
        assert cols
        for col in cols:
            assert col["comment"] and col["comment"] == columns[(mart, col["name"])]
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match="read-only"):
        conn.execute(sa.text("create table pwned (i int)"))
    engine.dispose()


def test_every_mart_reads_from_parquet_like_from_the_database(demo_run):
    pub = demo_run.publish_dir
    folder = Path(os.path.realpath(pub / "parquet"))  # resolve the link once, then read
    con = duckdb.connect(str(pub / "salesops.duckdb"), read_only=True)
    try:
        marts = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where table_name <> 'publish_log' "
            "order by 1").fetchall()]
        assert sorted(p.stem for p in folder.glob("*.parquet")) == marts
        for mart in marts:
            path = str(folder / f"{mart}.parquet").replace("'", "''")
            in_db = con.execute(f'select * from "{mart}" except all '
                                f"select * from read_parquet('{path}')").fetchall()
            in_parquet = con.execute(f"select * from read_parquet('{path}') except all "
                                     f'select * from "{mart}"').fetchall()
            assert in_db == [] and in_parquet == [], mart
            assert con.execute(f"select count(*) from read_parquet('{path}')").fetchone()[0] == (
                con.execute(f'select count(*) from "{mart}"').fetchone()[0])
    finally:
        con.close()


def test_the_published_database_opens_in_duckdb_1x_readers(demo_run):
    """BI tools bundle their own DuckDB; the published file is written in the v1.0.0 storage
    format (DuckDB 2.0's default would need 2.0 to open)."""
    con = duckdb.connect(str(demo_run.publish_dir / "salesops.duckdb"), read_only=True)
    try:
        [tags] = con.execute("select tags from duckdb_databases() "
                             "where database_name = 'salesops'").fetchone()
    finally:
        con.close()
    assert tags == {"storage_version": "v1.0.0+"}
