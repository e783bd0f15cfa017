"""Load an expectation suite from its JSON file, strictly.

The file is GX's own suite serialisation (``name``, ``expectations`` with ``type``/``kwargs``/
``meta``, suite ``meta``/``notes``). Severity is data, not code: each expectation's
``meta.severity`` is ``"error"`` (the default) or ``"warning"``. The suite's optional
``meta.row_id_columns`` (e.g. ``["opportunity_id"]``) names the columns that identify a row, so
failures of column checks can say which rows failed.

``ExpectationSuite(expectations=[...dicts])`` silently drops (logs) an expectation it cannot
build, which would quietly weaken the gate, so expectations are built one by one here and any
invalid one raises.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from great_expectations import ExpectationSuite
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

Severity = Literal["error", "warning"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning")
DEFAULT_SEVERITY: Severity = "error"
ROW_ID_COLUMNS = "row_id_columns"


class SuiteFileError(ValueError):
    """The suite file is not a valid suite."""


def severity_of(meta: dict[str, Any] | None) -> Severity:
    """The severity declared in an expectation's ``meta`` (default ``"error"``)."""
    value = (meta or {}).get("severity", DEFAULT_SEVERITY)
    if value not in SEVERITIES:
        raise SuiteFileError(f"severity must be one of {SEVERITIES}, not {value!r}")
    return value


def load_suite(path: Path) -> ExpectationSuite:
    """Build an ``ExpectationSuite`` from ``path``; raise :class:`SuiteFileError` if invalid."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SuiteFileError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict) or not raw.get("name"):
        raise SuiteFileError(f"{path}: a suite is a JSON object with a non-empty 'name'")
    row_ids = (raw.get("meta") or {}).get(ROW_ID_COLUMNS, [])
    if not isinstance(row_ids, list) or not all(isinstance(c, str) and c for c in row_ids):
        raise SuiteFileError(f"{path}: meta.{ROW_ID_COLUMNS} must be a list of column names")
    entries = raw.get("expectations")
    if not isinstance(entries, list) or not entries:
        raise SuiteFileError(f"{path}: 'expectations' must be a non-empty list")

    expectations = []
    for index, entry in enumerate(entries):
        where = f"{path}: expectations[{index}]"
        if not isinstance(entry, dict) or "type" not in entry:
            raise SuiteFileError(f"{where}: needs a 'type'")
        meta = entry.get("meta") or {}
        try:
            severity_of(meta)
            config = ExpectationConfiguration(
                type=entry["type"],
                kwargs=entry.get("kwargs") or {},
                meta=meta,
                notes=entry.get("notes"),
            )
            expectations.append(config.to_domain_obj())
        except Exception as exc:  # GX raises several unrelated types for a bad configuration
            raise SuiteFileError(f"{where} ({entry['type']}): {exc}") from exc

    return ExpectationSuite(
        name=raw["name"],
        expectations=expectations,
        meta=raw.get("meta") or {},
        notes=raw.get("notes"),
    )
