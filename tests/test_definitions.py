"""The Dagster code location: what it defines (a snapshot, so wiring changes show in review),
and the schedule and sensor evaluated for real."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest
from landing_kit import opportunity, write_csv

from orchestration.definitions import defs
from orchestration.defs.automation import new_drop_sensor, nightly_schedule
from orchestration.defs.constants import PIPELINE_JOB, WAREHOUSE_POOL

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.txt"


def asset_graph_lines() -> list[str]:
    graph = defs.resolve_asset_graph()
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
    graph = defs.resolve_asset_graph()
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


def test_nightly_schedule_catches_up_every_drop_not_yet_ingested(tmp_path, monkeypatch):
    assert nightly_schedule.cron_schedule == "0 2 * * *"
    assert nightly_schedule.execution_timezone == "UTC"
    assert nightly_schedule.job_name == PIPELINE_JOB
    landing = tmp_path / "landing"
    monkeypatch.setenv("SALESOPS_LANDING_DIR", str(landing))
    with dg.instance_for_test() as instance:
        ctx = dg.build_schedule_context(instance=instance)
        assert nightly_schedule.evaluate_tick(ctx).skip_message  # nothing landed yet
        for day in ("2026-01-01", "2026-01-02", "2026-01-03"):
            write_csv(landing, "crm", day, "Opportunity.csv", [opportunity("006000000000001AAA")])
        write_csv(landing, "hr", "2026-01-03", "workers.csv", [])
        write_csv(landing, "crm", "2026-01-04", "Opportunity.csv", [], complete=False)
        [request] = nightly_schedule.evaluate_tick(ctx).run_requests
        assert (request.tags[RANGE[0]], request.tags[RANGE[1]]) == ("2026-01-01", "2026-01-03")
        # Once the first two nights are ingested and processed, only the third is asked for.
        from orchestration.defs.automation import INCREMENTAL_KEY

        processed = [dg.AssetKey(["raw", "crm_user"]), INCREMENTAL_KEY]
        for key in processed:
            instance.report_runless_asset_event(dg.AssetMaterialization(key, partition="2026-01-01"))
        # 2026-01-02 was ingested by a run killed before the incremental facts: still to do
        instance.report_runless_asset_event(
            dg.AssetMaterialization(dg.AssetKey(["raw", "crm_user"]), partition="2026-01-02"))
        [request] = nightly_schedule.evaluate_tick(ctx).run_requests
        assert request.tags[RANGE[0]] == "2026-01-02"
        for key in processed:
            instance.report_runless_asset_event(dg.AssetMaterialization(key, partition="2026-01-02"))
        [request] = nightly_schedule.evaluate_tick(ctx).run_requests
        assert (request.tags[RANGE[0]], request.tags[RANGE[1]]) == ("2026-01-03", "2026-01-03")
        assert "crm/2026-01-03" in request.tags["salesops/new_drops"]
        assert "hr/2026-01-03" in request.tags["salesops/new_drops"]


def test_schedule_time_and_timezone_are_configurable(monkeypatch):
    import importlib

    import orchestration.defs.automation as automation

    monkeypatch.setenv("SALESOPS_NIGHTLY_CRON", "30 5 * * 1-5")
    monkeypatch.setenv("SALESOPS_TIMEZONE", "Europe/Berlin")
    try:
        reloaded = importlib.reload(automation)
        assert reloaded.nightly_schedule.cron_schedule == "30 5 * * 1-5"
        assert reloaded.nightly_schedule.execution_timezone == "Europe/Berlin"
    finally:
        monkeypatch.undo()
        importlib.reload(automation)


def test_sensor_requests_one_run_over_the_new_complete_drops(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    monkeypatch.setenv("SALESOPS_LANDING_DIR", str(landing))
    ctx = dg.build_sensor_context()
    assert isinstance(new_drop_sensor(ctx), dg.SkipReason)
    write_csv(landing, "crm", "2026-01-01", "Opportunity.csv", [opportunity("006000000000001AAA")])
    write_csv(landing, "lms", "2026-01-03", "courses.csv", [])
    write_csv(landing, "crm", "2026-01-04", "Opportunity.csv", [], complete=False)
    first = new_drop_sensor(ctx)
    assert isinstance(first, dg.RunRequest)
    assert first.run_key == "drops:crm/2026-01-01,lms/2026-01-03"
    assert (first.tags[RANGE[0]], first.tags[RANGE[1]]) == ("2026-01-01", "2026-01-03")
    ctx = dg.build_sensor_context(cursor=ctx.cursor)
    assert isinstance(new_drop_sensor(ctx), dg.SkipReason)
    (landing / "crm" / "2026-01-04" / "_SUCCESS").touch()
    second = new_drop_sensor(dg.build_sensor_context(cursor=ctx.cursor))
    assert isinstance(second, dg.RunRequest) and second.run_key == "drops:crm/2026-01-04"
    assert (second.tags[RANGE[0]], second.tags[RANGE[1]]) == ("2026-01-04", "2026-01-04")


def test_drop_dates_are_daily_partitions_backfilled_in_one_run():
    graph = defs.resolve_asset_graph()
    raw = graph.get(dg.AssetKey(["raw", "crm_opportunity"]))
    assert isinstance(raw.partitions_def, dg.DailyPartitionsDefinition)
    assert raw.backfill_policy == dg.BackfillPolicy.single_run()
    published = graph.get(dg.AssetKey(["published", "salesops"]))
    assert published.partitions_def is None  # the marts are whole: they depend on every night


@pytest.mark.parametrize("system", ["crm", "hr", "lms"])
def test_every_contract_file_has_a_raw_asset(system):
    from salesops.contract import files_for

    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    for spec in files_for(system):
        assert f"raw/{spec.table}" in keys
