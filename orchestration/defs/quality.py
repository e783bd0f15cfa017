"""The quality gate: Great Expectations suites run as SQL in DuckDB, as blocking asset checks."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from salesops.settings import Settings

from .constants import WAREHOUSE_POOL
from .dbt import salesops_dbt_assets

FCT_OPPORTUNITIES = get_asset_key_for_model([salesops_dbt_assets], "fct_opportunities")


@dg.asset_check(
    asset=FCT_OPPORTUNITIES,
    name="gx_fct_opportunities",
    blocking=True,
    pool=WAREHOUSE_POOL,
    description="Great Expectations suite expectations/fct_opportunities.json, run as SQL inside "
    "DuckDB. An error-severity failure blocks publishing; warnings don't.",
)
def gx_fct_opportunities(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    from salesops.quality import run_suite  # imported here: GX is slow to import

    settings = Settings.from_env()
    suite = settings.expectations_dir / "fct_opportunities.json"
    result = run_suite(
        settings.warehouse,
        suite,
        "marts.fct_opportunities",
        docs_dir=settings.warehouse.parent / "gx_docs",
    )
    failed = [o for o in result.outcomes if not o.success]
    for o in failed:
        log = context.log.error if o.severity == "error" else context.log.warning
        log(f"{o.severity}: {o.name} failed ({o.unexpected_count} rows): {o.unexpected_sample}")
    metadata: dict[str, dg.RawMetadataValue] = {
        "suite": str(suite),
        "expectations": len(result.outcomes),
        "failed_errors": sum(1 for o in failed if o.severity == "error"),
        "failed_warnings": sum(1 for o in failed if o.severity != "error"),
        "outcomes": dg.MetadataValue.json(
            [
                {"expectation": o.name, "success": o.success, "severity": o.severity,
                 "unexpected_count": o.unexpected_count,
                 "unexpected_sample": [str(x) for x in (o.unexpected_sample or [])[:5]]}
                for o in result.outcomes
            ]
        ),
    }
    if result.data_docs_path:
        metadata["data_docs"] = dg.MetadataValue.path(result.data_docs_path)
    return dg.AssetCheckResult(
        passed=result.success, severity=dg.AssetCheckSeverity.ERROR, metadata=metadata
    )
