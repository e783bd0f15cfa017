"""Publishing: the audited marts become a new published version, swapped in atomically.

When the marts' content equals the current version's (nothing new loaded), nothing is written:
the materialization says `unchanged: true` with the version that stays current, and its data
version is the content hash either way.
"""

import time

import dagster as dg

from salesops.publish import publish
from salesops.settings import Settings

from .constants import WAREHOUSE_POOL
from .settings_check import require_valid_settings

PUBLISHED_KEY = dg.AssetKey(["published", "salesops"])


def build_published_asset(settings: Settings, mart_keys: list[dg.AssetKey],
                          audited: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """The published marts (`mart_keys`: the dbt models tagged `published`), downstream of them
    and of `audited` (further assets whose blocking checks must pass first)."""

    @dg.asset(
        key=PUBLISHED_KEY,
        deps=[*audited, *mart_keys],
        group_name="published",
        pool=WAREHOUSE_POOL,
        kinds={"duckdb", "parquet"},
        description="The KPI marts in SALESOPS_PUBLISH_DIR: salesops.duckdb and "
        "parquet/<mart>.parquet, "
        "a new version swapped in atomically once the quality checks passed; "
        "unchanged marts publish nothing (metadata unchanged=true).",
    )
    def published_marts(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        return publish_marts(context, settings, len(mart_keys))

    return published_marts


def publish_marts(context: dg.AssetExecutionContext, settings: Settings,
                  marts: int) -> dg.MaterializeResult:
    """Publish the warehouse's marts of `settings` (see salesops.publish) and describe it."""
    require_valid_settings(settings)  # a bad SALESOPS_KEEP_VERSIONS (or any): before any work
    keep = settings.keep_versions
    context.log.info(
        f"publishing {marts} marts from {settings.warehouse} to {settings.publish_dir}"
    )
    started = time.perf_counter()
    result = publish(
        settings.warehouse, settings.publish_dir, run_id=context.run.run_id, keep_versions=keep
    )
    seconds = time.perf_counter() - started
    metadata = {
        "unchanged": not result.published,
        "version": result.version,
        "content_hash": result.content_hash,
        "database": dg.MetadataValue.path(str(result.database)),
        "parquet": dg.MetadataValue.path(str(result.parquet_dir)),
        "row_counts": dg.MetadataValue.json(result.row_counts),
        "newest_drop_dates": dg.MetadataValue.json(result.newest_drop_dates),
    }
    for warning in result.warnings:
        context.log.warning(warning)
    rows = sum(result.row_counts.values())
    if result.published:
        rate = f"{rows / seconds:,.0f} rows/s" if seconds > 0 else "- rows/s"
        context.log.info(
            f"published version {result.version} to {result.database}: "
            f"{len(result.row_counts)} marts, {rows:,} rows in {seconds:.1f} s ({rate})"
        )
        drops_loaded = {system: len(dates) for system, dates in result.drop_dates.items()}
        metadata["drops_loaded"] = dg.MetadataValue.json(drops_loaded)
    else:
        context.log.info(
            f"the marts are unchanged: version {result.version} stays current, nothing written "
            f"({len(result.row_counts)} marts, {rows:,} rows compared in {seconds:.1f} s)"
        )
    return dg.MaterializeResult(
        metadata=metadata, data_version=dg.DataVersion(result.content_hash)
    )
