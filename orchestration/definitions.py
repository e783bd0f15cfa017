"""The code location: `dagster dev -w workspace.yaml` loads `defs` from here."""

from __future__ import annotations

import dagster as dg

from .defs.alerts import run_failure_sensor
from .defs.automation import new_drop_sensor, nightly_schedule, pipeline_job
from .defs.dbt import dbt_asset_defs, dbt_resource
from .defs.freshness import freshness_checks, freshness_sensor
from .defs.ingestion import ingestion_assets, ledger_specs
from .defs.publishing import published_marts
from .defs.quality import quality_checks
from .defs.run_logging import salesops_run_logger

defs = dg.Definitions(
    assets=[*ingestion_assets, *ledger_specs, *dbt_asset_defs, published_marts],
    asset_checks=[*quality_checks, *freshness_checks],
    jobs=[pipeline_job],
    schedules=[nightly_schedule],
    sensors=[new_drop_sensor, run_failure_sensor, freshness_sensor],
    resources={"dbt": dbt_resource},
    # `salesops run` logs to a file and draws progress (run_logging.py); UI runs use the console.
    loggers={"console": dg.colored_console_logger, "salesops_run": salesops_run_logger},
    # DuckDB allows one writing process: the steps of a run go one after another in one process,
    # and the pool `duckdb_warehouse` (config/dagster.yaml) queues the writers of other runs.
    executor=dg.in_process_executor,
)
