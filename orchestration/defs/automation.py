"""When the pipeline runs: a nightly schedule and a sensor for new complete drops.

Both ask `salesops.pending.pending_work` (the warehouse's ledgers, the same answer `salesops run`
gets) and request ONE run over the range of drop dates still to do (partition range tags; the
partitioned assets have a single-run backfill policy). With nothing pending they skip, so opening
the UI after a command-line run starts nothing. Drops already loaded inside the range are skipped
by ingestion, so a range is always safe to run again.
"""

from __future__ import annotations

import dagster as dg

from salesops.pending import PendingWork, WarehouseBusy, pending_work
from salesops.settings import Settings, settings_problems

from .alerts import NEW_DROPS_TAG
from .constants import PIPELINE_JOB
from .partitions import range_tags
from .settings_check import problems_text

pipeline_job = dg.define_asset_job(
    PIPELINE_JOB,
    selection=dg.AssetSelection.all(),
    description="Ingest the drops of the run's dates, build the dbt models (incremental facts "
    "for those dates), run the quality checks, publish.",
)

def catch_up_request(settings: Settings, source: str) -> dg.RunRequest | dg.SkipReason:
    """One run over what is pending on `settings`' warehouse, or the reason there is none."""
    problems = settings_problems(settings.env)
    if problems:
        return dg.SkipReason(problems_text(problems))
    try:
        work: PendingWork = pending_work(settings)
    except WarehouseBusy as exc:
        return dg.SkipReason(f"{exc}; trying again at the next evaluation")
    drops_only = source == "drops"  # the sensor reacts to drops; the schedule also republishes
    date_range = work.date_range(drops_only)
    if date_range is None:
        return dg.SkipReason(f"{work.describe(drops_only)} ({settings.landing_dir})")
    first, last = date_range
    drops = ",".join(d.key for d in work.drops)
    return dg.RunRequest(
        # The sensor never starts two runs for the same pending drops (a new drop makes a new
        # key); the schedule has no key, so a night that failed is tried again the next night.
        run_key=f"{source}:{first}..{last}:{drops}"[:400] if drops_only else None,
        tags={**range_tags(first, last), **({NEW_DROPS_TAG: drops[:200]} if drops else {})},
    )


def build_nightly_schedule(settings: Settings) -> dg.ScheduleDefinition:
    """The nightly schedule at SALESOPS_NIGHTLY_CRON in SALESOPS_TIMEZONE (their defaults when
    a value is bad: the location still loads; settings_check says so)."""

    @dg.schedule(
        name="nightly",
        job=pipeline_job,
        cron_schedule=settings.nightly_cron,
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="The nightly run (SALESOPS_NIGHTLY_CRON, SALESOPS_TIMEZONE): one run over "
        "the drops still to do by the warehouse's ledgers (a missed night is caught up).",
    )
    def nightly_schedule(context: dg.ScheduleEvaluationContext):
        return catch_up_request(settings, "nightly")

    return nightly_schedule


def build_new_drop_sensor(settings: Settings) -> dg.SensorDefinition:
    """A run when a complete drop lands that the warehouse of `settings` hasn't loaded."""

    @dg.sensor(
        name="new_drop_sensor",
        job=pipeline_job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Starts a run when a complete drop (with _SUCCESS) is not yet loaded into "
        "the warehouse (its ledgers, as `salesops run` reads them).",
    )
    def new_drop_sensor(context: dg.SensorEvaluationContext):
        return catch_up_request(settings, "drops")

    return new_drop_sensor
