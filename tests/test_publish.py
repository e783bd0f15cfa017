"""Publishing: versions, the atomic swap, the publish log, unchanged content, pruning, restore
and its audit trail, failures half-way, on real files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import duckdb
import pytest

import salesops.publish as publish_mod
from salesops.publish import (
    current_version,
    history,
    keep_versions_from_env,
    list_versions,
    publish,
    record_published_set,
    restore,
    versions,
)
from salesops_cli.main import main as cli

DROPS = {"crm": ["2026-10-30", "2026-10-31"], "hr": ["2026-10-31"]}


def make_warehouse(path: Path, won: int, *, drops: dict[str, list[str]] | None = None,
                   rate_sql: str = "0.3", order: str = "asc") -> None:
    """A warehouse with two kpi_ marts (their content depends on `won`), a mart that is not
    published and the load ledger."""
    drops = DROPS if drops is None else drops
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create schema if not exists raw")
    con.execute("create or replace table marts.kpi_demo as select date '2026-10-01' as month, "
                f"{won} as won_count")
    con.execute(f"""create or replace table marts.kpi_demo_team as
        select 'team ' || i as team, i * {won} as won_count, cast({rate_sql} as double) as rate
        from range(5) t(i) order by i {order}""")
    con.execute("create or replace table marts.fct_not_published as select 1 as x")
    record_published_set(con, ["kpi_demo", "kpi_demo_team"])
    con.execute("create or replace table raw.load_drops (system varchar, drop_date date)")
    for system, dates in drops.items():
        for d in dates:
            con.execute("insert into raw.load_drops values (?, ?)", [system, d])
    con.close()


def read(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def tree(publish_dir: Path) -> dict[str, str]:
    """Every file and link under the publish folder: sha256 of files, target of links."""
    out = {}
    for p in sorted(publish_dir.rglob("*")):
        rel = p.relative_to(publish_dir).as_posix()
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def no_leftovers(pub: Path) -> None:
    """Nothing half-written beside the published files: no temp version, no staged swap."""
    assert not [p.name for p in (pub / "versions").iterdir() if p.name.startswith(".")]
    assert {p.name for p in pub.iterdir()} <= {
        "parquet", "salesops.duckdb", "versions", "publish_history.jsonl", ".lock",
        "dashboard.html"}  # `salesops restore` rewrites the dashboard for the version it restores


def test_publish_log_has_typed_columns_and_json_duckdb_reads(tmp_path):
    wh, pub = tmp_path / "wh.duckdb", tmp_path / "published"
    results = []
    for won in (1, 2, 3):
        make_warehouse(wh, won)
        results.append(publish(wh, pub, run_id=f"run{won}xxxxxx"))
    db = pub / "salesops.duckdb"
    # only kpi_ marts (and the log) are published, in the database and as parquet
    assert {r[0] for r in read(db, "select table_name from information_schema.tables")} == {
        "kpi_demo", "kpi_demo_team", "publish_log"}
    assert sorted(p.name for p in (pub / "parquet").iterdir()) == [
        "kpi_demo.parquet", "kpi_demo_team.parquet"]
    assert read(db, "select column_name, data_type from information_schema.columns "
                    "where table_name = 'publish_log' order by ordinal_position") == [
        ("version", "VARCHAR"), ("run_id", "VARCHAR"), ("published_at", "TIMESTAMP"),
        ("drop_dates", "VARCHAR"), ("newest_drop_dates", "VARCHAR"), ("row_counts", "VARCHAR"),
        ("content_hash", "VARCHAR")]
    log = read(db, """select version, run_id, published_at,
                             cast(row_counts->>'kpi_demo_team' as integer),
                             newest_drop_dates->>'crm',
                             json_array_length(drop_dates->'crm'), drop_dates->'crm'->>0,
                             content_hash
                      from publish_log order by published_at""")
    assert [r[0] for r in log] == [r.version for r in results]  # one row per publish
    assert [r[1] for r in log] == ["run1xxxxxx", "run2xxxxxx", "run3xxxxxx"]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert all(abs(now - r[2]) < dt.timedelta(minutes=5) for r in log)  # UTC, not local time
    assert [r[3:7] for r in log] == [(5, "2026-10-31", 2, "2026-10-30")] * 3
    assert [r[7] for r in log] == [r.content_hash for r in results]
    assert len({r[7] for r in log}) == 3 and all(len(r[7]) == 64 for r in log)
    # the whole JSON, as the brief documents it
    row = read(db, "select drop_dates, newest_drop_dates, row_counts from publish_log "
                   "order by published_at desc limit 1")[0]
    assert json.loads(row[0]) == DROPS
    assert json.loads(row[1]) == {"crm": "2026-10-31", "hr": "2026-10-31"}
    assert json.loads(row[2]) == {"kpi_demo": 1, "kpi_demo_team": 5}
    assert results[-1].row_counts == {"kpi_demo": 1, "kpi_demo_team": 5}
    assert results[-1].newest_drop_dates == {"crm": "2026-10-31", "hr": "2026-10-31"}
    assert read(db, "select sum(cast(value as integer)) from publish_log, json_each(row_counts) "
                    f"where version = '{results[0].version}'") == [(6,)]


def test_keep_versions_is_configurable_validated_and_prunes(tmp_path):
    assert keep_versions_from_env({}) == 7
    assert keep_versions_from_env({"SALESOPS_KEEP_VERSIONS": " 3 "}) == 3
    for bad in ("0", "-1", "two", "2.5", "1e3"):
        with pytest.raises(ValueError, match=r"SALESOPS_KEEP_VERSIONS must be a whole number "
                                             r">= 1 .*got '" + bad.strip()):
            keep_versions_from_env({"SALESOPS_KEEP_VERSIONS": bad})
    wh, pub = tmp_path / "wh.duckdb", tmp_path / "published"
    make_warehouse(wh, 0)
    with pytest.raises(ValueError, match="keep_versions must be an integer >= 1"):
        publish(wh, pub, keep_versions=0)
    published = []
    for won in (1, 2, 3, 4):
        make_warehouse(wh, won)
        published.append(publish(wh, pub, keep_versions=2).version)
    assert versions(pub) == published[2:]
    assert current_version(pub) == published[3]
    make_warehouse(wh, 5)
    published.append(publish(wh, pub, keep_versions=3).version)
    assert versions(pub) == published[2:]
    # the log keeps every publish, pruned versions too
    assert [r[0] for r in read(pub / "salesops.duckdb",
                               "select version from publish_log order by published_at")] == published
    no_leftovers(pub)


def test_restore_makes_an_old_version_current_and_is_recorded(tmp_path, monkeypatch, capsys):
    wh, pub = tmp_path / "wh.duckdb", tmp_path / "published"
    published = []
    for won in (1, 2, 3):
        make_warehouse(wh, won)
        published.append(publish(wh, pub, run_id=f"run{won}xxxxxx").version)
    db, parquet = pub / "salesops.duckdb", pub / "parquet" / "kpi_demo.parquet"
    assert read(db, "select won_count from kpi_demo") == [(3,)]

    monkeypatch.setenv("SALESOPS_PUBLISH_DIR", str(pub))
    assert cli(["restore", published[0]]) == 0
    assert f"version {published[0]} is current again" in capsys.readouterr().out
    # database and parquet together
    assert read(db, "select won_count from kpi_demo") == [(1,)]
    assert duckdb.sql(f"select won_count from '{parquet}'").fetchall() == [(1,)]
    assert os.path.realpath(pub / "parquet") == str((pub / "versions" / published[0] /
                                                     "parquet").resolve())
    assert current_version(pub) == published[0]
    assert read(db, "select version from publish_log order by published_at desc limit 1") == [
        (published[0],)]
    # the audit trail: three publishes, then the restore
    lines = history(pub)
    assert [(e["action"], e["version"]) for e in lines] == [
        *[("publish", v) for v in published], ("restore", published[0])]
    assert lines[-1]["previous_version"] == published[2] and lines[-1]["user"]
    assert lines[0]["run_id"] == "run1xxxxxx" and lines[0]["time"].endswith("+00:00")
    # the versions listing marks the current one
    assert cli(["versions"]) == 0
    out = capsys.readouterr().out
    current_lines = [line for line in out.splitlines() if line.startswith("*")]
    assert len(current_lines) == 1 and published[0] in current_lines[0]
    assert "crm 2026-10-31, hr 2026-10-31" in current_lines[0]
    assert all(v in out for v in published)
    assert cli(["restore", "--list"]) == 0 and capsys.readouterr().out == out
    info = list_versions(pub)
    assert [(i.version, i.current) for i in info] == [
        (published[0], True), (published[1], False), (published[2], False)]
    assert info[1].row_counts == {"kpi_demo": 1, "kpi_demo_team": 5}
    # an unknown version is a clear error and changes nothing
    assert cli(["restore", "20990101T000000000000Z-nope"]) == 2
    assert "no published version '20990101T000000000000Z-nope'" in capsys.readouterr().err
    assert current_version(pub) == published[0] and len(history(pub)) == 4
    with pytest.raises(FileNotFoundError, match="no published version"):
        restore(pub, "../versions")

    # the next publish keeps the whole log, the versions published after the restored one too,
    # and the restored version is kept while it is current
    make_warehouse(wh, 4)
    published.append(publish(wh, pub, keep_versions=1).version)
    assert [r[0] for r in read(db, "select version from publish_log order by published_at")] == (
        published)
    assert versions(pub) == [published[3]]
    no_leftovers(pub)


def test_unchanged_content_publishes_nothing_and_leaves_every_byte(tmp_path):
    wh, pub = tmp_path / "wh.duckdb", tmp_path / "published"
    make_warehouse(wh, 2)
    first = publish(wh, pub, run_id="first123")
    assert first.published
    before = tree(pub)
    # the same marts, rebuilt: rows in another order, last-bit float noise (0.1 + 0.2 is
    # 0.30000000000000004), and a new drop that changed no mart
    drops = {**DROPS, "lms": ["2026-11-01"]}
    make_warehouse(wh, 2, rate_sql="0.1 + 0.2", order="desc", drops=drops)
    again = publish(wh, pub, run_id="again123")
    assert not again.published
    assert again.version == first.version and again.content_hash == first.content_hash
    assert tree(pub) == before  # no new version, no log line, byte for byte
    assert len(history(pub)) == 1 and versions(pub) == [first.version]

    # a changed value, a renamed column or a changed type are changes
    make_warehouse(wh, 2, rate_sql="0.31")
    changed = publish(wh, pub)
    assert changed.published and changed.version != first.version
    con = duckdb.connect(str(wh))
    con.execute("alter table marts.kpi_demo rename won_count to won")
    con.close()
    renamed = publish(wh, pub)
    assert renamed.published
    con = duckdb.connect(str(wh))
    con.execute("create or replace table marts.kpi_demo as "
                "select month, cast(won as bigint) as won from marts.kpi_demo")
    con.close()
    assert publish(wh, pub).published
    assert len(versions(pub)) == 4


def test_an_older_publish_log_without_content_hash_is_upgraded(tmp_path):
    """A publish folder written before publish_log had JSON and content_hash: the next publish
    publishes (there is no hash to compare) and carries the old rows over, converted."""
    wh, pub = tmp_path / "wh.duckdb", tmp_path / "published"
    legacy = "20260101T000000000000Z-legacy00"
    vdir = pub / "versions" / legacy
    (vdir / "parquet").mkdir(parents=True)
    con = duckdb.connect(str(vdir / "salesops.duckdb"))
    con.execute("create table kpi_demo as select date '2026-10-01' as month, 2 as won_count")
    con.execute("copy kpi_demo to '" + str(vdir / "parquet" / "kpi_demo.parquet") + "'")
    con.execute("""create table publish_log (version varchar not null, run_id varchar,
        published_at timestamp not null, drop_dates varchar not null, row_counts varchar not null)""")
    con.execute("insert into publish_log values (?, 'old', timestamp '2026-01-01 00:00:00', "
                "'crm=2025-12-31, hr=2025-12-30', 'kpi_demo=1')", [legacy])
    con.close()
    os.link(vdir / "salesops.duckdb", pub / "salesops.duckdb")
    (pub / "parquet").symlink_to(Path("versions") / legacy / "parquet")

    make_warehouse(wh, 2)
    result = publish(wh, pub)
    assert result.published
    rows = read(pub / "salesops.duckdb", """select version, drop_dates, newest_drop_dates->>'hr',
        cast(row_counts->>'kpi_demo' as integer), content_hash
        from publish_log order by published_at""")
    assert rows[0] == (legacy, None, "2025-12-30", 1, None)
    assert rows[1][0] == result.version and rows[1][4] == result.content_hash
    assert [v.version for v in list_versions(pub)] == [legacy, result.version]
    assert list_versions(pub)[0].newest_drop_dates == {"crm": "2025-12-31", "hr": "2025-12-30"}
    assert not publish(wh, pub).published  # from now on the hash is there


def test_a_failure_mid_publish_leaves_the_current_version(tmp_path, monkeypatch):
    wh, pub = tmp_path / "wh.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    current = publish(wh, pub).version
    before = tree(pub)
    make_warehouse(wh, 2)
    copied = []
    real_copy = publish_mod._copy_mart

    def copy_then_fail(con, mart, parquet):
        if copied:
            raise OSError("disk full (test)")
        copied.append(mart)
        real_copy(con, mart, parquet)

    monkeypatch.setattr(publish_mod, "_copy_mart", copy_then_fail)
    with pytest.raises(OSError, match="disk full"):
        publish(wh, pub)
    assert copied == ["kpi_demo"]  # it failed half-way through the marts
    assert tree(pub) == before and current_version(pub) == current
    no_leftovers(pub)

    def log_fails(*args, **kwargs):
        raise RuntimeError("log failed (test)")

    monkeypatch.setattr(publish_mod, "_copy_mart", real_copy)
    monkeypatch.setattr(publish_mod, "_write_publish_log", log_fails)
    with pytest.raises(RuntimeError, match="log failed"):
        publish(wh, pub)
    assert tree(pub) == before
    no_leftovers(pub)
    monkeypatch.undo()
    # what a swap killed half-way would leave (kill -9): cleaned up by the next publish
    (pub / ".salesops.duckdb.20260101T000000000000Z-killed00").write_bytes(b"")
    (pub / ".parquet.20260101T000000000000Z-killed00").symlink_to("versions/nowhere")
    assert publish(wh, pub).published  # and the next publish works
    no_leftovers(pub)


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
    no_leftovers(pub)


def test_exactly_the_recorded_published_set_is_published(tmp_path):
    """The published set (dbt's models tagged `published`, recorded by the dbt step) decides,
    not a name: a kpi_ scratch table outside it stays in the warehouse."""
    wh, pub = tmp_path / "wh.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    con = duckdb.connect(str(wh))
    con.execute("create table marts.kpi_scratch as select 1 as x")
    con.close()
    result = publish(wh, pub)
    assert sorted(result.row_counts) == ["kpi_demo", "kpi_demo_team"]
    assert sorted(p.name for p in (pub / "parquet").iterdir()) == [
        "kpi_demo.parquet", "kpi_demo_team.parquet"]


def test_nothing_to_publish_is_an_error_and_changes_nothing(tmp_path):
    wh, pub = tmp_path / "wh.duckdb", tmp_path / "published"
    with pytest.raises(FileNotFoundError, match="no warehouse at"):
        publish(wh, pub)
    make_warehouse(wh, 1)
    publish(wh, pub)
    before = tree(pub)
    con = duckdb.connect(str(wh))
    con.execute("drop table marts.kpi_demo")
    con.execute("drop table marts.kpi_demo_team")
    con.close()
    with pytest.raises(RuntimeError, match=r"names 2 marts the warehouse lacks \(kpi_demo, "):
        publish(wh, pub)
    con = duckdb.connect(str(wh))
    con.execute("drop table ops.published_marts")  # a warehouse dbt never built whole
    con.close()
    with pytest.raises(RuntimeError, match=r"wh.duckdb has no marts to publish: "
                       r"ops.published_marts is missing or empty"):
        publish(wh, pub)
    assert tree(pub) == before
    assert len(versions(pub)) == 1
    no_leftovers(pub)
    assert os.path.exists(pub / "parquet" / "kpi_demo.parquet")


def test_the_dagster_asset_says_unchanged(tmp_path):
    import dagster as dg

    from orchestration.defs.publishing import build_published_asset
    from salesops.settings import Settings

    wh, pub = tmp_path / "wh.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    environ = {"SALESOPS_WAREHOUSE": str(wh), "SALESOPS_PUBLISH_DIR": str(pub),
               "SALESOPS_KEEP_VERSIONS": "2"}
    marts = [dg.AssetKey(["marts", "kpi_demo"]), dg.AssetKey(["marts", "kpi_demo_team"])]
    published_marts = build_published_asset(Settings.from_env(environ), marts, audited=[])

    def materialize() -> dict:
        result = dg.materialize([published_marts], raise_on_error=True)
        [event] = result.asset_materializations_for_node(published_marts.op.name)
        return {k: v.value for k, v in event.metadata.items()}

    first = materialize()
    assert first["unchanged"] is False and first["version"] == current_version(pub)
    second = materialize()
    assert second["unchanged"] is True and second["version"] == first["version"]
    assert second["content_hash"] == first["content_hash"] and len(versions(pub)) == 1
    for won in (2, 3):
        make_warehouse(wh, won)
        assert materialize()["unchanged"] is False
    assert len(versions(pub)) == 2  # SALESOPS_KEEP_VERSIONS
    environ["SALESOPS_KEEP_VERSIONS"] = "none"
    published_marts = build_published_asset(Settings.from_env(environ), marts, audited=[])
    result = dg.materialize([published_marts], raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    error, messages = failure.step_failure_data.error, []
    while error is not None:
        messages.append(error.message)
        error = error.cause
    assert "SALESOPS_KEEP_VERSIONS='none': expected a whole number >= 1" in " ".join(messages)
