"""When the pipeline runs: a nightly schedule and a sensor for new complete drops."""

import json
import os

import dagster as dg

from salesops.ingest.drops import complete_drops
from salesops.settings import Settings

from .constants import PIPELINE_JOB

pipeline_job = dg.define_asset_job(
    PIPELINE_JOB,
    selection=dg.AssetSelection.all(),
    description="Ingest new drops, build the dbt models, run the quality checks, publish.",
)

nightly_schedule = dg.ScheduleDefinition(
    name="nightly",
    job=pipeline_job,
    cron_schedule=os.environ.get("SALESOPS_NIGHTLY_CRON", "0 2 * * *"),
    execution_timezone=os.environ.get("SALESOPS_TIMEZONE", "UTC"),
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The nightly run (SALESOPS_NIGHTLY_CRON, SALESOPS_TIMEZONE).",
)


@dg.sensor(
    name="new_drop_sensor",
    job=pipeline_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a run when a new complete drop (with _SUCCESS) lands.",
)
def new_drop_sensor(context: dg.SensorEvaluationContext):
    landing = Settings.from_env().landing_dir
    seen = set(json.loads(context.cursor)) if context.cursor else set()
    current = {d.key for d in complete_drops(landing)}
    new = sorted(current - seen)
    if not new:
        return dg.SkipReason(f"no new complete drop in {landing}")
    context.update_cursor(json.dumps(sorted(current | seen)))
    return dg.RunRequest(
        run_key="drops:" + ",".join(new), tags={"salesops/new_drops": ",".join(new)[:200]}
    )
