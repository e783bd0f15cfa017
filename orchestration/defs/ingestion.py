"""Ingestion assets: one multi-asset per source system, one asset per raw table."""

import dagster as dg

from salesops.contract import SYSTEMS, files_for
from salesops.ingest.hr_columns import load_hr_column_map
from salesops.ingest.loader import connect, load_system
from salesops.settings import Settings

from .constants import WAREHOUSE_POOL
from .partitions import SINGLE_RUN, run_drop_dates
from .settings_check import require_valid_settings

SYSTEM_TITLES = {"crm": "CRM (Salesforce exports)", "hr": "HRIS worker report", "lms": "LMS (xAPI)"}


def raw_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


def build_ingestion_asset(
    system: str, settings: Settings, partitions: dg.PartitionsDefinition
) -> dg.AssetsDefinition:
    """The multi-asset that loads `system`'s drops from settings.landing_dir into the raw
    tables of settings.warehouse."""
    specs = [
        dg.AssetSpec(
            raw_key(spec.table),
            group_name="raw",
            description=f"Append-only rows of {system}/<date>/{spec.file_name}, with drop date, "
            "file, line and load id.",
            kinds={"duckdb"},
        )
        for spec in files_for(system)
    ]

    @dg.multi_asset(
        name=f"ingest_{system}",
        specs=specs,
        pool=WAREHOUSE_POOL,
        partitions_def=partitions,
        backfill_policy=SINGLE_RUN,
        description=f"Load new complete drops of the {SYSTEM_TITLES[system]} from the landing "
        "folder into the raw schema (checked against the contract; bad rows quarantined).",
    )
    def _ingest(context: dg.AssetExecutionContext):
        require_valid_settings(settings)
        column_map = load_hr_column_map(settings.hr_column_map) if system == "hr" else None
        date_from, date_to = run_drop_dates(context)
        context.log.info(
            f"{system} drops {date_from} .. {date_to}: landing {settings.landing_dir} -> "
            f"warehouse {settings.warehouse}"
        )
        con = connect(settings.warehouse, settings.duckdb_memory_limit)
        try:
            report = load_system(
                con, settings.landing_dir, system, hr_column_map=column_map, log=context.log.info,
                date_from=date_from, date_to=date_to,
            )
            for warning in report.warnings:
                context.log.warning(warning)
            if report.failures:
                failed = report.failures[0]
                raise dg.Failure(
                    description=f"drop {failed.key} failed: {failed.message}",
                    metadata={"drop": failed.key, "reason": failed.message or ""},
                    allow_retries=False,
                )
            per_table: dict[str, dict[str, int]] = {}
            for result in report.loaded:
                for f in result.files:
                    t = per_table.setdefault(f.table, {"loaded": 0, "quarantined": 0})
                    t["loaded"] += f.rows_loaded
                    t["quarantined"] += f.rows_quarantined
            drops = [r.drop_date.isoformat() for r in report.loaded]
            for spec in files_for(system):
                total = con.execute(f"select count(*) from raw.{spec.table}").fetchone()[0]
                counts = per_table.get(spec.table, {"loaded": 0, "quarantined": 0})
                yield dg.MaterializeResult(
                    asset_key=raw_key(spec.table),
                    metadata={
                        "drops_loaded": dg.MetadataValue.json(drops),
                        "rows_loaded": counts["loaded"],
                        "rows_quarantined": counts["quarantined"],
                        "dagster/row_count": total,
                        "pending_drops": dg.MetadataValue.json(report.pending),
                    },
                )
        finally:
            con.close()

    return _ingest


def build_ingestion_assets(
    settings: Settings, partitions: dg.PartitionsDefinition
) -> list[dg.AssetsDefinition]:
    return [build_ingestion_asset(system, settings, partitions) for system in SYSTEMS]


# The load ledger is written by every ingestion asset; dbt reads it ("now" = newest drop).
ledger_specs = [
    dg.AssetSpec(
        raw_key(t),
        group_name="raw",
        description=d,
        kinds={"duckdb"},
    )
    for t, d in (
        ("load_drops", "One row per loaded drop (system, date, fingerprint): the load ledger."),
        ("load_files", "One row per loaded file with rows read, loaded and quarantined."),
        ("quarantine", "Rows that broke a field's domain, with file, line and reason."),
    )
]
