"""Scaffold a starting Great Expectations suite for a published mart from its dbt yml.

    python scripts/scaffold_mart_suite.py kpi_new_mart            # print the suite
    python scripts/scaffold_mart_suite.py kpi_new_mart --write    # writes expectations/marts/

What it generates (see expectations/marts/README.md for the conventions). Only what the GX
suites own (expectations/README.md): the model's columns, NOT NULL and grain uniqueness are the
dbt yml's (enforced contract, ``not_null`` constraints, ``unique_combination`` test), so the
suite has no contract-columns, not-null or uniqueness expectation:

- volume against the previous publish: a drop below ``volume_min`` (error) and growth above
  ``volume_max`` (warning), with ``meta.volume_band`` (default 0.5);
- the grain's format, from the model's ``unique_combination`` test (or a column's ``unique``
  test): period columns are first days of a month and ``rep_email`` is lower-cased and trimmed;
- ranges by type and name: bigint/integer measures (counts) >= 0; ``*scaled_score`` in [-1, 1];
  ``retention_rate`` <= 1; turnover, attainment and accuracy ratios >= 0 (they can exceed 1);
  other ``*_rate`` / ``*_share`` columns in [0, 1]; amounts, forecasts, pipelines, hours, days,
  minutes, headcounts, velocities and ``*_per_*`` ratios >= 0. Columns it has no rule for are
  listed on stderr.

It does not write internal-consistency rules (``unexpected_rows_expectation``): add them by hand.
The committed JSON files are the source of truth and are edited by hand; this script gives a new
mart a starting point, and refuses to overwrite an existing suite unless ``--force``.

    python scripts/scaffold_mart_suite.py --check                 # every kpi_* suite

``--check`` (and tests/test_check_ownership.py) compares every committed suite with what this
script generates from its yml: each generated expectation must be in the suite as generated,
except that a range may be narrowed by hand (then with its own purpose), e.g. the rep-grain
caps of ``kpi_crm_usage``. So the same range repeated over a family's rep, team, region and
company suites can't drift, and a reviewer still reads the JSON that runs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
MODELS_DIR = ROOT / "models" / "marts"
SUITES_DIR = ROOT / "expectations" / "marts"
DEFAULT_VOLUME_BAND = 0.5
PERIOD_COLUMNS = {"month", "close_month", "close_quarter", "quarter"}
INTEGER_TYPES = {"bigint", "integer", "int", "smallint", "hugeint"}

SEVERITY_POLICY = (
    "Each expectation's meta.severity is 'error' or 'warning'. 'error' is reserved for failures "
    "that would make the published KPIs wrong or mean the pipeline is broken (any failed error "
    "blocks the publish); 'warning' reports an unusual but possible state and never blocks."
)


def load_models(models_dir: Path = MODELS_DIR) -> dict[str, dict[str, Any]]:
    """Every model described in the ymls under ``models_dir`` (YAML anchors resolved)."""
    models: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(models_dir).rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models") or []:
            models[model["name"]] = model
    return models


def contract_columns(model: dict[str, Any]) -> list[str]:
    return [c["name"] for c in model.get("columns") or []]


def _tests(entry: dict[str, Any]) -> list[Any]:
    return list(entry.get("data_tests") or entry.get("tests") or [])


def _test_args(test: dict[str, Any], name: str) -> dict[str, Any]:
    body = test.get(name) or {}
    return {**body, **(body.get("arguments") or {})}


def grain_columns(model: dict[str, Any]) -> list[str]:
    """The columns identifying a row: the unique-combination test, else a unique column."""
    for test in _tests(model):
        if not isinstance(test, dict):
            continue
        for name in test:
            if name.split(".")[-1] in ("unique_combination", "unique_combination_of_columns"):
                args = _test_args(test, name)
                columns = args.get("columns") or args.get("combination_of_columns")
                if columns:
                    return list(columns)
    for column in model.get("columns") or []:
        if "unique" in [t for t in _tests(column) if isinstance(t, str)]:
            return [column["name"]]
    raise ValueError(f"{model['name']}: no grain (unique_combination test or unique column)")


def not_null_columns(model: dict[str, Any]) -> set[str]:
    """Columns with a ``not_null`` constraint (or, on a model without a contract, test)."""
    return {
        c["name"] for c in model.get("columns") or []
        if "not_null" in [t for t in _tests(c) if isinstance(t, str)]
        or any(k.get("type") == "not_null" for k in c.get("constraints") or [])
    }


def expectation(kind: str, kwargs: dict[str, Any], severity: str, purpose: str,
                name: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"severity": severity, "purpose": purpose}
    if name:
        meta["name"] = name
    return {"type": kind, "kwargs": kwargs, "meta": meta}


def unexpected_rows(name: str, query: str, description: str, purpose: str,
                    severity: str = "error") -> dict[str, Any]:
    return expectation(
        "unexpected_rows_expectation",
        {"unexpected_rows_query": " ".join(query.split()), "description": description},
        severity, purpose, name,
    )


def range_rule(column: dict[str, Any]) -> tuple[float | None, float | None, str] | None:
    """(min, max, purpose) for a measure column, or None when no rule applies."""
    name, data_type = column["name"], str(column.get("data_type", "")).lower()
    if data_type in INTEGER_TYPES:
        return 0, None, (
            f"Range: {name} is a count (or a sum of counts) and can't be negative; a negative "
            "value means a broken sum or join upstream."
        )
    if data_type not in ("double", "float", "decimal", "numeric", "real"):
        return None
    if name.endswith("scaled_score"):
        return -1, 1, (
            f"Range: {name} is an average of xAPI result.score.scaled values, which are -1..1 "
            "(CONTRACT; ingestion quarantines others), so it lies in [-1, 1]; outside means a "
            "score on another scale leaked in. NULL (no scored attempt) passes."
        )
    if name == "retention_rate":
        return None, 1, (
            "Range: retention_rate = 1 - turnover_rate (METRICS 2) is at most 1. No lower bound: "
            "turnover is separations / average headcount and exceeds 1 when a small group loses "
            "more people than its average headcount. NULL (no headcount) passes."
        )
    if re.search(r"turnover_rate|attainment|accuracy", name):
        return 0, None, (
            f"Range: {name} is a ratio of non-negative numbers, so >= 0; it legitimately exceeds "
            "1 (over-achievement, a forecast beaten, a small group losing more people than its "
            "average headcount), so there is no upper bound. NULL (0 denominator) passes."
        )
    if re.search(r"(^|_)(rate|share|ratio)(_|$)", name):
        return 0, 1, (
            f"Range: {name} is the share of a population that holds its numerator (METRICS), so "
            "it lies in [0, 1]; outside means double counting or a broken join. NULL (a 0 "
            "denominator, METRICS) passes."
        )
    if re.search(r"amount|forecast|pipeline|hours|days|minutes|headcount|velocity|_per_", name):
        return 0, None, (
            f"Range: {name} is built from non-negative amounts, durations or counts, so >= 0; a "
            "negative value means a sign error, a bad conversion rate or a negative cycle leaking "
            "in (METRICS 6 excludes them). NULL (an empty population) passes."
        )
    return None


def grain_sql_rules(grain: list[str]) -> list[dict[str, Any]]:
    """The grain's format: period columns and rep_email (its uniqueness is the dbt test's)."""
    rules = []
    keys = ", ".join(grain)
    periods = [c for c in grain if c in PERIOD_COLUMNS]
    checks = [f"extract(day from {c}) <> 1" for c in periods]
    what, why = [], []
    if periods:
        verb = "is" if len(periods) == 1 else "are"
        what.append(f"{' and '.join(periods)} {verb} the first day of a month")
        why.append("periods are DATEs on the first day of their month (quarters start on one)")
    if "rep_email" in grain:
        checks.append("rep_email <> lower(trim(rep_email))")
        what.append("rep_email is lower-cased and trimmed")
        why.append("rep_email is the CRM User's e-mail, lower-cased")
    if checks:
        text = "; ".join(what)
        rules.append(unexpected_rows(
            "grain_format",
            f"select {keys} from {{batch}} where {' or '.join(checks)}",
            text[0].upper() + text[1:] + ".",
            f"Published interface (METRICS): {'; '.join(why)}. Otherwise one period or rep is "
            "split over several rows and BI filters and joins on the key miss rows.",
        ))
    return rules


def scaffold(model: dict[str, Any], band: float = DEFAULT_VOLUME_BAND) -> dict[str, Any]:
    """A starting suite for ``model`` (a dict from :func:`load_models`)."""
    name = model["name"]
    grain = grain_columns(model)
    not_null = not_null_columns(model)
    nullable = [c for c in grain if c not in not_null]
    keys = ", ".join(grain)
    grain_text = f"one row per {keys}" if len(grain) == 1 else f"one row per ({keys})"
    if nullable:
        grain_text += (f"; a NULL {' / '.join(nullable)} is a group of its own (e.g. no HR "
                       "match), one row like any other")
    exps = [
        expectation(
            "expect_table_row_count_to_be_between",
            {"min_value": {"$PARAMETER": "volume_min"}}, "error",
            "Volume: the mart lost more than meta.volume_band of the rows it had in the current "
            "publish; history only grows, so something upstream broke (a missing drop, a failed "
            "join). Open (0) before the first publish.",
            "volume_drop",
        ),
        expectation(
            "expect_table_row_count_to_be_between",
            {"min_value": 0, "max_value": {"$PARAMETER": "volume_max"}}, "warning",
            "Volume: the mart grew by more than meta.volume_band since the current publish; "
            "possible after a backfill, a new team or a new month, but also the sign of a fan-out "
            "join. Reported, never blocks. Open before the first publish.",
            "volume_growth",
        ),
    ]
    exps.extend(grain_sql_rules(grain))
    unruled = []
    for column in model.get("columns") or []:
        if column["name"] in grain:
            continue
        rule = range_rule(column)
        if rule is None:
            if str(column.get("data_type", "")).lower() not in ("string", "boolean", "date"):
                unruled.append(column["name"])
            continue
        low, high, purpose = rule
        kwargs: dict[str, Any] = {"column": column["name"]}
        if low is not None:
            kwargs["min_value"] = low
        if high is not None:
            kwargs["max_value"] = high
        exps.append(expectation("expect_column_values_to_be_between", kwargs, "error", purpose))
    if unruled:
        print(f"{name}: no range rule for {', '.join(unruled)}; add one by hand if it has a "
              "domain", file=sys.stderr)
    return {
        "name": name,
        "meta": {
            "table": f"marts.{name}",
            "grain": grain_text,
            "row_id_columns": grain,
            "volume_band": band,
            "severity_policy": SEVERITY_POLICY,
            "run_with": "salesops.quality.run_suites (expectations execute as SQL inside DuckDB)",
        },
        "notes": (
            f"Suite of the published mart {name} (models/marts). Columns and grain are the dbt "
            "yml's (its contract and unique_combination test own them, expectations/README.md); "
            "bounds come from METRICS.md and the column descriptions; each expectation's "
            "meta.purpose says what it protects. Scaffolded by scripts/scaffold_mart_suite.py, "
            "then edited by hand: this file is the source of truth."
        ),
        "expectations": exps,
    }


def _key(e: dict[str, Any]) -> tuple[str, str | None, str | None]:
    return e["type"], e["meta"].get("name"), e["kwargs"].get("column")


def _at_least_as_strict(committed: dict[str, Any], generated: dict[str, Any]) -> bool:
    low, high = generated.get("min_value"), generated.get("max_value")
    c_low, c_high = committed.get("min_value"), committed.get("max_value")
    return ((low is None or (c_low is not None and c_low >= low))
            and (high is None or (c_high is not None and c_high <= high))
            and set(committed) <= {"column", "min_value", "max_value"})


def drift(suite: dict[str, Any], model: dict[str, Any]) -> list[str]:
    """How the committed ``suite`` differs from what :func:`scaffold` makes of ``model``:
    an empty list when every generated expectation is in it as generated (a range may be
    narrowed by hand, see the module docstring)."""
    name = suite["name"]
    generated = scaffold(model, suite["meta"].get("volume_band", DEFAULT_VOLUME_BAND))
    problems = [
        f"{name}: meta.{field} is {suite['meta'].get(field)!r}, the yml gives "
        f"{generated['meta'][field]!r}"
        for field in ("grain", "row_id_columns")
        if suite["meta"].get(field) != generated["meta"][field]
    ]
    committed = {_key(e): e for e in suite["expectations"]}
    for want in generated["expectations"]:
        have = committed.get(_key(want))
        what = want["meta"].get("name") or want["kwargs"].get("column")
        label = f"{name}: {want['type']}({what})"
        if have is None:
            problems.append(f"{label} is missing")
        elif have["kwargs"] == want["kwargs"]:
            if have["meta"] != want["meta"]:
                problems.append(f"{label}: meta {have['meta']} differs from the generated "
                                f"{want['meta']}")
        elif not (want["type"] == "expect_column_values_to_be_between"
                  and _at_least_as_strict(have["kwargs"], want["kwargs"])
                  and have["meta"]["severity"] == want["meta"]["severity"]
                  and have["meta"]["purpose"] != want["meta"]["purpose"]):
            problems.append(f"{label}: {have['kwargs']} is not the generated {want['kwargs']} "
                            "(nor a narrower range with a purpose of its own)")
    return problems


def check_all(models: dict[str, dict[str, Any]], suites_dir: Path = SUITES_DIR) -> list[str]:
    """:func:`drift` of every committed ``kpi_*`` suite (scaffold's stderr notes dropped)."""
    problems: list[str] = []
    stderr, sys.stderr = sys.stderr, open(os.devnull, "w")  # noqa: SIM115
    try:
        for path in sorted(suites_dir.glob("kpi_*.json")):
            suite = json.loads(path.read_text(encoding="utf-8"))
            if suite["name"] not in models:
                problems.append(f"{path.name}: no model {suite['name']} in the ymls")
                continue
            problems += drift(suite, models[suite["name"]])
    finally:
        sys.stderr.close()
        sys.stderr = stderr
    return problems


def dump(suite: dict[str, Any]) -> str:
    return json.dumps(suite, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?", help="dbt model name, e.g. kpi_win_rate_team")
    parser.add_argument("--check", action="store_true",
                        help="compare every committed kpi_* suite with what this script generates")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    parser.add_argument("--band", type=float, default=DEFAULT_VOLUME_BAND,
                        help="meta.volume_band (default 0.5)")
    parser.add_argument("--write", action="store_true",
                        help=f"write {SUITES_DIR.relative_to(ROOT)}/<model>.json")
    parser.add_argument("--force", action="store_true", help="overwrite an existing suite")
    args = parser.parse_args(argv)

    models = load_models(args.models_dir)
    if args.check:
        problems = check_all(models)
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} differences" if problems else "every suite as generated")
        return 1 if problems else 0
    if args.model is None:
        parser.error("a model name (or --check)")
    if args.model not in models:
        print(f"no model {args.model!r} in the ymls under {args.models_dir}", file=sys.stderr)
        return 2
    text = dump(scaffold(models[args.model], args.band))
    if not args.write:
        sys.stdout.write(text)
        return 0
    target = SUITES_DIR / f"{args.model}.json"
    if target.exists() and not args.force:
        print(f"{target} exists (the committed suite is edited by hand); use --force",
              file=sys.stderr)
        return 1
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
