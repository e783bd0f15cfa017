"""Data-quality gate: GX expectation suites (expectations/*.json) run as SQL inside DuckDB.

    from salesops.quality import run_suite
    result = run_suite(Path("data/warehouse.duckdb"), Path("expectations/fct_opportunities.json"),
                       "marts.fct_opportunities", docs_dir=Path("gx/data_docs"))
    result.success  # False iff an "error"-severity expectation failed

See :mod:`salesops.quality.duckdb_source` for why DuckDB needs its own GX data source type.
"""

import os

# GX must never phone home: set before great_expectations is first imported (below).
os.environ["GX_ANALYTICS_ENABLED"] = "false"

from salesops.quality.results import ExpectationOutcome, SuiteResult  # noqa: E402
from salesops.quality.runner import run_suite  # noqa: E402

__all__ = ["ExpectationOutcome", "SuiteResult", "run_suite"]
