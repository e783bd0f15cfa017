"""Freshness checks on what BI tools read: `published/salesops` and every KPI mart, judged
against SALESOPS_FRESHNESS_HOURS (default 26), run for real in an ephemeral instance."""

from __future__ import annotations

import datetime as dt
import time

import dagster as dg

from orchestration.defs.freshness import (
    DEFAULT_FRESHNESS_HOURS,
    FRESHNESS_SENSOR_NAME,
    build_freshness_checks,
    build_freshness_sensor,
    freshness_max_lag,
)
from salesops.settings import Settings, settings_problems

PUBLISHED = dg.AssetKey(["published", "salesops"])
# What the checks are built on (the location passes the published marts' keys); the names
# don't matter to the checks.
FRESHNESS_ASSET_KEYS = [PUBLISHED, *(dg.AssetKey(["marts", f"kpi_{n}"]) for n in "abc")]
freshness_checks = build_freshness_checks(
    freshness_max_lag(Settings.from_env({})), FRESHNESS_ASSET_KEYS)
freshness_sensor = build_freshness_sensor(freshness_checks)


def test_every_kpi_mart_and_the_published_marts_have_a_registered_freshness_check():
    from orchestration.definitions import defs

    loaded = defs()
    graph = loaded.resolve_asset_graph()
    kpi_marts = {k for k in graph.get_all_asset_keys() if k.path[-1].startswith("kpi_")}
    assert len(kpi_marts) >= 50
    checked = {c.asset_key for c in graph.asset_check_keys if c.name == "freshness_check"}
    assert checked == kpi_marts | {PUBLISHED}
    for key in checked:
        assert not graph.get(dg.AssetCheckKey(key, "freshness_check")).blocking
    [sensor] = [s for s in loaded.sensors if s.name == FRESHNESS_SENSOR_NAME]
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_the_allowed_lag_comes_from_the_settings():
    def lag(value: str | None) -> dt.timedelta:
        environ = {} if value is None else {"SALESOPS_FRESHNESS_HOURS": value}
        return freshness_max_lag(Settings.from_env(environ))

    assert lag(None) == dt.timedelta(hours=DEFAULT_FRESHNESS_HOURS) == dt.timedelta(hours=26)
    assert lag("6") == dt.timedelta(hours=6)
    assert lag(" 1.5 ") == dt.timedelta(minutes=90)
    for bad in ("0", "-3", "abc", "nan", "inf"):  # reported up front; the default meanwhile
        [problem] = settings_problems({"SALESOPS_FRESHNESS_HOURS": bad})
        assert problem.startswith(f"SALESOPS_FRESHNESS_HOURS={bad!r}")
        assert lag(bad) == dt.timedelta(hours=26)


def run_freshness_checks(instance: dg.DagsterInstance) -> dict[dg.AssetKey, object]:
    """Execute the registered checks (and nothing else) against the instance's records."""
    result = dg.materialize(
        [*(dg.AssetSpec(k) for k in FRESHNESS_ASSET_KEYS), *freshness_checks],
        instance=instance,
        selection=dg.AssetSelection.checks(*freshness_checks),
    )
    return {e.asset_key: e for e in result.get_asset_check_evaluations()}


def test_a_mart_updated_now_is_fresh_one_updated_27_hours_ago_is_stale():
    fresh_mart, stale_mart, never_mart = FRESHNESS_ASSET_KEYS[1:4]
    instance = dg.DagsterInstance.ephemeral()
    # Before any run, the sensor asks for every check.
    request = freshness_sensor(dg.build_sensor_context(instance=instance))
    assert isinstance(request, dg.RunRequest)
    assert len(request.asset_check_keys) == len(FRESHNESS_ASSET_KEYS)

    instance.report_runless_asset_event(dg.AssetMaterialization(PUBLISHED))
    instance.report_runless_asset_event(dg.AssetMaterialization(fresh_mart))
    # A materialization whose data was last updated 27 hours ago (Dagster's own metadata key for
    # the update time, read by the check instead of the record's time).
    instance.report_runless_asset_event(dg.AssetMaterialization(
        stale_mart,
        metadata={"dagster/last_updated_timestamp":
                  dg.MetadataValue.timestamp(time.time() - 27 * 3600)},
    ))
    results = run_freshness_checks(instance)

    assert set(results) == set(FRESHNESS_ASSET_KEYS)
    assert results[PUBLISHED].passed and results[fresh_mart].passed
    assert results[PUBLISHED].severity == dg.AssetCheckSeverity.WARN
    assert not results[stale_mart].passed
    assert "overdue" in results[stale_mart].description
    assert not results[never_mart].passed
    assert "never" in results[never_mart].description

    # Updated again: fresh again.
    instance.report_runless_asset_event(dg.AssetMaterialization(stale_mart))
    assert run_freshness_checks(instance)[stale_mart].passed
