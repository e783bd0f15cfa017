"""Which suites exist: one JSON file per checked table under ``expectations/``.

    expectations/raw/<table>.json     a raw source table (``meta.table`` = ``raw.<table>``)
    expectations/marts/<model>.json   a fact or published mart (``marts.<model>``)

Each suite names the table it checks in ``meta.table``; its Dagster asset check is
``gx_<table name>`` on that table's asset.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from salesops.quality.suite import SuiteFileError, read_suite_file

LAYERS = ("raw", "marts")


@dataclass(frozen=True)
class SuiteFile:
    path: Path
    name: str
    table: str  # schema.table

    @property
    def schema(self) -> str:
        return self.table.partition(".")[0]

    @property
    def table_name(self) -> str:
        return self.table.partition(".")[2]

    @property
    def check_name(self) -> str:
        return f"gx_{self.table_name}"


def discover(expectations_dir: Path) -> list[SuiteFile]:
    """Every suite under ``expectations_dir``/{raw,marts}, sorted by table."""
    suites: dict[str, SuiteFile] = {}
    for layer in LAYERS:
        for path in sorted((Path(expectations_dir) / layer).glob("*.json")):
            raw = read_suite_file(path)
            table = (raw.get("meta") or {}).get("table")
            if not isinstance(table, str) or table.count(".") != 1:
                raise SuiteFileError(f"{path}: meta.table must be '<schema>.<table>'")
            if table.partition(".")[0] != layer:
                raise SuiteFileError(f"{path}: a suite in {layer}/ checks a {layer}.* table")
            if table in suites:
                raise SuiteFileError(f"{path}: {table} already has a suite ({suites[table].path})")
            suites[table] = SuiteFile(path=path, name=raw["name"], table=table)
    return sorted(suites.values(), key=lambda s: s.table)
