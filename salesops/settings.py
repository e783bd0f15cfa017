"""Configuration by environment variable, with the defaults documented in the README."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DEFAULT_HR_COLUMN_MAP = PROJECT_ROOT / "config" / "hr_columns.yml"


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
