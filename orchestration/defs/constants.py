"""Names shared by the definitions."""

import os

import dagster as dg

# Every asset that writes (or must not overlap a write to) the DuckDB warehouse runs in this
# Dagster concurrency pool; its limit of 1 (config/dagster.yaml) makes runs queue, not collide.
WAREHOUSE_POOL = "duckdb_warehouse"
PIPELINE_JOB = "salesops_pipeline"

FIRST_DROP_DATE = os.environ.get("SALESOPS_FIRST_DROP_DATE", "2024-01-01")
"""The first day a drop can be dated (the partitions start here): SALESOPS_FIRST_DROP_DATE."""

# One partition per drop (extract) date. end_offset=1: a drop dated today can be loaded today.
DROP_PARTITIONS = dg.DailyPartitionsDefinition(start_date=FIRST_DROP_DATE, end_offset=1)
# A date range (a backfill, or the nights a run catches up on) runs as ONE run: DuckDB has one
# writer, and dbt's incremental models take the whole range in one pass.
SINGLE_RUN = dg.BackfillPolicy.single_run()
