"""When the pipeline runs: a nightly schedule and a sensor for new complete drops.

Both ask for ONE run over the range of drop dates that have a complete drop not yet ingested
(partition range tags; the partitioned assets have a single-run backfill policy). Drops already
loaded inside the range are skipped by ingestion, so a range is always safe to run again.
"""

import datetime as dt
import json
import os

import dagster as dg

from salesops.contract import SYSTEMS
from salesops.ingest.drops import complete_drops
from salesops.settings import Settings

from .constants import PIPELINE_JOB
from .dbt import salesops_dbt_incremental_assets
from .ingestion import first_raw_key
from .partitions import range_tags

pipeline_job = dg.define_asset_job(
    PIPELINE_JOB,
    selection=dg.AssetSelection.all(),
    description="Ingest the drops of the run's dates, build the dbt models (incremental facts "
    "for those dates), run the quality checks, publish.",
)

# One asset of the incremental dbt facts: its partitions say which drop dates dbt processed.
INCREMENTAL_KEY = next(iter(salesops_dbt_incremental_assets.keys))


def unloaded_drop_dates(instance: dg.DagsterInstance, landing) -> dict[str, list[dt.date]]:
    """Per system, the dates of complete drops whose ingestion partition isn't materialized."""
    out: dict[str, list[dt.date]] = {}
    by_system: dict[str, set[dt.date]] = {}
    for drop in complete_drops(landing):
        by_system.setdefault(drop.system, set()).add(drop.date)
    for system in SYSTEMS:
        dates = by_system.get(system, set())
        if not dates:
            continue
        # A date is done when its raw partition AND the incremental facts' partition were
        # materialized: a run killed after ingestion left the facts to do.
        done = instance.get_materialized_partitions(first_raw_key(system))
        done &= instance.get_materialized_partitions(INCREMENTAL_KEY)
        todo = sorted(d for d in dates if d.isoformat() not in done)
        if todo:
            out[system] = todo
    return out


def catch_up_request(instance: dg.DagsterInstance, landing, source: str):
    todo = unloaded_drop_dates(instance, landing)
    if not todo:
        return None
    dates = sorted({d for ds in todo.values() for d in ds})
    first, last = dates[0], dates[-1]
    drops = ",".join(f"{s}/{d.isoformat()}" for s, ds in sorted(todo.items()) for d in ds)
    return dg.RunRequest(
        run_key=f"{source}:{first}..{last}:{len(dates)}",
        tags={**range_tags(first, last), "salesops/new_drops": drops[:200]},
    )


@dg.schedule(
    name="nightly",
    job=pipeline_job,
    cron_schedule=os.environ.get("SALESOPS_NIGHTLY_CRON", "0 2 * * *"),
    execution_timezone=os.environ.get("SALESOPS_TIMEZONE", "UTC"),
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The nightly run (SALESOPS_NIGHTLY_CRON, SALESOPS_TIMEZONE): one run over the "
    "dates of every complete drop not yet ingested (a missed night is caught up).",
)
def nightly_schedule(context: dg.ScheduleEvaluationContext):
    landing = Settings.from_env().landing_dir
    request = catch_up_request(context.instance, landing, "nightly")
    if request is None:
        return dg.SkipReason(f"no complete drop in {landing} waits to be ingested")
    return request


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
    dates = sorted({dt.date.fromisoformat(key.split("/")[1]) for key in new})
    return dg.RunRequest(
        run_key="drops:" + ",".join(new),
        tags={**range_tags(dates[0], dates[-1]), "salesops/new_drops": ",".join(new)[:200]},
    )
