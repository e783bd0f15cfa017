"""Publishing: the audited marts become a new published version, swapped in atomically."""

import os

import dagster as dg

from salesops.publish import DEFAULT_KEEP_VERSIONS, publish
from salesops.settings import Settings

from .constants import WAREHOUSE_POOL
from .dbt import salesops_dbt_assets
from .quality import FCT_OPPORTUNITIES

MART_KEYS = sorted(
    (k for k in salesops_dbt_assets.keys if k.path[-1].startswith("kpi_")),
    key=lambda k: k.to_user_string(),
)


@dg.asset(
    key=dg.AssetKey(["published", "salesops"]),
    deps=[FCT_OPPORTUNITIES, *MART_KEYS],
    group_name="published",
    pool=WAREHOUSE_POOL,
    kinds={"duckdb", "parquet"},
    description="The KPI marts in SALESOPS_PUBLISH_DIR: salesops.duckdb and "
    "parquet/<mart>.parquet, "
    "a new version swapped in atomically once the quality checks passed.",
)
def published_marts(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings = Settings.from_env()
    keep = int(os.environ.get("SALESOPS_KEEP_VERSIONS", DEFAULT_KEEP_VERSIONS))
    result = publish(
        settings.warehouse, settings.publish_dir, run_id=context.run.run_id, keep_versions=keep
    )
    context.log.info(f"published version {result.version} to {result.database}")
    return dg.MaterializeResult(
        metadata={
            "version": result.version,
            "database": dg.MetadataValue.path(str(result.database)),
            "parquet": dg.MetadataValue.path(str(result.parquet_dir)),
            "row_counts": dg.MetadataValue.json(result.row_counts),
            "drop_dates": dg.MetadataValue.json(result.drop_dates),
        }
    )
