"""Load an expectation suite from its JSON file, strictly.

The file is GX's own suite serialisation (``name``, ``expectations`` with ``type``/``kwargs``/
``meta``, suite ``meta``/``notes``). Severity is data, not code: each expectation's
``meta.severity`` is ``"error"`` (the default) or ``"warning"``. The suite's optional
``meta.row_id_columns`` (e.g. ``["opportunity_id"]``) names the columns that identify a row, so
failures of column checks can say which rows failed.

Parameters: values known only at run time (the as-of date, the previous publish's row count)
are written in the suite as ``{"$PARAMETER": "name"}`` (a whole kwarg value) or ``${name}``
inside a string (e.g. an ``unexpected_rows_query``), and :func:`load_suite` substitutes them
from ``params`` (see :mod:`salesops.quality.parameters` for the names). An unknown name is an
error, so a typo can't silently disable a check.

``ExpectationSuite(expectations=[...dicts])`` silently drops (logs) an expectation it cannot
build, which would quietly weaken the gate, so expectations are built one by one here and any
invalid one raises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # GX is imported when a suite is built, not when a file is only read
    from great_expectations import ExpectationSuite

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


_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def read_suite_file(path: Path) -> dict[str, Any]:
    """The suite file's JSON object (no parameters substituted)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SuiteFileError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict) or not raw.get("name"):
        raise SuiteFileError(f"{path}: a suite is a JSON object with a non-empty 'name'")
    return raw


def parameter_names(value: Any) -> set[str]:
    """Every parameter a suite (or part of one) refers to."""
    if isinstance(value, dict):
        if set(value) == {"$PARAMETER"}:
            return {str(value["$PARAMETER"])}
        return set().union(*(parameter_names(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(parameter_names(v) for v in value))
    if isinstance(value, str):
        return set(_PLACEHOLDER.findall(value))
    return set()


def substitute(value: Any, params: Mapping[str, Any], where: str = "suite") -> Any:
    """``value`` with every ``{"$PARAMETER": name}`` and ``${name}`` replaced from ``params``."""
    if isinstance(value, dict):
        if set(value) == {"$PARAMETER"}:
            name = str(value["$PARAMETER"])
            if name not in params:
                raise SuiteFileError(
                    f"{where}: unknown parameter {name!r}; known: {sorted(params)}"
                )
            return params[name]
        return {k: substitute(v, params, where) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, params, where) for v in value]
    if isinstance(value, str):
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in params or params[name] is None:
                raise SuiteFileError(
                    f"{where}: parameter {name!r} has no value here; known: {sorted(params)}"
                )
            return str(params[name])

        return _PLACEHOLDER.sub(one, value)
    return value


def load_suite(path: Path, params: Mapping[str, Any] | None = None) -> ExpectationSuite:
    """Build an ``ExpectationSuite`` from ``path``; raise :class:`SuiteFileError` if invalid.

    ``params`` fills the suite's ``{"$PARAMETER": name}`` values and ``${name}`` placeholders.
    """
    from great_expectations import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    raw = read_suite_file(path)
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
        kwargs = substitute(entry.get("kwargs") or {}, params or {}, where)
        try:
            severity_of(meta)
            config = ExpectationConfiguration(
                type=entry["type"],
                kwargs=kwargs,
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
