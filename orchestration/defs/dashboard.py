"""The KPI dashboard: `dashboard.html` in the publish folder, rewritten after each publish.

Downstream of the published marts. It never turns a good publish into a failed run: when the
dashboard cannot be written (any error), the step logs a warning, records an observation with
the error (`salesops run` prints it in its summary) and ends successfully without materializing
the asset. Before the first publish there is nothing to show and nothing is written.
"""

import dagster as dg

from salesops import dashboard
from salesops.settings import Settings

from .constants import WAREHOUSE_POOL
from .publishing import PUBLISHED_KEY

DASHBOARD_KEY = dg.AssetKey(["dashboard"])


def build_dashboard_asset(settings: Settings) -> dg.AssetsDefinition:
    """The dashboard of the published marts of `settings` (its publish folder)."""

    @dg.asset(
        key=DASHBOARD_KEY,
        deps=[PUBLISHED_KEY],
        group_name="published",
        # in the pool like every writer: another run's publish never swaps a version in while
        # this one renders, so the dashboard written is the current version's
        pool=WAREHOUSE_POOL,
        kinds={"html"},
        output_required=False,
        description="dashboard.html in SALESOPS_PUBLISH_DIR: the nine KPIs over time, a rep "
        "scorecard, team and region filters, self-contained (no network at view time). A "
        "failure to write it is a warning (an observation), never a failed run.",
    )
    def kpi_dashboard(context: dg.AssetExecutionContext):
        yield from write_dashboard_step(context, settings)

    return kpi_dashboard


def write_dashboard_step(context, settings: Settings):
    """Write the dashboard; yield its materialization, or an observation saying why not."""
    try:
        path = dashboard.write_dashboard(settings.publish_dir)
    except Exception as exc:  # noqa: BLE001 - nothing here may fail the published run
        context.log.warning(f"the dashboard was not written ({type(exc).__name__}: {exc}); "
                            "the published marts are unaffected")
        yield dg.AssetObservation(asset_key=DASHBOARD_KEY, metadata={
            "written": False, "error": f"{type(exc).__name__}: {exc}"[:1000]})
        return
    if path is None:
        context.log.info(f"nothing published in {settings.publish_dir}: no dashboard written")
        yield dg.AssetObservation(asset_key=DASHBOARD_KEY, metadata={
            "written": False, "error": "nothing published yet"})
        return
    size = path.stat().st_size
    context.log.info(f"wrote the dashboard {path} ({size:,} bytes)")
    yield dg.MaterializeResult(metadata={
        "written": True, "path": dg.MetadataValue.path(str(path)), "bytes": size})
