"""Shared fixtures: one real pipeline run on generated data, for the tests that only read it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest


@dataclass(frozen=True)
class PipelineRun:
    landing_dir: Path
    warehouse: Path
    publish_dir: Path

    def published(self, sql: str, params: list | None = None) -> list[tuple]:
        """Rows of a query on the published database (read-only)."""
        return _query(self.publish_dir / "salesops.duckdb", sql, params)

    def warehouse_rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return _query(self.warehouse, sql, params)


def _query(db: Path, sql: str, params: list | None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, worker_id) -> Iterator[PipelineRun]:
    """The bundled `demo` sample data (seed 42, as `make demo` makes it) through the whole
    pipeline once: ingest, dbt, checks, publish. SALESOPS_TEST_PRESET=tiny for a quicker loop,
    SALESOPS_TEST_SEED=N to check the marts on data generated with another seed.

    Tests must only read it. The environment is restored right after the run. With
    pytest-xdist (`make test` runs two workers), the first worker that needs it builds it in
    the session's shared temp folder and the others wait for it and read the same files.
    """
    preset = os.environ.get("SALESOPS_TEST_PRESET", "demo")
    if worker_id == "master":  # no xdist
        yield _build_demo_run(tmp_path_factory.mktemp(f"{preset}_run"), preset)
        return
    from filelock import FileLock

    root = tmp_path_factory.getbasetemp().parent / f"{preset}_run"  # shared by the workers
    with FileLock(str(root) + ".lock"):
        done = root / ".built"
        if done.exists():
            run = PipelineRun(root / "landing", root / "warehouse.duckdb", root / "published")
        else:
            root.mkdir(exist_ok=True)
            run = _build_demo_run(root, preset)
            done.touch()
    yield run


def _build_demo_run(root: Path, preset: str) -> PipelineRun:
    from salesops.cli import run_pipeline
    from salesops.generator import generate

    run = PipelineRun(root / "landing", root / "warehouse.duckdb", root / "published")
    seed = int(os.environ.get("SALESOPS_TEST_SEED") or (42 if preset == "demo" else 7))
    generate(preset, run.landing_dir, seed=seed)
    env = {
        "SALESOPS_LANDING_DIR": str(run.landing_dir),
        "SALESOPS_WAREHOUSE": str(run.warehouse),
        "SALESOPS_PUBLISH_DIR": str(run.publish_dir),
        # The generated history ends on 2026-10-31: data freshness is judged as of that day.
        "SALESOPS_AS_OF_DATE": "2026-10-31",
    }
    saved = {k: os.environ.get(k) for k in [*env, "DAGSTER_HOME", "SALESOPS_EXPECTATIONS_DIR"]}
    os.environ.update(env)
    os.environ.pop("DAGSTER_HOME", None)
    os.environ.pop("SALESOPS_EXPECTATIONS_DIR", None)
    try:
        ok, reasons = run_pipeline()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert ok, reasons
    return run
