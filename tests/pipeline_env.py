"""The environment a test run of the pipeline needs, set for a block and restored afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

GENERATED_AS_OF = "2026-10-31"
"""The newest drop of every generated preset: freshness is judged as of that day."""

# Unset for a test run: no DAGSTER_HOME gives an ephemeral Dagster instance per run; the suites
# come from the project's expectations/ unless a test says otherwise.
_UNSET = ("DAGSTER_HOME", "SALESOPS_EXPECTATIONS_DIR")


@contextmanager
def pipeline_env(
    landing: Path, warehouse: Path, publish_dir: Path, as_of: str = GENERATED_AS_OF
) -> Iterator[None]:
    """SALESOPS_* pointing at these folders for the block; every variable restored after."""
    values = {
        "SALESOPS_LANDING_DIR": str(landing),
        "SALESOPS_WAREHOUSE": str(warehouse),
        "SALESOPS_PUBLISH_DIR": str(publish_dir),
        "SALESOPS_AS_OF_DATE": as_of,
    }
    saved = {k: os.environ.get(k) for k in [*values, *_UNSET]}
    os.environ.update(values)
    for k in _UNSET:
        os.environ.pop(k, None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
