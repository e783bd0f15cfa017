"""Run a GX expectation suite against a table of a DuckDB file, as SQL inside DuckDB."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import great_expectations as gx
import sqlalchemy as sa
from great_expectations import ExpectationSuite
from great_expectations.core.batch_definition import BatchDefinition
from great_expectations.core.expectation_validation_result import ExpectationValidationResult
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.datasource.fluent.interfaces import TestConnectionError
from great_expectations.expectations import UnexpectedRowsExpectation
from great_expectations.util import convert_to_json_serializable

from salesops.quality.catalog import SuiteFile
from salesops.quality.duckdb_source import DuckDBDatasource, add_duckdb_source
from salesops.quality.parameters import (
    ParameterError,
    RunParameters,
    check_drop_range,
    scope_text,
)
from salesops.quality.results import SAMPLE_SIZE, ExpectationOutcome, SuiteResult, to_outcome
from salesops.quality.suite import ROW_ID_COLUMNS, SuiteFileError, load_suite, read_suite_file

DOCS_SITE = "salesops_quality"
SCOPED_SCHEMA = "raw"
"""The schema whose suites validate only the run's drops when the run has a drop range: its
tables are append-only, every row carries its ``_drop_date``."""


def run_suite(
    database: Path,
    suite_file: Path,
    table: str,
    *,
    docs_dir: Path | None = None,
    params: Mapping[str, Any] | None = None,
    drop_dates: tuple[dt.date, dt.date] | None = None,
) -> SuiteResult:
    """Validate ``table`` (``schema.table`` or ``table``) of the DuckDB file ``database``.

    Every expectation in ``suite_file`` runs as SQL in DuckDB (GX's SQLAlchemy execution
    engine over duckdb-engine, one read-only connection, closed before returning). ``success``
    is False iff an expectation with ``meta.severity == "error"`` failed (or could not be
    evaluated); failed warnings are reported but never fail the suite. With ``docs_dir``, GX
    Data Docs are built there and ``data_docs_path`` is the site's ``index.html``. ``params``
    fills the suite's parameters (see :mod:`salesops.quality.parameters`). With ``drop_dates``
    (first, last; inclusive) a ``raw.*`` table is validated on the rows of those drops only
    (``_drop_date`` between them), and ``drop_date_from`` / ``drop_date_to`` are set to them in
    ``params``; without, the whole table.
    """
    database = Path(database)
    if not database.is_file():
        raise FileNotFoundError(f"DuckDB database not found: {database}")
    schema, _, table_name = table.rpartition(".")
    if drop_dates is not None:
        check_drop_range(*drop_dates)
        params = {**(params or {}), "drop_date_from": drop_dates[0].isoformat(),
                  "drop_date_to": drop_dates[1].isoformat()}
    suite = load_suite(Path(suite_file), params)

    context = _ephemeral_context(docs_dir)
    source = add_duckdb_source(context, "duckdb", database, schema or None)
    try:
        scoped = drop_dates if schema == SCOPED_SCHEMA else None
        result = _validate(context, source, suite, table, scoped)
        result.scope = scope_text(scoped)
        if docs_dir is not None:
            result.data_docs_path = _build_docs(context, docs_dir)
    finally:
        source.dispose()
    return result


def run_suites(
    database: Path,
    suites: Sequence[SuiteFile],
    *,
    params: RunParameters,
    docs_dir: Path | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, SuiteResult]:
    """Run several suites over ONE read-only connection and build one Data Docs site.

    Returns a result per suite (keyed by ``SuiteFile.table``). A suite that can't run (bad
    file, missing table, unknown parameter) gets a failed result with one ``error`` outcome
    saying why, so the other suites still run and report.

    With a drop range in ``params`` (``drop_date_from`` / ``drop_date_to``, the run's drop
    dates) the ``raw.*`` suites validate only the rows of those drops (the tables are
    append-only, so the earlier drops were validated by the runs that loaded them); without
    one, the whole tables. Mart suites always validate the whole table. Each result's
    ``scope`` says which.
    """
    database = Path(database)
    if not database.is_file():
        raise FileNotFoundError(f"DuckDB database not found: {database}")
    context = _ephemeral_context(docs_dir)
    # One data source per schema: GX table assets take their schema from the data source.
    sources: dict[str, DuckDBDatasource] = {}
    results: dict[str, SuiteResult] = {}
    try:
        for number, suite_file in enumerate(suites, start=1):
            started = time.perf_counter()
            drop_dates = params.drop_dates if suite_file.schema == SCOPED_SCHEMA else None
            try:
                raw_meta = read_suite_file(suite_file.path).get("meta") or {}
                suite = load_suite(
                    suite_file.path, params.for_suite(suite_file.table, raw_meta)
                )
                if suite_file.schema not in sources:
                    sources[suite_file.schema] = add_duckdb_source(
                        context, f"duckdb_{suite_file.schema}", database, suite_file.schema
                    )
                result = _validate(
                    context, sources[suite_file.schema], suite, suite_file.table, drop_dates
                )
            except (SuiteFileError, ParameterError, LookupError, OSError) as exc:
                result = _could_not_run(suite_file, exc)
            result.scope = scope_text(drop_dates)
            results[suite_file.table] = result
            log(
                f"[{number}/{len(suites)}] {suite_file.table} ({result.scope}): "
                f"{'passed' if result.success else 'FAILED'} "
                f"({len(result.outcomes)} expectations, {len(result.errors)} errors, "
                f"{len(result.warnings)} warnings, {time.perf_counter() - started:.2f} s)"
            )
        if docs_dir is not None and results:
            path = _build_docs(context, docs_dir)
            for result in results.values():
                result.data_docs_path = path
    finally:
        for source in sources.values():
            source.dispose()
    return results


def _validate(
    context: AbstractDataContext,
    source: DuckDBDatasource,
    suite: ExpectationSuite,
    table: str,
    drop_dates: tuple[dt.date, dt.date] | None = None,
) -> SuiteResult:
    """Validate ``table``: all of it, or with ``drop_dates`` the rows of those drops only."""
    table_name = table.rpartition(".")[2]
    if drop_dates is None:
        try:
            asset = source.add_table_asset(name=suite.name, table_name=table_name)
        except TestConnectionError as exc:  # GX's message can wrongly blame the schema
            raise LookupError(f"{table} is not readable: {exc.__cause__}") from exc
    else:
        query = drops_query(source, table, drop_dates)
        asset = source.add_query_asset(name=suite.name, query=query)
    batch_definition = asset.add_batch_definition_whole_table(name="whole_table")
    suite = context.suites.add(suite)
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=suite)
    )
    results = validation.run(result_format=result_format(suite.meta))
    outcomes = _outcomes(results.results, batch_definition)
    return SuiteResult(
        suite=suite.name, success=not any(o.blocking for o in outcomes), outcomes=outcomes
    )


def drops_query(
    source: DuckDBDatasource, table: str, drop_dates: tuple[dt.date, dt.date]
) -> str:
    """``select * from <table> where _drop_date between <first> and <last>``: the batch of a
    raw table for a run's drops (``{batch}`` in the suite's SQL). Run in DuckDB, which skips
    the row groups of other drops (the tables are appended drop by drop). Raises LookupError
    when the table can't be read (GX does not test a query asset's table)."""
    first, last = (d.isoformat() for d in drop_dates)
    schema, _, name = table.rpartition(".")
    qualified = ".".join(f'"{part}"' for part in (schema or source.schema_, name) if part)
    query = (
        f"select * from {qualified} "
        f"where _drop_date between date '{first}' and date '{last}'"
    )
    try:
        with source.get_engine().connect() as connection:
            connection.execute(sa.text(f"select _drop_date from {qualified} limit 0"))
    except Exception as exc:  # DuckDB's catalog error names the missing table or column
        raise LookupError(f"{table} is not readable: {exc}") from exc
    return query


def _could_not_run(suite_file: SuiteFile, exc: Exception) -> SuiteResult:
    outcome = ExpectationOutcome(
        name="suite could not run",
        success=False,
        severity="error",
        unexpected_count=None,
        details={"exception": f"{type(exc).__name__}: {exc}"},
    )
    return SuiteResult(suite=suite_file.name, success=False, outcomes=[outcome])


def result_format(suite_meta: dict[str, Any]) -> dict[str, Any]:
    """GX SUMMARY format: counts plus a few failing values (and their rows' ids).

    With ``row_id_columns`` in the suite's meta, column checks also report which rows failed.
    """
    fmt: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
    if suite_meta.get(ROW_ID_COLUMNS):
        fmt["unexpected_index_column_names"] = list(suite_meta[ROW_ID_COLUMNS])
    return fmt


def _ephemeral_context(docs_dir: Path | None) -> AbstractDataContext:
    # No telemetry (GX_ANALYTICS_ENABLED=false is also set when salesops.quality is imported),
    # no progress bars, in-memory stores; Data Docs only where asked for.
    sites: dict[str, Any] = {}
    if docs_dir is not None:
        sites[DOCS_SITE] = {
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(Path(docs_dir).resolve()),
            },
            "site_index_builder": {
                "class_name": "DefaultSiteIndexBuilder",
                "show_cta_footer": False,
            },
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites=sites,
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _outcomes(
    results: list[ExpectationValidationResult], batch_definition: BatchDefinition
) -> list[ExpectationOutcome]:
    outcomes = []
    for evr in results:
        sample_rows = None
        config = evr.expectation_config
        if config is not None and config.type == "unexpected_rows_expectation" and not evr.success:
            sample_rows = _unexpected_rows(batch_definition, config.kwargs)
        outcomes.append(to_outcome(evr, sample_rows))
    return outcomes


def _unexpected_rows(
    batch_definition: BatchDefinition, kwargs: dict[str, Any]
) -> list[dict[str, Any]]:
    """A few rows a failed unexpected-rows check found.

    GX returns the rows only in COMPLETE result format, which for column checks would fetch
    every failing value, so the suite runs in SUMMARY and only this check is re-run (in DuckDB,
    over the same connection) in COMPLETE format, whose row list GX caps at 200.
    """
    check = UnexpectedRowsExpectation(unexpected_rows_query=kwargs["unexpected_rows_query"])
    batch = batch_definition.get_batch()
    result = batch.validate(check, result_format={"result_format": "COMPLETE"})
    rows = (result.result or {}).get("details", {}).get("unexpected_rows") or []
    return [convert_to_json_serializable(dict(row)) for row in rows[:SAMPLE_SIZE]]


def _build_docs(context: AbstractDataContext, docs_dir: Path) -> str:
    context.build_data_docs(site_names=[DOCS_SITE])
    index = Path(docs_dir).resolve() / "index.html"
    if not index.is_file():
        raise RuntimeError(f"GX did not write Data Docs to {index}")
    return str(index)
