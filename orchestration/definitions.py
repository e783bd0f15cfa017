"""The code location: `dagster dev -w workspace.yaml` loads `defs` from here.

Nothing is built when this module is imported: `defs` is called when the location loads, reads
the settings once (salesops.settings.Settings, the one reader of the environment) and builds
every definition for them (`build_definitions`). Tests and `salesops run` call
`build_definitions` with the Settings they have.
"""

from __future__ import annotations

import dagster as dg

from salesops.settings import Settings

from .defs.alerts import build_run_failure_sensor
from .defs.automation import build_new_drop_sensor, build_nightly_schedule, pipeline_job
from .defs.dashboard import build_dashboard_asset
from .defs.dbt import (
    asset_key_for_model,
    build_dbt_assets,
    build_dbt_resource,
    published_mart_keys,
)
from .defs.freshness import build_freshness_checks, build_freshness_sensor, freshness_max_lag
from .defs.ingestion import build_ingestion_assets, ledger_specs
from .defs.partitions import drop_partitions
from .defs.publishing import build_published_asset
from .defs.quality import build_quality_checks
from .defs.run_logging import salesops_run_logger
from .defs.settings_check import report_load_problems


def build_definitions(settings: Settings) -> dg.Definitions:
    """Every asset, check, job, schedule and sensor, for `settings`."""
    report_load_problems(settings)  # a bad value: logged once; each step refuses to run
    partitions = drop_partitions(settings)
    dbt_models, dbt_incremental = build_dbt_assets(settings, partitions)
    marts = published_mart_keys(dbt_models)
    published = build_published_asset(
        settings, marts, audited=[asset_key_for_model(dbt_models, "fct_opportunities")])
    freshness_checks = build_freshness_checks(freshness_max_lag(settings),
                                              [published.key, *marts])
    return dg.Definitions(
        assets=[*build_ingestion_assets(settings, partitions), *ledger_specs, dbt_models,
                dbt_incremental, published, build_dashboard_asset(settings)],
        asset_checks=[*build_quality_checks(settings, dbt_models), *freshness_checks],
        jobs=[pipeline_job],
        schedules=[build_nightly_schedule(settings)],
        sensors=[build_new_drop_sensor(settings), build_run_failure_sensor(settings),
                 build_freshness_sensor(freshness_checks)],
        resources={"dbt": build_dbt_resource(settings)},
        # `salesops run` logs to a file and draws progress (run_logging.py); UI runs use the
        # console.
        loggers={"console": dg.colored_console_logger, "salesops_run": salesops_run_logger},
        # DuckDB allows one writing process: the steps of a run go one after another in one
        # process, and the pool `duckdb_warehouse` (config/dagster.yaml) queues the writers of
        # other runs.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    """The definitions for the settings in the environment, read when the location loads."""
    return build_definitions(Settings.from_env())
