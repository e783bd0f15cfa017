"""The quality gate: Great Expectations suites run as SQL in DuckDB, as blocking asset checks.

Every suite under ``expectations/`` (``raw/<table>.json``, ``marts/<model>.json``) is one asset
check ``gx_<table>`` on its table's asset. Two check steps run them: ``gx_raw_checks`` after
ingestion (dbt waits for it) and ``gx_marts_checks`` after dbt (publishing waits for it). A
failed ``error`` expectation fails its check with ERROR severity, which blocks everything
downstream; failed ``warning`` expectations fail it with WARN severity and block nothing. The
severities are in the suites. Each step builds a GX Data Docs site for the run and puts its
path in every check's metadata.

The raw tables are append-only, so in a run over a range of drop dates (the run's partitions)
the raw suites validate only the rows of those drops: the earlier drops were validated by the
runs that loaded them (a run whose raw checks failed leaves its dates to the next run: the
catch-up takes every date whose incremental facts weren't built). A run without partitions
validates the whole tables. Mart suites always validate the whole table. Each check's
metadata says which (``scope``).
"""

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import dagster as dg

from salesops.settings import Settings

from .constants import WAREHOUSE_POOL
from .dbt import asset_key_for_model
from .ingestion import raw_key
from .partitions import PARTITION_TAG, RANGE_END_TAG, RANGE_START_TAG, run_drop_dates
from .settings_check import require_valid_settings

DOCS_RUNS_KEPT = 14
"""Data Docs of this many runs are kept under the docs folder (older ones are removed)."""


def _asset_key(table: str, dbt_assets: dg.AssetsDefinition) -> dg.AssetKey:
    schema, _, name = table.partition(".")
    if schema == "raw":
        return raw_key(name)
    return asset_key_for_model(dbt_assets, name)


def _spec(suite: Any, dbt_assets: dg.AssetsDefinition) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        name=suite.check_name,
        asset=_asset_key(suite.table, dbt_assets),
        blocking=True,
        description=f"Great Expectations suite expectations/{suite.schema}/{suite.path.name}, "
        "run as SQL inside DuckDB. Failed error-severity expectations block everything "
        "downstream (and publishing); failed warnings are reported only.",
    )


def docs_dir_for_run(settings: Settings, run_id: str, layer: str) -> Path:
    """``<docs root>/<run id>/<layer>``; the root is SALESOPS_GX_DOCS_DIR or
    ``<warehouse folder>/gx_docs``, with ``latest`` linking to the newest run's folder."""
    root = settings.gx_docs_dir
    run_dir = root.resolve() / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    latest = root / "latest"
    staged = root / f".latest.{run_id}"
    if staged.is_symlink() or staged.exists():
        staged.unlink()
    staged.symlink_to(run_id)
    os.replace(staged, latest)
    runs = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.is_symlink() and p != run_dir),
        key=lambda p: p.stat().st_mtime,
    )
    for old in runs[: max(len(runs) - (DOCS_RUNS_KEPT - 1), 0)]:
        shutil.rmtree(old, ignore_errors=True)
    return run_dir / layer


def check_drop_dates(context: dg.AssetCheckExecutionContext) -> tuple[dt.date, dt.date] | None:
    """The drop dates (first, last; inclusive) of the check's run, or None: no partitions.

    The check step itself has no partitions definition, but the pipeline job's has (its
    ingestion and incremental dbt assets are partitioned by drop date), so Dagster gives the
    step the run's partition time window. A run of a job without one but with partition tags
    (single partition, or a range as the schedule, the sensor and ``salesops run`` request)
    is read from the tags.
    """
    try:
        if context.has_partition_key or context.has_partition_key_range:
            return run_drop_dates(context)  # type: ignore[arg-type]  # same API on both contexts
    except (dg.DagsterError, ValueError, KeyError):
        pass  # no time-window partitions definition: read the tags
    tags = context.run.tags
    try:
        if tags.get(PARTITION_TAG):
            day = dt.date.fromisoformat(tags[PARTITION_TAG])
            return day, day
        if tags.get(RANGE_START_TAG) and tags.get(RANGE_END_TAG):
            first = dt.date.fromisoformat(tags[RANGE_START_TAG])
            last = dt.date.fromisoformat(tags[RANGE_END_TAG])
            return (first, last) if first <= last else None
    except ValueError:
        context.log.warning(f"the run's partition tags are not drop dates: {dict(tags)}")
    return None


def _check_result(suite: Any, result: Any, asset_key: dg.AssetKey) -> dg.AssetCheckResult:
    errors, warnings = result.errors, result.warnings
    if errors:
        passed, severity = False, dg.AssetCheckSeverity.ERROR
    else:
        passed, severity = not warnings, dg.AssetCheckSeverity.WARN
    records = [
        dg.TableRecord(
            {
                "expectation": o.name,
                "severity": o.severity,
                "success": o.success,
                "unexpected_count": o.unexpected_count if o.unexpected_count is not None else -1,
                "sample": _short(o.unexpected_sample or o.details.get("exception") or ""),
            }
        )
        for o in result.outcomes
    ]
    metadata: dict[str, Any] = {
        "suite": dg.MetadataValue.path(str(suite.path)),
        "table": suite.table,
        "scope": result.scope,
        "expectations": len(result.outcomes),
        "failed_errors": len(errors),
        "failed_warnings": len(warnings),
        "outcomes": dg.MetadataValue.table(
            records=records,
            schema=dg.TableSchema(
                columns=[
                    dg.TableColumn("expectation", "string"),
                    dg.TableColumn("severity", "string"),
                    dg.TableColumn("success", "bool"),
                    dg.TableColumn("unexpected_count", "int", description="-1: not a row check"),
                    dg.TableColumn("sample", "string", description="failing values or rows"),
                ]
            ),
        ),
    }
    for o in result.failures:
        key, n = f"failed: {o.name}", 2
        while key in metadata:  # two failing checks of one kind (e.g. two row-count bands)
            key, n = f"failed: {o.name} #{n}", n + 1
        metadata[key] = dg.MetadataValue.json(
            {
                "severity": o.severity,
                "unexpected_count": o.unexpected_count,
                "sample": o.unexpected_sample,
                "failing_rows": o.details.get("unexpected_rows"),
                "exception": o.details.get("exception"),
                "purpose": (o.details.get("meta") or {}).get("purpose"),
            }
        )
    if result.data_docs_path:
        metadata["data_docs"] = dg.MetadataValue.path(result.data_docs_path)
        metadata["data_docs_url"] = dg.MetadataValue.url(Path(result.data_docs_path).as_uri())
    return dg.AssetCheckResult(
        check_name=suite.check_name,
        asset_key=asset_key,
        passed=passed,
        severity=severity,
        metadata=metadata,
        description=_summary(result),
    )


def _short(value: Any, limit: int = 500) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _summary(result: Any) -> str:
    if not result.failures:
        return f"all {len(result.outcomes)} expectations passed"
    parts = [
        f"{o.severity} {o.name}: {o.unexpected_count if o.unexpected_count is not None else '-'} "
        "failing"
        for o in result.failures
    ]
    return "; ".join(parts)


def build_check_step(layer: str, suites: list[Any], settings: Settings,
                     dbt_assets: dg.AssetsDefinition) -> dg.AssetChecksDefinition:
    specs = [_spec(s, dbt_assets) for s in suites]

    @dg.multi_asset_check(
        name=f"gx_{layer}_checks",
        specs=specs,
        can_subset=True,
        pool=WAREHOUSE_POOL,
        description=f"The Great Expectations suites of the {layer} tables (expectations/{layer}/), "
        "all in one read-only DuckDB connection; one asset check per suite.",
    )
    def _checks(context: dg.AssetCheckExecutionContext):
        from salesops.quality import RunParameters, discover, run_suites

        require_valid_settings(settings)
        selected = {key.name for key in context.selected_asset_check_keys}
        # Suites are read again at run time (from SALESOPS_EXPECTATIONS_DIR), so an edited
        # severity applies without reloading the code location; a suite removed since the
        # definitions were loaded fails its check instead of silently passing.
        current = {s.check_name: s for s in discover(settings.expectations_dir)}
        todo = [current[s.check_name] for s in suites if s.check_name in selected and
                s.check_name in current]
        drop_dates = check_drop_dates(context) if layer == "raw" else None
        params = RunParameters.from_settings(settings, drop_dates)
        scope = params.raw_scope if layer == "raw" else "whole table"
        context.log.info(
            f"{len(todo)} {layer} suites on {settings.warehouse} (as of {params.as_of_date}, "
            f"max drop age {params.max_drop_age_days} days; scope: {scope})"
        )
        results = run_suites(
            settings.warehouse,
            todo,
            params=params,
            docs_dir=docs_dir_for_run(settings, context.run.run_id, layer),
            log=context.log.info,
        )
        for suite in suites:
            if suite.check_name not in selected:
                continue
            if suite.check_name not in current:
                yield dg.AssetCheckResult(
                    check_name=suite.check_name,
                    asset_key=_asset_key(suite.table, dbt_assets),
                    passed=False,
                    severity=dg.AssetCheckSeverity.ERROR,
                    description=f"suite file for {suite.table} not found under "
                    f"{settings.expectations_dir}",
                )
                continue
            result = results[suite.table]
            for o in result.failures:
                log = context.log.error if o.severity == "error" else context.log.warning
                log(
                    f"{suite.check_name}: {o.severity}: {o.name} failed "
                    f"({o.unexpected_count} rows): {_short(o.unexpected_sample)}"
                )
            yield _check_result(suite, result, _asset_key(suite.table, dbt_assets))

    return _checks


def build_quality_checks(
    settings: Settings, dbt_assets: dg.AssetsDefinition
) -> list[dg.AssetChecksDefinition]:
    """One check step per layer with suites in settings.expectations_dir (raw, marts)."""
    # salesops.quality imports GX (slow); the catalog alone reads the JSON files.
    from salesops.quality.catalog import discover

    suites = discover(settings.expectations_dir)
    return [
        build_check_step(layer, [s for s in suites if s.schema == layer], settings, dbt_assets)
        for layer in ("raw", "marts")
        if any(s.schema == layer for s in suites)
    ]
