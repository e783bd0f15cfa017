"""The HR column mapping: source column names of the HRIS report -> contract names."""

from __future__ import annotations

from pathlib import Path

import yaml

from salesops.contract import HR_FILES


def load_hr_column_map(path: Path | None = None) -> dict[str, str]:
    if path is None:
        from salesops.settings import Settings

        path = Settings.from_env().hr_column_map
    if not path.is_file():
        raise FileNotFoundError(f"HR column map {path} does not exist (SALESOPS_HR_COLUMN_MAP)")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    mapping = data.get("columns") or {}
    if not isinstance(mapping, dict):
        raise ValueError(f"{path}: 'columns' must map source column names to contract names")
    known = {f.name for f in HR_FILES[0].fields}
    unknown = sorted(set(mapping.values()) - known)
    if unknown:
        raise ValueError(f"{path}: maps to columns the contract doesn't have: {unknown}")
    return {str(k): str(v) for k, v in mapping.items()}
