"""Configuration by environment variable: every setting, its default, and its check.

`SETTINGS` lists each `SALESOPS_*` variable the pipeline reads, with its default and meaning (the
README's table and `salesops --help` come from the same words). `settings_problems()` checks them
all at once, before any work starts: the CLI refuses to run with one line per bad value, and the
Dagster code location still loads but reports them (see orchestration/defs/settings_check.py).
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DEFAULT_HR_COLUMN_MAP = PROJECT_ROOT / "config" / "hr_columns.yml"


DUCKDB_MEMORY_LIMIT_VAR = "SALESOPS_DUCKDB_MEMORY_LIMIT"
DEFAULT_DUCKDB_MEMORY_LIMIT = "4GB"
_MEMORY = re.compile(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)

DEFAULT_KEEP_VERSIONS = 7
DEFAULT_MAX_DROP_AGE_DAYS = 2
DEFAULT_FRESHNESS_HOURS = 26.0

FIRST_DROP_DATE_VAR = "SALESOPS_FIRST_DROP_DATE"
DEFAULT_FIRST_DROP_DATE = "2000-01-01"
"""The daily partitions of drop dates start here. Early enough for any real extract (Salesforce
itself dates from 1999); ~10,000 daily partitions cost Dagster nothing noticeable."""


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for the warehouse's writers (ingestion here, dbt through
    dbt_project/profiles.yml): beyond it DuckDB spills to a temporary folder beside the
    warehouse instead of growing (DuckDB's own default is 80% of the machine's memory)."""
    return Settings.from_env().duckdb_memory_limit


def first_drop_date(environ: Mapping[str, str] | None = None) -> dt.date:
    """SALESOPS_FIRST_DROP_DATE, or its default when unset or invalid (a bad value is reported
    by settings_problems(), never by failing the code location's load)."""
    return Settings.from_env(environ).first_drop_date


def _environment(environ: Mapping[str, str] | None) -> dict[str, str]:
    """The variables salesops reads, as they are now: the one place that reads the process's
    environment (every other module asks a Settings)."""
    source = os.environ if environ is None else environ
    return {k: v for k, v in source.items()
            if k.startswith("SALESOPS_") or k in ("DAGSTER_HOME", "DBT_TARGET_PATH")}


@dataclass(frozen=True)
class Settings:
    """Every setting of salesops, from one snapshot of the environment.

    The five folders are fields; the other settings are typed properties that parse their
    variable when asked (a bad value raises ValueError naming the variable; `settings_problems`
    reports them all up front). Tests may build one by hand with the folders they need.
    """

    landing_dir: Path
    warehouse: Path
    publish_dir: Path
    hr_column_map: Path
    expectations_dir: Path
    env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = _environment(environ)

        def path(var: str, default: str) -> Path:
            # relative values are taken from the current directory
            return Path(env.get(var) or default).expanduser().resolve()

        return cls(
            landing_dir=path("SALESOPS_LANDING_DIR", "data/landing"),
            warehouse=path("SALESOPS_WAREHOUSE", "data/warehouse.duckdb"),
            publish_dir=path("SALESOPS_PUBLISH_DIR", "data/published"),
            hr_column_map=path("SALESOPS_HR_COLUMN_MAP", str(DEFAULT_HR_COLUMN_MAP)),
            expectations_dir=path("SALESOPS_EXPECTATIONS_DIR", str(EXPECTATIONS_DIR)),
            env=env,
        )

    def _raw(self, var: str) -> str:
        return (self.env.get(var) or "").strip()

    def _optional_path(self, var: str) -> Path | None:
        value = self._raw(var)
        return Path(value).expanduser().resolve() if value else None

    def _checked(self, var: str) -> str | None:
        """The variable's value, or None when unset; a ValueError when its check (the one in
        SETTINGS, which settings_problems() applies too) fails."""
        value = self._raw(var)
        if not value:
            return None
        wrong = _CHECKS[var](value)
        if wrong:
            raise ValueError(problem_text(var, value, wrong))
        return value

    @property
    def as_of_date(self) -> dt.date:
        """SALESOPS_AS_OF_DATE: the day the freshness checks judge the data for (today, UTC)."""
        value = self._checked("SALESOPS_AS_OF_DATE")
        return dt.date.fromisoformat(value) if value else dt.datetime.now(dt.UTC).date()

    @property
    def max_drop_age_days(self) -> int:
        value = self._checked("SALESOPS_MAX_DROP_AGE_DAYS")
        return int(value) if value else DEFAULT_MAX_DROP_AGE_DAYS

    @property
    def first_drop_date(self) -> dt.date:
        """Lenient: the default when unset or invalid (see first_drop_date())."""
        value = self._raw(FIRST_DROP_DATE_VAR)
        ok = value and not _CHECKS[FIRST_DROP_DATE_VAR](value)
        return dt.date.fromisoformat(value if ok else DEFAULT_FIRST_DROP_DATE)

    @property
    def keep_versions(self) -> int:
        value = self._checked("SALESOPS_KEEP_VERSIONS")
        return int(value) if value else DEFAULT_KEEP_VERSIONS

    @property
    def duckdb_memory_limit(self) -> str:
        return self._checked(DUCKDB_MEMORY_LIMIT_VAR) or DEFAULT_DUCKDB_MEMORY_LIMIT

    @property
    def gx_docs_dir(self) -> Path:
        return self._optional_path("SALESOPS_GX_DOCS_DIR") or self.warehouse.parent / "gx_docs"

    @property
    def nightly_cron(self) -> str:
        """Lenient (the schedule is defined when the location loads): the default if bad."""
        value = self._raw("SALESOPS_NIGHTLY_CRON")
        return value if value and not _CHECKS["SALESOPS_NIGHTLY_CRON"](value) else "0 2 * * *"

    @property
    def timezone(self) -> str:
        value = self._raw("SALESOPS_TIMEZONE")
        return value if value and not _CHECKS["SALESOPS_TIMEZONE"](value) else "UTC"

    @property
    def alert_webhook_url(self) -> str | None:
        return self._raw("SALESOPS_ALERT_WEBHOOK_URL") or None

    @property
    def failure_log(self) -> Path:
        return (self._optional_path("SALESOPS_FAILURE_LOG")
                or self.warehouse.parent / "run_failures.jsonl")

    @property
    def freshness_hours(self) -> float:
        value = self._checked("SALESOPS_FRESHNESS_HOURS")
        return float(value) if value else DEFAULT_FRESHNESS_HOURS

    @property
    def log_level(self) -> str:
        return (self._checked("SALESOPS_LOG_LEVEL") or "INFO").upper()

    @property
    def log_dir(self) -> Path:
        return self._optional_path("SALESOPS_LOG_DIR") or self.warehouse.parent / "logs"

    @property
    def dbt_target(self) -> str:
        """SALESOPS_DBT_TARGET: the profiles.yml output the pipeline's dbt builds (duckdb or
        spark_local; docs/spark.md)."""
        return self._checked("SALESOPS_DBT_TARGET") or "duckdb"

    @property
    def spark_dir(self) -> Path:
        """Where the spark_local output keeps its metastore, tables and the raw Parquet."""
        return self._optional_path("SALESOPS_SPARK_DIR") or self.warehouse.parent / "spark"

    @property
    def spark_driver_memory(self) -> str:
        return self._checked("SALESOPS_SPARK_DRIVER_MEMORY") or "4g"

    @property
    def dagster_home(self) -> str | None:
        return self._raw("DAGSTER_HOME") or None

    @property
    def dbt_target_path(self) -> str:
        """dbt's DBT_TARGET_PATH (relative: under the dbt project), default `target`."""
        return self._raw("DBT_TARGET_PATH") or "target"

    @property
    def test_publish_pause_seconds(self) -> float:
        """Test-only (tests/test_recovery.py kills a publish in this pause)."""
        value = self._raw("SALESOPS_TEST_PUBLISH_PAUSE_SECONDS")
        return float(value) if value else 0.0


# ---- the settings and their checks ------------------------------------------------------------

Check = Callable[[str], str | None]
"""A check takes the (stripped, non-empty) value and returns what is wrong with it, or None."""


def _is_date(value: str) -> str | None:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return "expected a date YYYY-MM-DD"
    return None if len(value) == 10 else "expected a date YYYY-MM-DD"


def _is_whole(minimum: int, what: str) -> Check:
    def check(value: str) -> str | None:
        ok = value.isascii() and value.isdigit() and int(value) >= minimum
        return None if ok else f"expected a whole number >= {minimum} ({what})"
    return check


def _is_positive_number(what: str) -> Check:
    def check(value: str) -> str | None:
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        ok = number > 0 and number != float("inf")
        return None if ok else f"expected a positive number ({what})"
    return check


def _is_memory(value: str) -> str | None:
    return None if _MEMORY.fullmatch(value) else "expected a size such as 4GB or 512MB"


def _is_cron(value: str) -> str | None:
    from dagster._utils.schedules import is_valid_cron_string

    return None if is_valid_cron_string(value) else (
        "expected a cron expression such as '0 2 * * *' (minute hour day month weekday)")


def _is_timezone(value: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "expected an IANA time zone such as UTC or Europe/Berlin"
    return None


def _is_url(value: str) -> str | None:
    parts = urlsplit(value)
    ok = parts.scheme in ("http", "https") and bool(parts.netloc)
    return None if ok else "expected an http(s):// URL (an incoming-webhook address)"


def _is_log_level(value: str) -> str | None:
    levels = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    return None if value.upper() in levels else f"expected one of {', '.join(levels)}"


PIPELINE_DBT_TARGETS = ("duckdb", "spark_local")


def _is_pipeline_dbt_target(value: str) -> str | None:
    if value not in PIPELINE_DBT_TARGETS:
        return (f"expected {' or '.join(PIPELINE_DBT_TARGETS)} (the pipeline's dbt; the "
                "spark_thrift and databricks outputs are for a dbt run by hand, docs/spark.md)")
    if value == "spark_local":
        from salesops.spark_build import spark_problem

        return spark_problem()
    return None


_JVM_MEMORY = re.compile(r"[1-9][0-9]*[kmgt]", re.IGNORECASE)


def _is_jvm_memory(value: str) -> str | None:
    return None if _JVM_MEMORY.fullmatch(value) else "expected a JVM size such as 4g or 2048m"


def _is_dir(value: str) -> str | None:
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        return f"{path} is a file, not a folder"
    return None


def _is_existing_dir(value: str) -> str | None:
    path = Path(value).expanduser()
    if not path.is_dir():
        return (f"{path} is not an existing folder (Dagster's instance; `make setup` makes "
                ".dagster_home with the pool config, or unset it for a throwaway instance)")
    return None


def _is_folder_for_file(value: str) -> str | None:
    path = Path(value).expanduser().resolve()
    if path.is_dir():
        return f"{path} is a folder; expected a file path"
    return None


def _is_hr_column_map(value: str) -> str | None:
    from salesops.ingest.hr_columns import load_hr_column_map

    try:
        load_hr_column_map(Path(value).expanduser().resolve())
    except (OSError, ValueError) as exc:
        return str(exc).replace(" (SALESOPS_HR_COLUMN_MAP)", "")
    except Exception as exc:  # a YAML syntax error
        return f"not a readable column map: {str(exc).splitlines()[0]}"
    return None


def _is_expectations_dir(value: str) -> str | None:
    path = Path(value).expanduser().resolve()
    missing = [p for p in ("raw", "marts") if not (path / p).is_dir()]
    if missing:
        return f"{path} must hold the suite folders raw/ and marts/ (missing: {', '.join(missing)})"
    return None


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    meaning: str
    check: Check | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting("SALESOPS_LANDING_DIR", "data/landing",
            "where the extracts land: <landing>/{crm,hr,lms}/<YYYY-MM-DD>/ with _SUCCESS", _is_dir),
    Setting("SALESOPS_WAREHOUSE", "data/warehouse.duckdb",
            "the DuckDB warehouse Dagster and dbt write", _is_folder_for_file),
    Setting("SALESOPS_PUBLISH_DIR", "data/published",
            "what BI tools read: salesops.duckdb and parquet/<mart>.parquet", _is_dir),
    Setting("SALESOPS_HR_COLUMN_MAP", "config/hr_columns.yml",
            "your HR report's column names -> the contract's", _is_hr_column_map),
    Setting("SALESOPS_EXPECTATIONS_DIR", "expectations",
            "the Great Expectations suites (raw/, marts/)", _is_expectations_dir),
    Setting("SALESOPS_AS_OF_DATE", "today (UTC)",
            "the day the freshness checks judge the data for", _is_date),
    Setting("SALESOPS_MAX_DROP_AGE_DAYS", str(DEFAULT_MAX_DROP_AGE_DAYS),
            "how many days old a system's newest drop may be before its freshness check warns",
            _is_whole(0, "days")),
    Setting("SALESOPS_FIRST_DROP_DATE", DEFAULT_FIRST_DROP_DATE,
            "the first day a drop can be dated (the daily partitions start here)", _is_date),
    Setting("SALESOPS_KEEP_VERSIONS", str(DEFAULT_KEEP_VERSIONS),
            "how many published versions are kept for `salesops restore`",
            _is_whole(1, "how many published versions to keep")),
    Setting("SALESOPS_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT,
            "DuckDB's memory limit for ingestion and dbt (beyond it DuckDB spills to disk)",
            _is_memory),
    Setting("SALESOPS_GX_DOCS_DIR", "<warehouse folder>/gx_docs",
            "where the Great Expectations Data Docs of each run go", _is_dir),
    Setting("SALESOPS_NIGHTLY_CRON", "0 2 * * *", "when the nightly schedule runs", _is_cron),
    Setting("SALESOPS_TIMEZONE", "UTC", "the nightly schedule's time zone", _is_timezone),
    Setting("SALESOPS_ALERT_WEBHOOK_URL", "unset",
            "a failed run posts a one-line message here (Slack/Teams incoming webhook)", _is_url),
    Setting("SALESOPS_FAILURE_LOG", "<warehouse folder>/run_failures.jsonl",
            "every failed run is recorded here", _is_folder_for_file),
    Setting("SALESOPS_FRESHNESS_HOURS", f"{DEFAULT_FRESHNESS_HOURS:g}",
            "the marts are stale (freshness checks warn) when not updated for this long",
            _is_positive_number("hours")),
    Setting("SALESOPS_LOG_LEVEL", "INFO",
            "the level of the run's log file (and of the terminal with --verbose)", _is_log_level),
    Setting("SALESOPS_LOG_DIR", "<warehouse folder>/logs",
            "where `salesops run` writes each run's full log", _is_dir),
    Setting("SALESOPS_DBT_TARGET", "duckdb",
            "the engine of the pipeline's dbt: duckdb, or spark_local (a local Spark; the marts "
            "come back to the warehouse for the checks and publishing)", _is_pipeline_dbt_target),
    Setting("SALESOPS_SPARK_DIR", "<warehouse folder>/spark",
            "spark_local: Spark's metastore, tables and the raw layer as Parquet", _is_dir),
    Setting("SALESOPS_SPARK_DRIVER_MEMORY", "4g", "spark_local: the Spark driver's memory",
            _is_jvm_memory),
    Setting("DAGSTER_HOME", "unset (the Makefile sets .dagster_home)",
            "Dagster's instance: run history and the writers' pool (config/dagster.yaml)",
            _is_existing_dir),
)

_CHECKS: dict[str, Check] = {s.name: s.check for s in SETTINGS if s.check is not None}


def problem_text(var: str, value: str, wrong: str) -> str:
    """One bad setting in one line: `SALESOPS_KEEP_VERSIONS='abc': expected ...`."""
    return f"{var}={value!r}: {wrong}"


DEVELOPMENT_VARIABLES = frozenset({
    # read by the tests and the benchmark harness, not by the pipeline
    "SALESOPS_TEST_PRESET", "SALESOPS_TEST_SEED", "SALESOPS_TEST_PUBLISH_PAUSE_SECONDS",
    "SALESOPS_TEST_SPARK", "SALESOPS_UPDATE_SNAPSHOTS", "SALESOPS_CHROMIUM",
    "SALESOPS_BENCH_TEST", "SALESOPS_BENCH_RESULTS_DIR", "SALESOPS_BENCH_CACHE_DIR",
    # read by dbt's profiles.yml for a dbt run by hand on a Spark cluster (docs/spark.md)
    "SALESOPS_SPARK_THRIFT_HOST", "SALESOPS_SPARK_THRIFT_PORT", "SALESOPS_SPARK_THRIFT_USER",
    "SALESOPS_SPARK_SCHEMA",
})

SETTING_NAMES = frozenset(s.name for s in SETTINGS)


def settings_problems(environ: Mapping[str, str] | None = None) -> list[str]:
    """One line per bad setting (empty when every value is good), each naming the variable, its
    value and what was expected. A `SALESOPS_*` variable that no setting has is a problem too
    (a mistyped name would otherwise be ignored silently); the closest known name is suggested."""
    environ = _environment(environ)
    problems = []
    for setting in SETTINGS:
        value = (environ.get(setting.name) or "").strip()
        if not value or setting.check is None:
            continue
        wrong = setting.check(value)
        if wrong:
            problems.append(problem_text(setting.name, value, wrong))
    for name in sorted(environ):
        if not name.startswith("SALESOPS_") or name in SETTING_NAMES:
            continue
        if name in DEVELOPMENT_VARIABLES or name.startswith(("SALESOPS_TEST_", "SALESOPS_BENCH_")):
            continue
        close = difflib.get_close_matches(name, SETTING_NAMES, n=1, cutoff=0.75)
        hint = f"did you mean {close[0]}?" if close else "see `salesops --help` for the settings"
        problems.append(f"{name}: not a salesops setting ({hint})")
    return problems


def settings_help() -> str:
    """The settings as `salesops --help` lists them."""
    lines = ["settings (environment variables; relative paths are taken from the current folder):"]
    for s in SETTINGS:
        lines.append(f"  {s.name:<30} {s.meaning} [default: {s.default}]")
    return "\n".join(lines)
