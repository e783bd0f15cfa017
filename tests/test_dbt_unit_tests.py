"""The dbt unit tests (fixed input rows -> expected output rows, `unit_tests:` in the model ymls).

The pipeline's `dbt build` leaves them out (they test the SQL, not the night's data); they run
here, once, against a copy of the demo warehouse (dbt needs the upstream relations to exist).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from salesops.settings import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow


def test_every_dbt_unit_test_passes(demo_run, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_run.warehouse, warehouse)
    target = tmp_path / "target"  # keep the project's own target/ (Dagster's manifest) untouched
    dbt = Path(sys.executable).with_name("dbt")
    proc = subprocess.run(
        [str(dbt), "test", "--select", "test_type:unit", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target)],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=900,
        env={**os.environ, "SALESOPS_WAREHOUSE": str(warehouse)},
    )
    results = json.loads((target / "run_results.json").read_text())["results"]
    failed = [r["unique_id"] for r in results if r["status"] != "pass"]
    assert proc.returncode == 0 and not failed, failed or proc.stdout[-3000:]
    unit = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit) == len(results) >= 79
