"""Dependencies point one way: salesops_cli -> orchestration -> salesops (the library).

The library never imports the orchestrator or the command line; the orchestrator never imports
the command line. Checked on the import statements of every module (imports inside functions
included)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "salesops": ("orchestration", "salesops_cli"),
    "orchestration": ("salesops_cli",),
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_module_imports_a_layer_above_it(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & set(FORBIDDEN[package]))
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_environment_is_read_in_one_module():
    """salesops/settings.py reads the environment; every other module asks a Settings. (Writes
    that hand a value to a child process, e.g. dbt's SALESOPS_WAREHOUSE, are not reads.)"""
    import re

    # any use of os.environ but a write (`os.environ[k] = v`, `.setdefault(`) or handing the
    # whole environment to a child process (`{**os.environ, ...}`); and os.getenv
    read = re.compile(r"(?<!\*\*)os\.environ(?!\[[^\]]+\]\s*=(?!=)|\.setdefault\()|os\.getenv\(")
    readers = sorted(
        str(path.relative_to(ROOT))
        for package in ("salesops", "orchestration", "salesops_cli")
        for path in (ROOT / package).rglob("*.py")
        if read.search(path.read_text(encoding="utf-8"))
    )
    assert readers == ["salesops/settings.py"]
