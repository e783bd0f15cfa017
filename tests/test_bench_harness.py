"""The benchmark harness (bench/run_bench.py, `make bench`) end to end on the tiny preset.

Real pipeline runs (`salesops run` subprocesses: the full run, then the one-day increment), the
real floor runner, the real code-location loads, into a temporary cache and results folder.

It takes two pipeline runs, two floor runs and two code-location loads: 6 minutes or more on
the 2-core machine (16 minutes with the machine busy), more than the 5 minutes that would make
it cheap enough for every `make test`, so it runs only when asked: SALESOPS_BENCH_TEST=1 (e.g.
`SALESOPS_BENCH_TEST=1 .venv/bin/python -m pytest tests/test_bench_harness.py`).

The floor's SQL sections (bench/floor/NN_*.sql) are required to equal the pipeline's marts only
when all five exist; while some are missing the test checks that the floor figures are there
and that the harness reported the mismatch (and exited non-zero), not that they are equal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.floor_check import FLOOR_SECTIONS, floor_sections
from bench.report import REQUIRED_KEYS

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1800),
    pytest.mark.skipif(
        os.environ.get("SALESOPS_BENCH_TEST") != "1",
        reason="the bench harness end to end takes 6+ min on tiny: SALESOPS_BENCH_TEST=1 to run",
    ),
]


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    cache, results = tmp / "cache", tmp / "results"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESOPS_BENCH_")}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run_bench", "--presets", "tiny",
         "--cache-dir", str(cache), "--results-dir", str(results), "--load-repeats", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1700,
    )
    return proc, cache, results


def test_results_are_written(bench_run):
    proc, cache, results = bench_run
    latest = results / "latest.json"
    assert latest.is_file(), proc.stdout[-3000:] + proc.stderr[-3000:]
    mds = list(results.glob("????-??-??.md"))
    assert len(mds) == 1
    text = mds[0].read_text()
    assert "cores" in text and "GB" in text and "duckdb" in text and "dagster" in text
    assert "pipeline / floor" in text and "increment / full" in text
    assert "checks / total" in text
    assert "| figure" in proc.stdout  # the table is printed too


def test_json_has_every_figure(bench_run):
    proc, _, results = bench_run
    data = json.loads((results / "latest.json").read_text())
    assert list(data) == ["tiny"]
    r = data["tiny"]
    for key in REQUIRED_KEYS:
        assert key in r, key
    # the pipeline runs worked
    assert r["full"]["ok"] and r["increment"]["ok"], proc.stdout[-3000:]
    for key in ("full_s", "increment_s", "peak_rss_mb", "load_s"):
        assert isinstance(r[key], float) and r[key] > 0, (key, r[key])
    # ratios consistent with the times
    assert r["increment_over_full"] == pytest.approx(r["increment_s"] / r["full_s"], abs=1e-3)
    checks = r["full"]["stages_s"]["checks"]
    assert 0 < r["checks_share"] < 1
    assert r["checks_share"] == pytest.approx(checks / r["full_s"], abs=1e-3)
    # the stages add up to the total with a non-negative remainder (start-up, planning)
    stages = r["full"]["stages_s"]
    assert all(stages[s] > 0 for s in ("ingestion", "dbt", "checks", "publishing")), stages
    assert r["full"]["other_s"] >= 0
    assert sum(stages.values()) + r["full"]["other_s"] == pytest.approx(r["full_s"], abs=0.05)
    # memory: the tree's peak, at least the largest single process's, per stage below it
    assert r["peak_rss_mb"] >= r["full"]["peak_rss_mb"] > 50
    assert r["full"]["peak_rss_mb"] >= 0.5 * r["full"]["max_process_rss_mb"]
    for stage, mb in r["full"]["stages_peak_rss_mb"].items():
        assert mb is None or mb <= r["full"]["peak_rss_mb"], stage
    assert r["full"]["stages_peak_rss_mb"]["dbt"] > 0
    # the load: the manifest is prepared, not parsed on load
    assert r["load"]["manifest_unchanged"]
    assert not r["load"]["errors"]
    assert r["tasks_events_rows"] > 0
    assert set(r["targets"]) == {"full_over_floor", "increment_over_full", "checks_share",
                                 "peak_rss_mb", "load_s"}


def test_increment_loaded_only_the_new_day(bench_run):
    _, _, results = bench_run
    r = json.loads((results / "latest.json").read_text())["tiny"]
    newest = r["newest_drop"]
    assert r["increment"]["loaded_drops"] == {"crm": [newest], "hr": [newest], "lms": [newest]}
    tags = r["increment"]["steps"]
    assert {s["stage"] for s in tags.values()} >= {"ingestion", "dbt", "checks", "publishing"}


def test_landing_is_cached_and_linked(bench_run):
    _, cache, results = bench_run
    stamp = json.loads((cache / "tiny" / "stamp.json").read_text())
    assert stamp["preset"] == "tiny" and len(stamp["generator_sha256"]) == 64
    src = next((cache / "tiny" / "landing" / "crm").glob("*/Task.csv"))
    linked = cache / "tiny" / "run" / "landing" / "crm" / src.parent.name / "Task.csv"
    assert linked.stat().st_ino == src.stat().st_ino  # a hard link, not a copy


def test_floor_figures(bench_run):
    proc, _, results = bench_run
    r = json.loads((results / "latest.json").read_text())["tiny"]
    for tag in ("floor_full", "floor_increment"):
        f = r[tag]
        assert {"s", "peak_rss_mb", "equal", "mismatches", "sections"} <= set(f), tag
    complete = all(s in floor_sections() for s in FLOOR_SECTIONS)
    if not complete or not r["floor_full"]["ok"]:
        # Incomplete floor: the figures are there, the mismatch is reported, the exit fails.
        assert not r["floor_equal"]
        assert proc.returncode == 1
        assert "floor" in proc.stdout
        return
    assert r["floor_s"] > 0
    assert r["full_over_floor"] == pytest.approx(r["full_s"] / r["floor_s"], abs=1e-3)
    assert r["floor_full"]["marts_compared"] >= 58
    assert r["floor_full"]["equal"], r["floor_full"]["mismatches"][:10]
    assert r["floor_increment"]["equal"], r["floor_increment"]["mismatches"][:10]
    assert r["floor_equal"] and proc.returncode == 0, proc.stdout[-3000:]
