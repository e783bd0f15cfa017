"""Configuration by environment variable, with the defaults documented in the README."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DEFAULT_HR_COLUMN_MAP = PROJECT_ROOT / "config" / "hr_columns.yml"


DUCKDB_MEMORY_LIMIT_VAR = "SALESOPS_DUCKDB_MEMORY_LIMIT"
DEFAULT_DUCKDB_MEMORY_LIMIT = "4GB"
_MEMORY = re.compile(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for the warehouse's writers (ingestion here, dbt through
    dbt_project/profiles.yml): beyond it DuckDB spills to a temporary folder beside the
    warehouse instead of growing (DuckDB's own default is 80% of the machine's memory)."""
    value = os.environ.get(DUCKDB_MEMORY_LIMIT_VAR, "").strip() or DEFAULT_DUCKDB_MEMORY_LIMIT
    if not _MEMORY.fullmatch(value):
        raise ValueError(
            f"{DUCKDB_MEMORY_LIMIT_VAR}={value!r}: expected a size such as 4GB or 512MB"
        )
    return value


def _path(var: str, default: str) -> Path:
    """An absolute path from the variable, relative values taken from the current directory."""
    return Path(os.environ.get(var) or default).expanduser().resolve()


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse: Path
    publish_dir: Path
    hr_column_map: Path
    expectations_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            landing_dir=_path("SALESOPS_LANDING_DIR", "data/landing"),
            warehouse=_path("SALESOPS_WAREHOUSE", "data/warehouse.duckdb"),
            publish_dir=_path("SALESOPS_PUBLISH_DIR", "data/published"),
            hr_column_map=_path("SALESOPS_HR_COLUMN_MAP", str(DEFAULT_HR_COLUMN_MAP)),
            expectations_dir=_path("SALESOPS_EXPECTATIONS_DIR", str(EXPECTATIONS_DIR)),
        )
