"""End to end: generated landing drops -> Dagster run (ingest, dbt build, GX gate) -> published marts.

One landing folder and one warehouse for the module; the tests run in order and each leaves the
pipeline in a state the next can build on (as nights do).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import recompute
from landing_kit import opportunity, write_csv
from pipeline_env import pipeline_env

from orchestration.defs.dbt import ensure_manifest
from orchestration.in_process import execute_pipeline, pipeline_outcome, run_pipeline
from salesops.generator import generate
from salesops.quality.catalog import discover
from salesops.settings import Settings

pytestmark = pytest.mark.slow

MARTS = ("kpi_win_rate", "kpi_win_rate_team", "kpi_win_rate_region", "kpi_win_rate_company")
MEASURES = ("won_count", "lost_count", "won_amount", "lost_amount", "win_rate_count",
            "win_rate_amount")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    paths = {
        "SALESOPS_LANDING_DIR": root / "landing",
        "SALESOPS_WAREHOUSE": root / "warehouse.duckdb",
        "SALESOPS_PUBLISH_DIR": root / "published",
    }
    generate("tiny", paths["SALESOPS_LANDING_DIR"], seed=7)
    with pipeline_env(*paths.values()):
        yield {k.removeprefix("SALESOPS_").lower(): v for k, v in paths.items()}


def published(env, sql: str) -> list[tuple]:
    con = duckdb.connect(str(env["publish_dir"] / "salesops.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def snapshot(env) -> dict[str, list[tuple]]:
    return {m: published(env, f"select * from {m} order by all") for m in MARTS}


def fingerprint(publish_dir: Path) -> dict[str, str]:
    """sha256 of every published file BI tools read (the database and the current parquet)."""
    files = [publish_dir / "salesops.duckdb", *sorted((publish_dir / "parquet").glob("*.parquet"))]
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def test_full_run_publishes_the_win_rate_marts(env):
    result = execute_pipeline()
    ok, reasons = pipeline_outcome(result)
    assert ok, reasons
    assert_every_suite_ran_as_a_passing_check(result)
    # All the drop dates were one run (a single-run backfill over the partition range).
    drop_dates = sorted({p.name for p in env["landing_dir"].glob("*/*") if (p / "_SUCCESS").exists()})
    assert result.dagster_run.tags["dagster/asset_partition_range_start"] == drop_dates[0]
    assert result.dagster_run.tags["dagster/asset_partition_range_end"] == drop_dates[-1]
    raw_partitions = {
        e.partition for e in result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key.path == ["raw", "crm_opportunity"]
    }
    assert raw_partitions == set(drop_dates)
    pub = env["publish_dir"]
    tables = {r[0] for r in published(env, "select table_name from information_schema.tables")}
    assert set(MARTS) | {"publish_log"} <= tables
    for mart in MARTS:
        assert (pub / "parquet" / f"{mart}.parquet").is_file()
        n = published(env, f"select count(*) from {mart}")[0][0]
        assert n > 0
        # the parquet file holds the same rows as the database
        con = duckdb.connect()
        assert con.execute(f"select count(*) from '{pub / 'parquet' / mart}.parquet'").fetchone()[0] == n
    # exactly the dbt models tagged `published` are published, as the dbt step recorded them
    tagged = sorted(n["name"] for n in json.loads(ensure_manifest(Settings.from_env()).read_text())["nodes"].values()
                    if n["resource_type"] == "model" and "published" in n["tags"])
    con = duckdb.connect(str(env["warehouse"]), read_only=True)
    try:
        recorded = [r[0] for r in con.execute(
            "select model from ops.published_marts order by 1").fetchall()]
    finally:
        con.close()
    assert len(tagged) > len(MARTS) and recorded == tagged == sorted(tables - {"publish_log"})
    log = published(env, "select version, drop_dates, row_counts from publish_log")
    assert len(log) == 1
    assert "2026-10-31" in json.loads(log[0][1])["crm"]
    assert json.loads(log[0][2])["kpi_win_rate"] == published(env, "select count(*) from kpi_win_rate")[0][0]


def check_evaluations(result) -> dict[str, object]:
    return {
        e.event_specific_data.check_name: e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.event_specific_data.check_name.startswith("gx_")
    }


def assert_every_suite_ran_as_a_passing_check(result) -> None:
    """One asset check per suite, each passed, with one outcome row per expectation, failing
    counts, and the path of the run's Data Docs site."""
    suites = discover(Path(__file__).parent.parent / "expectations")
    evaluations = check_evaluations(result)
    assert set(evaluations) == {s.check_name for s in suites}
    for suite in suites:
        ev = evaluations[suite.check_name]
        meta = ev.metadata
        n_expectations = len(json.loads(suite.path.read_text())["expectations"])
        assert ev.passed, (suite.check_name, ev.description)
        assert meta["expectations"].value == n_expectations
        assert len(meta["outcomes"].value.records) == n_expectations
        assert meta["failed_errors"].value == 0 and meta["failed_warnings"].value == 0
        docs = Path(meta["data_docs"].value)
        assert docs.name == "index.html" and docs.is_file()
        assert suite.name in docs.read_text() or any(docs.parent.rglob(f"*{suite.name}*"))


def test_win_rate_matches_an_independent_recomputation_from_the_landing_files(env):
    expected = recompute.win_rate_by_rep_month(env["landing_dir"])
    got = {
        (r[0], r[1]): dict(zip(MEASURES, r[2:], strict=True))
        for r in published(env, f"select month, rep_email, {', '.join(MEASURES)} from kpi_win_rate")
    }
    assert set(got) == set(expected)
    for key, want in expected.items():
        for measure in MEASURES:
            assert close(got[key][measure], want[measure]), (key, measure, got[key], want)
    company = recompute.company_rollup(expected)
    got_company = {r[0]: dict(zip(MEASURES, r[1:], strict=True)) for r in published(
        env, f"select month, {', '.join(MEASURES)} from kpi_win_rate_company")}
    assert set(got_company) == set(company)
    for month, want in company.items():
        for measure in MEASURES:
            assert close(got_company[month][measure], want[measure]), (month, measure)


def test_rollups_add_up_to_the_company(env):
    for grain in ("kpi_win_rate", "kpi_win_rate_team", "kpi_win_rate_region"):
        diff = published(env, f"""
            select count(*) from (
                select month, sum(won_count) w, sum(lost_count) l,
                       round(sum(won_amount), 4) wa, round(sum(lost_amount), 4) la
                from {grain} group by month
            ) g full outer join kpi_win_rate_company c using (month)
            where g.w is distinct from c.won_count or g.l is distinct from c.lost_count
               or g.wa is distinct from round(c.won_amount, 4)
               or g.la is distinct from round(c.lost_amount, 4)""")
        assert diff == [(0,)], grain


def test_rerunning_one_old_partition_recomputes_only_what_depends_on_it(env):
    drop_dates = sorted({p.name for p in env["landing_dir"].glob("*/*") if (p / "_SUCCESS").exists()})
    old = drop_dates[1]
    before = snapshot(env)
    files_before = fingerprint(env["publish_dir"])
    day = datetime.date.fromisoformat(old)
    result = execute_pipeline(date_range=(day, day))
    ok, reasons = pipeline_outcome(result)
    assert ok, reasons
    materialized = [e for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"]
    partitioned = {e.partition for e in materialized if e.partition is not None}
    assert partitioned == {old}  # no other night was touched
    keys = {e.asset_key.to_user_string() for e in materialized}
    assert {"raw/crm_opportunity", "marts/kpi_win_rate", "published/salesops"} <= keys
    # Re-running a night that was already loaded changes nothing published: same content, so
    # no new version, every published byte as it was.
    assert snapshot(env) == before
    assert len(published(env, "select * from publish_log")) == 1
    assert fingerprint(env["publish_dir"]) == files_before


def test_a_redelivered_drop_changes_no_published_number(env):
    before = snapshot(env)
    crm = env["landing_dir"] / "crm"
    last = sorted(p for p in crm.iterdir())[-1]
    copy = last.parent / ("." + last.name)
    shutil.copytree(last, copy)
    shutil.rmtree(last)
    copy.rename(last)  # the same drop, delivered again
    ok, reasons = run_pipeline()
    assert ok, reasons
    assert snapshot(env) == before


def _next_date(env) -> str:
    import datetime as dt

    last = max(p.name for p in (env["landing_dir"] / "crm").iterdir())
    return (dt.date.fromisoformat(last) + dt.timedelta(days=1)).isoformat()


def test_a_drop_missing_stagename_fails_the_run_and_leaves_the_published_files(env):
    before = fingerprint(env["publish_dir"])
    date = _next_date(env)
    header = [c for c in opportunity("x") if c != "StageName"]
    write_csv(env["landing_dir"], "crm", date, "Opportunity.csv",
              [opportunity("006000000000999AAA")], header=header)
    proc = subprocess.run([sys.executable, "-m", "salesops_cli", "run"], capture_output=True,
                          text=True, env=os.environ.copy(), timeout=600)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"crm/{date}/Opportunity.csv" in proc.stderr
    assert "missing required column 'StageName'" in proc.stderr
    assert fingerprint(env["publish_dir"]) == before
    shutil.rmtree(env["landing_dir"] / "crm" / date)


@contextlib.contextmanager
def suites_failing_on_any_data(tmp_path: Path, severity: str):
    """The project's suites, with one more expectation of `severity` in fct_opportunities' that
    fails on any data, as SALESOPS_EXPECTATIONS_DIR for the block."""
    expectations = tmp_path / "expectations"
    shutil.copytree(Path(__file__).parent.parent / "expectations", expectations)
    suite_file = expectations / "marts" / "fct_opportunities.json"
    suite = json.loads(suite_file.read_text())
    suite["expectations"].append({
        "type": "expect_table_row_count_to_be_between",
        "kwargs": {"min_value": 0, "max_value": 0},
        "meta": {"severity": severity, "notes": "test: fails on any data"},
    })
    suite_file.write_text(json.dumps(suite))
    os.environ["SALESOPS_EXPECTATIONS_DIR"] = str(expectations)
    try:
        yield
    finally:
        os.environ.pop("SALESOPS_EXPECTATIONS_DIR")


def test_a_failing_quality_check_stops_publishing(env, tmp_path):
    before = fingerprint(env["publish_dir"])
    log_before = published(env, "select * from publish_log")
    with suites_failing_on_any_data(tmp_path, "error"):
        ok, reasons = run_pipeline()
    assert not ok
    assert any("gx_fct_opportunities" in r for r in reasons), reasons
    assert fingerprint(env["publish_dir"]) == before
    assert published(env, "select * from publish_log") == log_before


def test_a_failing_warning_is_reported_and_does_not_block_publishing(env, tmp_path):
    with suites_failing_on_any_data(tmp_path, "warning"):
        result = execute_pipeline()
    ok, reasons = pipeline_outcome(result)
    assert ok, reasons
    ev = check_evaluations(result)["gx_fct_opportunities"]
    assert not ev.passed and ev.severity.value == "WARN"
    assert ev.metadata["failed_warnings"].value == 1 and ev.metadata["failed_errors"].value == 0
    failed = ev.metadata["failed: expect_table_row_count_to_be_between"].value
    assert failed["severity"] == "warning"
    published_steps = [e for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"
                       and e.asset_key.path[0] == "published"]
    assert len(published_steps) == 1
