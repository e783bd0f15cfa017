"""A GX SQL data source for a DuckDB file that runs every metric over ONE persistent connection.

Why this exists (GX issues #10738 and #11579): GX's ``SqlAlchemyExecutionEngine.execute_query``
opens a connection, executes, *closes the connection* and only then calls ``fetchall()`` on the
result. That is fine for drivers whose cursors outlive the connection, but duckdb-engine's cursor
is the DuckDB connection itself: closing the SQLAlchemy ``Connection`` issues a ``ROLLBACK`` on it,
which replaces the pending result set, so every metric query comes back empty and every
expectation fails with ``IndexError: list index out of range`` in ``resolve_metric_bundle``.
Neither a ``StaticPool``, ``pool_reset_on_return=None`` nor ``create_temp_table=False`` helps,
because the rollback comes from ``Connection.close()`` itself. GX already keeps one persistent
connection for SQLite / SQL Server / BigQuery / Databricks (``_PERSISTED_CONNECTION_DIALECTS``),
but that tuple is keyed by a closed enum that has no DuckDB member, so we subclass the engine and
always take the persistent-connection path, and register a data source type that uses it.

The engines use ``NullPool`` so that no DuckDB connection outlives its use: the execution engine
holds exactly one (closed by :meth:`DuckDBExecutionEngine.close`) and the data source's own
engine (used for schema reflection) opens and closes one per call. The file is opened
read-only, so the check never takes DuckDB's write lock: other read-only processes may read
it at the same time, a process holding it read-write makes the check fail to connect. Within
one process DuckDB refuses a second connection to a file with a different configuration
(duckdb-engine adds a ``custom_user_agent``), so close other connections to the same file in
this process (e.g. a Dagster ``DuckDBResource``) before calling ``run_suite``.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Literal

import sqlalchemy as sa
from great_expectations.data_context import AbstractDataContext
from great_expectations.datasource.fluent import SQLDatasource
from great_expectations.execution_engine import SqlAlchemyExecutionEngine

DATASOURCE_TYPE = "salesops_duckdb"


class DuckDBExecutionEngine(SqlAlchemyExecutionEngine):
    """A ``SqlAlchemyExecutionEngine`` that runs all queries on one kept-open connection."""

    @contextmanager
    def get_connection(self) -> Generator[sa.Connection, None, None]:
        if self._connection is None or self._connection.closed:
            self._connection = self.engine.connect()
        yield self._connection

    def close(self) -> None:
        # The base class only closes ``_connection`` for engines it built for SQLite.
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        super().close()


class DuckDBDatasource(SQLDatasource):
    """``SQLDatasource`` for ``duckdb:///<file>`` URLs whose metrics use one persistent connection.

    Defining the class registers ``context.data_sources.add_salesops_duckdb(...)``.
    """

    type: Literal["salesops_duckdb"] = "salesops_duckdb"  # type: ignore[assignment]
    # The default schema of table assets (GX deprecated ``add_table_asset(schema_name=...)`` in
    # favour of the data source's own schema). Not an engine argument, so not passed to it.
    database_schema: str | None = None

    _EXTRA_EXCLUDED_EXEC_ENG_ARGS: ClassVar[set[str]] = {"database_schema"}

    @property
    def schema_(self) -> str | None:
        return self.database_schema

    @property
    def execution_engine_type(self) -> type[SqlAlchemyExecutionEngine]:
        return DuckDBExecutionEngine

    def dispose(self) -> None:
        """Close every DuckDB connection this data source opened (releases the file)."""
        if self._execution_engine is not None:
            self._execution_engine.close()
        if self._engine is not None:
            self._engine.dispose()


def add_duckdb_source(
    context: AbstractDataContext, name: str, database: Path, schema: str | None
) -> DuckDBDatasource:
    """Add a read-only :class:`DuckDBDatasource` for ``database`` to ``context``.

    GX tests the connection while adding, so this raises if the file cannot be opened (for
    instance while another process holds DuckDB's write lock on it).
    """
    # ``add_<type>`` is the factory GX generates when the data source class is defined.
    add = getattr(context.data_sources, f"add_{DATASOURCE_TYPE}")
    return add(
        name=name,
        connection_string=connection_string(database),
        database_schema=schema,
        kwargs=engine_kwargs(read_only=True),
    )


def connection_string(database: Path) -> str:
    """SQLAlchemy URL of a DuckDB database file."""
    return f"duckdb:///{database.resolve()}"


def engine_kwargs(*, read_only: bool = True) -> dict[str, Any]:
    """``create_engine`` keyword arguments for both engines GX builds from the data source."""
    return {"connect_args": {"read_only": read_only}, "poolclass": sa.pool.NullPool}
