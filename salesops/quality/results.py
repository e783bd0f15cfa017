"""The gate's result types and their construction from GX validation results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from great_expectations.core.expectation_validation_result import ExpectationValidationResult

from salesops.quality.suite import Severity, severity_of

SAMPLE_SIZE = 5
"""How many failing values (or rows) an outcome carries."""


@dataclass
class ExpectationOutcome:
    """One expectation's result.

    ``name`` is the expectation type plus its column (or its ``meta.name`` for table-level
    checks), e.g. ``expect_column_values_to_be_unique(opportunity_id)``. ``unexpected_count`` is
    the number of failing rows (``None`` for table-level checks and for checks that raised);
    ``unexpected_sample`` holds up to :data:`SAMPLE_SIZE` failing values (or rows, as dicts).
    ``details`` carries the expectation's ``kwargs`` and ``meta``, GX's ``result``, the
    ``exception`` that stopped it (or None) and, for column checks of a suite with
    ``row_id_columns``, ``unexpected_rows``: the ids and values of a few failing rows.
    """

    name: str
    success: bool
    severity: Severity
    unexpected_count: int | None
    unexpected_sample: list[Any] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        """True when this outcome fails the suite (a failed ``error``-severity expectation)."""
        return not self.success and self.severity == "error"


@dataclass
class SuiteResult:
    """A suite run: ``success`` is False iff an ``error``-severity expectation failed."""

    suite: str
    success: bool
    outcomes: list[ExpectationOutcome]
    data_docs_path: str | None = None
    scope: str = "whole table"
    """What was validated: ``whole table``, or ``drops <from>..<to>`` (a raw table's rows of
    the run's drops)."""

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.failures if o.severity == "warning"]

    @property
    def errors(self) -> list[ExpectationOutcome]:
        return [o for o in self.failures if o.severity == "error"]


def outcome_name(expectation_type: str, kwargs: dict[str, Any], meta: dict[str, Any]) -> str:
    target = kwargs.get("column") or meta.get("name")
    if target is None and kwargs.get("column_list"):
        target = ",".join(kwargs["column_list"])
    return f"{expectation_type}({target})" if target else expectation_type


def to_outcome(
    evr: ExpectationValidationResult, sample_rows: list[dict[str, Any]] | None = None
) -> ExpectationOutcome:
    """Convert one GX result; ``sample_rows`` are failing rows of a row-level (SQL) check."""
    config = evr.expectation_config
    assert config is not None, "GX results always carry their expectation configuration"
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    meta = dict(config.meta or {})
    result: dict[str, Any] = dict(evr.result or {})

    exception = None
    info = evr.exception_info or {}
    if info.get("raised_exception"):
        exception = info.get("exception_message")
    else:  # metric-resolution errors are reported per metric
        messages = [v.get("exception_message") for v in info.values() if isinstance(v, dict)]
        exception = "; ".join(m for m in messages if m) or None

    details: dict[str, Any] = {"kwargs": kwargs, "meta": meta, "result": result}
    if "unexpected_count" in result:
        count = result["unexpected_count"]
        if count is None and result.get("element_count") == 0:
            count = 0  # an empty batch (a drop range without this table's file): none failed
        unexpected_count: int | None = int(count) if count is not None else None
        sample = list(result.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]
        if "partial_unexpected_index_list" in result:
            details["unexpected_rows"] = list(result["partial_unexpected_index_list"])[:SAMPLE_SIZE]
    elif sample_rows is not None or config.type == "unexpected_rows_expectation":
        observed = result.get("observed_value")
        unexpected_count = int(observed) if observed is not None else None
        sample = list(sample_rows or [])[:SAMPLE_SIZE]
    else:
        unexpected_count = None
        sample = []

    return ExpectationOutcome(
        name=outcome_name(config.type, kwargs, meta),
        # An expectation that could not be evaluated has not passed.
        success=bool(evr.success) and exception is None,
        severity=severity_of(meta),
        unexpected_count=unexpected_count,
        unexpected_sample=sample,
        details={**details, "exception": exception},
    )
