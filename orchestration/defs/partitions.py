"""Drop dates as Dagster partitions: the definition, and a run's range of dates both ways.

One partition per drop (extract) date. A date range (a backfill, or the nights a run catches
up on) runs as ONE run: DuckDB has one writer, and dbt's incremental models take the whole
range in one pass.
"""

import datetime as dt

import dagster as dg

from salesops.settings import Settings


def drop_partitions(settings: Settings) -> dg.DailyPartitionsDefinition:
    """One partition per day from SALESOPS_FIRST_DROP_DATE (default 2000-01-01: early enough
    for any real extract, so old history loads unconfigured) to tomorrow (end_offset=1: a drop
    dated today can be loaded today)."""
    return dg.DailyPartitionsDefinition(
        start_date=settings.first_drop_date.isoformat(), end_offset=1)


SINGLE_RUN = dg.BackfillPolicy.single_run()

# The run tags Dagster reads as "this run covers the partitions from .. to" (inclusive).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
# ... and "this run is for one partition".
PARTITION_TAG = "dagster/partition"


def range_tags(first: dt.date, last: dt.date) -> dict[str, str]:
    """Run tags that make a run cover the drop dates first..last (inclusive) in one go."""
    return {RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()}


def run_drop_dates(context: dg.AssetExecutionContext) -> tuple[dt.date, dt.date]:
    """The first and last drop date (inclusive) of a partitioned step's run."""
    window = context.partition_time_window
    return window.start.date(), (window.end - dt.timedelta(days=1)).date()
