"""The dbt project as Dagster assets: staging, facts, dimensions and KPI marts."""

import contextlib
import fcntl
import json
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DbtCliResource,
    DbtProject,
    dbt_assets,
    get_asset_key_for_model,
)

from salesops.pending import record_marts_build
from salesops.publish import PUBLISHED_TAG, docs_from_manifest
from salesops.raw_parquet import export_warehouse, spark_tables
from salesops.settings import DBT_PROJECT_DIR, Settings
from salesops.spark_build import SPARK_TARGET, mirror_into_duckdb

from .constants import WAREHOUSE_POOL
from .partitions import SINGLE_RUN, run_drop_dates
from .settings_check import require_valid_settings

# The dbt of this virtual environment, even when the venv isn't activated (make, IDEs, CI),
# called by its path (nothing here changes PATH; dagster-dbt's prepare_if_dev, which looks on
# PATH, is not used: ensure_manifest below parses when needed).
_VENV_DBT = Path(sys.executable).with_name("dbt")
DBT_EXECUTABLE = str(_VENV_DBT) if _VENV_DBT.exists() else "dbt"

PARSE_DBT_TARGET = "duckdb"
"""The output the manifest is parsed for (the asset graph): the same nodes on every output, and
parsing never starts an engine. The builds use the settings' output (SALESOPS_DBT_TARGET)."""

# One setting points Dagster and dbt at the same DuckDB file: each dbt invocation gets the
# settings' absolute warehouse path (and memory limit) as vars the profile reads (dbt_vars).

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# The manifest is prepared at set-up (make setup) and parsed again only when a dbt source is
# newer (ensure_manifest), also under `dagster dev`: a load never rewrites it needlessly while
# another process reads it.


def _newest_source_mtime(project: DbtProject) -> float:
    root = Path(project.project_dir)
    paths = [root / "dbt_project.yml"]
    for folder in (root / "macros", root.parent / "models", root.parent / "seeds",
                   root.parent / "tests" / "dbt"):
        if folder.is_dir():
            paths += [p for p in folder.rglob("*") if p.suffix in (".sql", ".yml", ".csv")]
    return max((p.stat().st_mtime for p in paths if p.exists()), default=0.0)


def dbt_target(settings: Settings) -> str:
    """The settings' dbt output, leniently: duckdb when SALESOPS_DBT_TARGET is bad (the location
    still loads; every step refuses with the problem, require_valid_settings)."""
    try:
        return settings.dbt_target
    except ValueError:
        return PARSE_DBT_TARGET


def dbt_vars(settings: Settings, **extra: str) -> str:
    """`--vars` for one dbt invocation: the warehouse and DuckDB memory limit of `settings`
    (read by profiles.yml), Spark's folder and memory on spark_local, and `extra` (the
    incremental facts' drop dates)."""
    values = {"salesops_warehouse": str(settings.warehouse),
              "salesops_duckdb_memory_limit": settings.duckdb_memory_limit}
    if dbt_target(settings) == SPARK_TARGET:
        values |= {"salesops_spark_dir": str(settings.spark_dir),
                   "salesops_spark_driver_memory": settings.spark_driver_memory}
    return json.dumps(values | extra)


def ensure_manifest(settings: Settings, project: DbtProject = dbt_project) -> Path:
    """The manifest, parsed again if missing or older than the dbt sources (`make setup` parses
    it; this covers a fresh clone that skipped it and a model edited since)."""
    manifest = project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(project):
        subprocess.run(
            [DBT_EXECUTABLE, "parse", "--quiet", "--project-dir", str(project.project_dir),
             "--profiles-dir", str(project.profiles_dir), "--vars", dbt_vars(settings),
             # where the manifest is looked for, whatever DBT_TARGET_PATH says (that folder
             # holds the per-invocation targets of the dbt steps)
             "--target-path", str(manifest.parent), "--target", PARSE_DBT_TARGET],
            check=True,
        )
        manifest.touch()
    return manifest


DBT_BUILD_ARGS = ("--exclude-resource-type", "unit_test", "--no-use-colors")
"""What the pipeline passes to `dbt build` besides the asset selection (no escape codes in the
run's log: its lines go to the log file and the UI)."""


# Each dbt invocation gets a target folder of its own (dagster-dbt's `<op>-<run>-<uuid>` under
# dbt_project/target: artifacts, dbt.log). It is removed once dbt has succeeded; one left by an
# invocation that failed (kept for its dbt.log) or was killed is removed by the next invocation.
# A live invocation holds an flock on the folder's lock file (the kernel drops it with the
# process), so runs in parallel never remove each other's folder.
TARGET_LOCK = ".salesops-in-use"
STALE_UNLOCKED_SECONDS = 3600
"""A target folder without a lock file (an older layout) is removed when this old."""


def _target_root(settings: Settings) -> Path:
    root = Path(settings.dbt_target_path)
    return root if root.is_absolute() else Path(dbt_project.project_dir) / root


def prune_target_folders(root: Path) -> list[Path]:
    """Remove the per-invocation target folders no live invocation holds; returns them."""
    removed = []
    for folder in sorted(root.glob("salesops_dbt_*-*-*")) + sorted(root.glob(".salesops_dbt_*")):
        if not folder.is_dir() or folder.is_symlink():
            continue
        lock_file = folder / TARGET_LOCK
        try:
            if not lock_file.is_file() or folder.name.startswith("."):
                if time.time() - folder.stat().st_mtime > STALE_UNLOCKED_SECONDS:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed.append(folder)
                continue
            with open(lock_file, "a") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held: a live invocation's
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        except OSError:  # held by a live invocation, or removed by another one meanwhile
            continue
    return removed


@contextlib.contextmanager
def own_target_folder(context: dg.AssetExecutionContext, settings: Settings) -> Iterator[Path]:
    """A target folder for one dbt invocation, locked while it runs, removed if it succeeds."""
    root = _target_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    prune_target_folders(root)
    name = f"{context.op_execution_context.op.name}-{context.run.run_id[:7]}-{uuid.uuid4().hex[:7]}"
    staging = root / f".{name}"  # locked before it gets the name the pruning looks at
    staging.mkdir()
    with open(staging / TARGET_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        folder = staging.rename(root / name)
        yield folder
    shutil.rmtree(folder, ignore_errors=True)  # not reached when dbt failed: kept till the next


def stream_dbt(dbt: DbtCliResource, context: dg.AssetExecutionContext, settings: Settings,
               **extra_vars: str):
    """`dbt build` streamed as Dagster events, in a target folder of its own (see above), on
    the warehouse of `settings` (dbt_vars, with `extra_vars`). On spark_local the build is
    framed by the Spark steps: the raw layer goes to Spark first, the built tables come back
    to the warehouse after (where the mart checks and publishing read them)."""
    require_valid_settings(settings)
    args = ["build", *DBT_BUILD_ARGS, "--vars", dbt_vars(settings, **extra_vars)]
    with own_target_folder(context, settings) as target:
        if settings.dbt_target == SPARK_TARGET:
            raw_to_spark(dbt, context, settings, target)
        yield from dbt.cli(args, context=context, target_path=target).stream()
        if settings.dbt_target == SPARK_TARGET:
            started = time.monotonic()
            tables = mirror_into_duckdb(settings.spark_dir, settings.warehouse,
                                        settings.duckdb_memory_limit)
            context.log.info(f"spark_local: {tables} tables built on Spark copied into "
                             f"{settings.warehouse} ({time.monotonic() - started:.1f} s)")


def raw_to_spark(dbt: DbtCliResource, context: dg.AssetExecutionContext, settings: Settings,
                 target: Path) -> None:
    """The warehouse's raw layer as Parquet partitioned by drop date (salesops/raw_parquet.py)
    under the Spark folder, registered as Spark's raw.<table> (dbt run-operation
    register_raw_parquet)."""
    started = time.monotonic()
    raw = settings.spark_dir / "raw"
    rows = export_warehouse(settings.warehouse, raw)
    operation_args = json.dumps({"location": raw.as_posix(), "tables": spark_tables(raw)})
    dbt.cli(["run-operation", "register_raw_parquet", "--args", operation_args,
             "--vars", dbt_vars(settings), "--no-use-colors"], target_path=target).wait()
    context.log.info(f"spark_local: raw layer ({len(rows)} tables, {sum(rows.values()):,} rows) "
                     f"registered in Spark from {raw} ({time.monotonic() - started:.1f} s)")


BUSINESS_AREAS = ("sales", "pipeline", "activity", "people")
"""The business areas: a folder of models/intermediate/ and of models/marts/ each."""


class SalesopsDbtTranslator(DagsterDbtTranslator):
    """Models keep their schema and name as key (the layer: staging/, intermediate/, marts/);
    groups are business areas: a model of intermediate/<area>/ or marts/<area>/ is in the
    group <area> (sales, pipeline, activity, people), the shared models (the top of
    intermediate/ and marts/core: dates, reps, HR periods, opportunities, currency rates) in
    "core", the staging models in "staging", the seeds in "reference", the sources in "raw"."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "source":
            return "raw"
        fqn = dbt_resource_props.get("fqn") or []
        folders = fqn[1:-1]  # fqn: project, folders..., name
        if not folders:
            return "models"
        if folders[0] in ("intermediate", "marts"):
            area = folders[1] if len(folders) > 1 else "core"
            return area if area in BUSINESS_AREAS else "core"
        return folders[0]  # staging, reference (seeds)


INCREMENTAL = "+config.materialized:incremental"
"""The facts dbt builds incrementally by drop date, with the models they read (views over raw):
partitioned like the raw tables. Their ancestors come along so that a run calls dbt twice
(this, then everything else) instead of going back and forth between the two definitions."""


def build_dbt_assets(
    settings: Settings, partitions: dg.PartitionsDefinition
) -> list[dg.AssetsDefinition]:
    """The dbt project as two asset definitions: every model but the incremental facts (one
    `dbt build`), and the incremental facts, partitioned by drop date."""
    manifest = ensure_manifest(settings)

    @dbt_assets(
        manifest=manifest,
        project=dbt_project,
        dagster_dbt_translator=SalesopsDbtTranslator(),
        pool=WAREHOUSE_POOL,
        exclude=INCREMENTAL,
    )
    def salesops_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        """`dbt build`: models and their dbt data tests (reported as asset checks).

        dbt unit tests check the SQL logic on fixed rows, not the night's data: they run in
        `make test` (tests/test_dbt_unit_tests.py), not in every pipeline run.
        """
        yield from stream_dbt(dbt, context, settings)
        if not context.is_subset:  # every mart rebuilt, every test passed: the marts are current
            published = [key.path[-1] for key in published_mart_keys(salesops_dbt_assets)]
            record_marts_build(settings.warehouse, context.run.run_id, published,
                               docs_from_manifest(manifest, published))

    @dbt_assets(
        manifest=manifest,
        project=dbt_project,
        dagster_dbt_translator=SalesopsDbtTranslator(),
        pool=WAREHOUSE_POOL,
        select=INCREMENTAL,
        partitions_def=partitions,
        backfill_policy=SINGLE_RUN,
        name="salesops_dbt_incremental_assets",
    )
    def salesops_dbt_incremental_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        """`dbt build` of the incremental facts for the run's drop dates (one pass per range)."""
        first, last = run_drop_dates(context)
        context.log.info(f"incremental facts for drops {first} .. {last}")
        yield from stream_dbt(dbt, context, settings, drop_date_from=first.isoformat(),
                              drop_date_to=last.isoformat())

    return [salesops_dbt_assets, salesops_dbt_incremental_assets]


def build_dbt_resource(settings: Settings) -> DbtCliResource:
    """dbt of this venv on the settings' output (SALESOPS_DBT_TARGET: duckdb or spark_local)."""
    return DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE,
                          target=dbt_target(settings))


def published_mart_keys(assets: dg.AssetsDefinition) -> list[dg.AssetKey]:
    """The asset keys of the dbt models tagged `published` (the published interface), sorted."""
    tags = assets.tags_by_key
    return sorted((key for key in assets.keys if PUBLISHED_TAG in tags.get(key, {})),
                  key=lambda key: key.to_user_string())


def asset_key_for_model(assets: dg.AssetsDefinition, name: str) -> dg.AssetKey:
    """The asset key of any dbt model (the lookup reads the whole manifest, so either dbt asset
    definition answers for both)."""
    return get_asset_key_for_model([assets], name)
