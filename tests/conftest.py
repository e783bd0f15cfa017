"""Shared fixtures: one real pipeline run on generated data, for the tests that only read it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from pipeline_env import pipeline_env


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
    from orchestration.in_process import run_pipeline
    from salesops.generator import generate

    run = PipelineRun(root / "landing", root / "warehouse.duckdb", root / "published")
    seed = int(os.environ.get("SALESOPS_TEST_SEED") or (42 if preset == "demo" else 7))
    generate(preset, run.landing_dir, seed=seed)
    with pipeline_env(run.landing_dir, run.warehouse, run.publish_dir):
        ok, reasons = run_pipeline()
    assert ok, reasons
    return run


SPARK_ENABLED = os.environ.get("SALESOPS_TEST_SPARK") == "1"


def pytest_collection_modifyitems(config, items) -> None:
    """Tests marked `spark` build the dbt project on a local Spark (minutes, Java, the spark
    extra): skipped unless SALESOPS_TEST_SPARK=1, which `make test-spark` sets."""
    if SPARK_ENABLED:
        return
    skip = pytest.mark.skip(reason="Spark parity: run `make test-spark` (SALESOPS_TEST_SPARK=1)")
    for item in items:
        if "spark" in item.keywords:
            item.add_marker(skip)
