"""Data-quality gate: GX expectation suites (expectations/*.json) run as SQL inside DuckDB.

    from salesops.quality import run_suite
    result = run_suite(Path("data/warehouse.duckdb"),
                       Path("expectations/marts/fct_opportunities.json"),
                       "marts.fct_opportunities", docs_dir=Path("gx/data_docs"))
    result.success  # False iff an "error"-severity expectation failed

See :mod:`salesops.quality.duckdb_source` for why DuckDB needs its own GX data source type.
"""

import os

# GX must never phone home: set before great_expectations is first imported (below).
os.environ["GX_ANALYTICS_ENABLED"] = "false"

# GX takes seconds to import: the names below are loaded on first use, so reading the suite
# catalog (salesops.quality.catalog, used when Dagster loads the code location) stays fast.
_LAZY = {
    "ExpectationOutcome": "salesops.quality.results",
    "SuiteResult": "salesops.quality.results",
    "RunParameters": "salesops.quality.parameters",
    "SuiteFile": "salesops.quality.catalog",
    "discover": "salesops.quality.catalog",
    "run_suite": "salesops.quality.runner",
    "run_suites": "salesops.quality.runner",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
