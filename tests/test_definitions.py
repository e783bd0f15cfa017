"""The Dagster code location: what it defines (a snapshot, so wiring changes show in review),
and the schedule and sensor evaluated for real."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import dagster as dg
import pytest
from landing_kit import opportunity, write_csv
from ledger_kit import write_ledgers

from orchestration.definitions import build_definitions
from orchestration.defs.automation import build_new_drop_sensor, build_nightly_schedule
from orchestration.defs.constants import PIPELINE_JOB, WAREHOUSE_POOL
from salesops.settings import Settings

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.txt"


@functools.cache
def definitions() -> dg.Definitions:
    """The definitions for the default settings (as the test session's environment has them)."""
    return build_definitions(Settings.from_env())


def nightly_schedule() -> dg.ScheduleDefinition:
    """The schedule for the settings in the environment now (tests set it first)."""
    return build_nightly_schedule(Settings.from_env())


def new_drop_sensor(context: dg.SensorEvaluationContext):
    """The sensor for the settings in the environment now, evaluated."""
    return build_new_drop_sensor(Settings.from_env())(context)


def asset_graph_lines() -> list[str]:
    graph = definitions().resolve_asset_graph()
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        deps = ", ".join(sorted(p.to_user_string() for p in node.parent_keys))
        kind = "materializable" if node.is_materializable else "external"
        if node.partitions_def is not None:
            kind += ", partitioned by drop date"
        lines.append(f"{key.to_user_string()} [{node.group_name}, {kind}] <- {deps}")
    for check in sorted(graph.asset_check_keys, key=lambda c: c.to_user_string()):
        blocking = " (blocking)" if graph.get(check).blocking else ""
        lines.append(f"check {check.to_user_string()}{blocking}")
    return lines


def test_asset_graph_snapshot():
    """Update with SALESOPS_UPDATE_SNAPSHOTS=1 when the wiring changes on purpose."""
    lines = asset_graph_lines()
    if os.environ.get("SALESOPS_UPDATE_SNAPSHOTS") or not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text("\n".join(lines) + "\n")
    assert lines == SNAPSHOT.read_text().splitlines()


def test_the_quality_check_blocks_publishing_and_writers_share_one_pool():
    graph = definitions().resolve_asset_graph()
    gx = [c for c in graph.asset_check_keys if c.name == "gx_fct_opportunities"]
    assert len(gx) == 1 and graph.get(gx[0]).blocking
    publish = graph.get(dg.AssetKey(["published", "salesops"]))
    assert gx[0].asset_key in publish.parent_keys
    assert {"kpi_win_rate", "kpi_win_rate_company"} <= {k.path[-1] for k in publish.parent_keys}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_materializable:
            assert node.pools == {WAREHOUSE_POOL}, key


RANGE = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")


def test_nightly_schedule_catches_up_every_drop_not_yet_done(tmp_path, monkeypatch):
    """The schedule asks the warehouse's ledgers (salesops.pending), as `salesops run` does."""
    schedule = nightly_schedule()
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "UTC"
    assert schedule.job_name == PIPELINE_JOB
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("SALESOPS_LANDING_DIR", str(landing))
    monkeypatch.setenv("SALESOPS_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("SALESOPS_PUBLISH_DIR", str(tmp_path / "published"))
    schedule = nightly_schedule()
    # The context is closed before the instance: each sets Dagster's current defs-state storage
    # and restores the previous one on exit, so closing them out of order (the context only
    # when garbage-collected) would leave a dead instance's storage current for later tests.
    with dg.instance_for_test() as instance, dg.build_schedule_context(instance=instance) as ctx:
        assert schedule.evaluate_tick(ctx).skip_message  # nothing landed yet
        for day in ("2026-01-01", "2026-01-02", "2026-01-03"):
            write_csv(landing, "crm", day, "Opportunity.csv", [opportunity("006000000000001AAA")])
        write_csv(landing, "hr", "2026-01-03", "workers.csv", [])
        write_csv(landing, "crm", "2026-01-04", "Opportunity.csv", [], complete=False)
        [request] = schedule.evaluate_tick(ctx).run_requests
        assert (request.tags[RANGE[0]], request.tags[RANGE[1]]) == ("2026-01-01", "2026-01-03")
        assert request.run_key is None  # a failed night is tried again the next night
        # 2026-01-01 loaded and processed; 2026-01-02 loaded by a run killed before the
        # incremental facts: still to do.
        write_ledgers(warehouse, [("crm", "2026-01-01"), ("crm", "2026-01-02")],
                 [("crm", "2026-01-01")])
        [request] = schedule.evaluate_tick(ctx).run_requests
        assert request.tags[RANGE[0]] == "2026-01-02"
        write_ledgers(warehouse, [("crm", "2026-01-01"), ("crm", "2026-01-02")],
                 [("crm", "2026-01-01"), ("crm", "2026-01-02")])
        [request] = schedule.evaluate_tick(ctx).run_requests
        assert (request.tags[RANGE[0]], request.tags[RANGE[1]]) == ("2026-01-03", "2026-01-03")
        assert request.tags["salesops/new_drops"] == "crm/2026-01-03,hr/2026-01-03"
        # Every drop done, but the warehouse has no published marts (a run stopped before
        # publishing): the schedule rebuilds and publishes over the newest date.
        write_ledgers(warehouse, [("crm", d) for d in ("2026-01-01", "2026-01-02", "2026-01-03")]
                 + [("hr", "2026-01-03")],
                 [("crm", d) for d in ("2026-01-01", "2026-01-02", "2026-01-03")])
        [request] = schedule.evaluate_tick(ctx).run_requests
        assert (request.tags[RANGE[0]], request.tags[RANGE[1]]) == ("2026-01-03", "2026-01-03")


def test_schedule_time_and_timezone_are_configurable():
    environ = {"SALESOPS_NIGHTLY_CRON": "30 5 * * 1-5", "SALESOPS_TIMEZONE": "Europe/Berlin"}
    schedule = build_nightly_schedule(Settings.from_env(environ))
    assert schedule.cron_schedule == "30 5 * * 1-5"
    assert schedule.execution_timezone == "Europe/Berlin"


def test_sensor_requests_one_run_over_the_drops_the_warehouse_lacks(tmp_path, monkeypatch):
    """The sensor has no memory of its own (no cursor): a drop loaded by `salesops run` is not
    pending, so `make ui` after a command-line run starts nothing."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("SALESOPS_LANDING_DIR", str(landing))
    monkeypatch.setenv("SALESOPS_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("SALESOPS_PUBLISH_DIR", str(tmp_path / "published"))
    ctx = dg.build_sensor_context()
    assert isinstance(new_drop_sensor(ctx), dg.SkipReason)
    write_csv(landing, "crm", "2026-01-01", "Opportunity.csv", [opportunity("006000000000001AAA")])
    write_csv(landing, "lms", "2026-01-03", "courses.csv", [])
    write_csv(landing, "crm", "2026-01-04", "Opportunity.csv", [], complete=False)
    first = new_drop_sensor(ctx)
    assert isinstance(first, dg.RunRequest)
    assert first.run_key == "drops:2026-01-01..2026-01-03:crm/2026-01-01,lms/2026-01-03"
    assert (first.tags[RANGE[0]], first.tags[RANGE[1]]) == ("2026-01-01", "2026-01-03")
    # Loaded and processed by a run from the command line:
    write_ledgers(warehouse, [("crm", "2026-01-01"), ("lms", "2026-01-03")],
             [("crm", "2026-01-01"), ("lms", "2026-01-03")])
    skip = new_drop_sensor(dg.build_sensor_context())
    assert isinstance(skip, dg.SkipReason) and "no new drop" in skip.skip_message
    (landing / "crm" / "2026-01-04" / "_SUCCESS").touch()
    second = new_drop_sensor(dg.build_sensor_context())
    assert isinstance(second, dg.RunRequest)
    assert second.run_key == "drops:2026-01-04..2026-01-04:crm/2026-01-04"
    assert (second.tags[RANGE[0]], second.tags[RANGE[1]]) == ("2026-01-04", "2026-01-04")


def test_sensor_skips_while_a_writer_holds_the_warehouse(tmp_path, monkeypatch):
    import duckdb

    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("SALESOPS_LANDING_DIR", str(landing))
    monkeypatch.setenv("SALESOPS_WAREHOUSE", str(warehouse))
    write_csv(landing, "crm", "2026-01-01", "Opportunity.csv", [opportunity("006000000000001AAA")])
    write_ledgers(warehouse, [], [])
    code = f"import duckdb, time; c = duckdb.connect({str(warehouse)!r}); print('ok', flush=True); time.sleep(60)"
    import subprocess
    import sys

    writer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ok"
        skip = new_drop_sensor(dg.build_sensor_context())
        assert isinstance(skip, dg.SkipReason)
        assert "being written by another process" in skip.skip_message
        assert f"PID {writer.pid}" in skip.skip_message
    finally:
        writer.kill()
        writer.wait()
    assert duckdb.connect(str(warehouse), read_only=True) is not None


def test_schedule_and_sensor_skip_with_the_bad_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("SALESOPS_LANDING_DIR", str(tmp_path))
    monkeypatch.setenv("SALESOPS_KEEP_VERSIONS", "abc")
    skip = new_drop_sensor(dg.build_sensor_context())
    assert isinstance(skip, dg.SkipReason)
    assert "SALESOPS_KEEP_VERSIONS='abc'" in skip.skip_message


def test_drop_dates_are_daily_partitions_backfilled_in_one_run():
    graph = definitions().resolve_asset_graph()
    raw = graph.get(dg.AssetKey(["raw", "crm_opportunity"]))
    assert isinstance(raw.partitions_def, dg.DailyPartitionsDefinition)
    assert raw.backfill_policy == dg.BackfillPolicy.single_run()
    published = graph.get(dg.AssetKey(["published", "salesops"]))
    assert published.partitions_def is None  # the marts are whole: they depend on every night


@pytest.mark.parametrize("system", ["crm", "hr", "lms"])
def test_every_contract_file_has_a_raw_asset(system):
    from salesops.contract import files_for

    keys = {k.to_user_string() for k in definitions().resolve_asset_graph().get_all_asset_keys()}
    for spec in files_for(system):
        assert f"raw/{spec.table}" in keys
