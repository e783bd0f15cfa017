"""The Dagster event log of a run: its steps and dbt node timings, and the per-stage figures
of a measured run made from them.

The only part of the harness that uses Dagster. The instance is opened with the public
`DagsterInstance.get()` (DAGSTER_HOME pointed at the run's instance for the while) and the
run found with the public `get_run_records`; its events are read with `DagsterInstance.all_logs`,
a method of the public class that Dagster does not mark public (no public API returns every
event of a run)."""

from __future__ import annotations

import contextlib
import os
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import rounded
from bench.measure import Measured

STAGES = ("ingestion", "dbt", "checks", "publishing")


def stage_of(step_key: str) -> str:
    if step_key.startswith("ingest_"):
        return "ingestion"
    if step_key.startswith("salesops_dbt_"):
        return "dbt"
    if step_key.startswith(("gx_", "freshness_check")):
        return "checks"
    if step_key.startswith("published__"):
        return "publishing"
    return "other"


@contextlib.contextmanager
def _dagster_home(dagster_home: Path) -> Iterator[None]:
    """DAGSTER_HOME set to `dagster_home` in this process for the while (public
    `DagsterInstance.get()` reads it); the former value restored after."""
    before = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(dagster_home.resolve())
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = before


def run_events(dagster_home: Path, known: set[str]) -> dict[str, Any]:
    """Steps (start, end, status) and dbt node durations of the one run in the instance at
    dagster_home whose id is not in `known`."""
    import dagster as dg

    with _dagster_home(dagster_home), dg.DagsterInstance.get() as instance:
        records = [r for r in instance.get_run_records() if r.dagster_run.run_id not in known]
        if not records:
            return {"run_id": None, "steps": {}}
        record = records[0]  # newest first
        run = record.dagster_run
        steps: dict[str, dict] = {}
        bounds: dict[str, float] = {}
        if record.create_timestamp is not None:
            bounds["run_created"] = record.create_timestamp.timestamp()
        planned = 0
        dbt_nodes = defaultdict(float)
        for rec in instance.all_logs(run.run_id):
            ev = rec.dagster_event
            if ev is None:
                continue
            kind = ev.event_type_value
            if kind in ("ASSET_MATERIALIZATION_PLANNED", "ASSET_CHECK_EVALUATION_PLANNED"):
                planned += 1
            elif kind in ("PIPELINE_START", "RUN_START"):
                bounds["run_start"] = rec.timestamp
            elif kind in ("PIPELINE_SUCCESS", "PIPELINE_FAILURE", "RUN_SUCCESS", "RUN_FAILURE"):
                bounds["run_end"] = rec.timestamp
            elif kind == "STEP_START":
                steps.setdefault(ev.step_key, {"intervals": [], "status": None})
                steps[ev.step_key]["intervals"].append([rec.timestamp, None])
            elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and ev.step_key in steps:
                iv = steps[ev.step_key]["intervals"][-1]
                iv[1] = rec.timestamp
                steps[ev.step_key]["status"] = kind[5:].lower()
            elif kind in ("ASSET_CHECK_EVALUATION", "STEP_OUTPUT"):
                md = getattr(ev.event_specific_data, "metadata", None) or {}
                dur, uid = md.get("Execution Duration"), md.get("unique_id")
                if dur is not None and uid is not None:
                    node_type = str(uid.value).split(".", 1)[0]
                    dbt_nodes["tests" if node_type == "test" else "models"] += float(dur.value)
        return {"run_id": run.run_id, "status": run.status.value, "tags": dict(run.tags),
                "steps": steps, "dbt_nodes": dict(dbt_nodes),
                "planned_events": planned, **bounds}


def summarize_run(m: Measured, events: dict, log_file: Path) -> dict[str, Any]:
    end_fallback = m.start + m.wall
    stage_s = dict.fromkeys(STAGES, 0.0)
    intervals: dict[str, list[tuple[float, float]]] = {s: [] for s in STAGES}
    steps_out = {}
    for key, step in events.get("steps", {}).items():
        stage = stage_of(key)
        secs = 0.0
        for a, b in step["intervals"]:
            b = b if b is not None else end_fallback
            secs += b - a
            if stage in intervals:
                intervals[stage].append((a, b))
        if stage in stage_s:
            stage_s[stage] += secs
        steps_out[key] = {"stage": stage, "s": round(secs, 2), "status": step["status"],
                          "peak_rss_mb": rounded(m.peak_mb_between(
                              [(a, b if b is not None else end_fallback)
                               for a, b in step["intervals"]]))}
    other = m.wall - sum(stage_s.values())
    # where "other" goes: before the run starts (interpreter, imports, loading the definitions,
    # planning), after it ends (summary, exit), and between the steps
    pre = events["run_start"] - m.start if "run_start" in events else None
    created = events["run_created"] - m.start if "run_created" in events else None
    post = end_fallback - events["run_end"] if "run_end" in events else None
    nodes = events.get("dbt_nodes") or {}
    tests, models = nodes.get("tests", 0.0), nodes.get("models", 0.0)
    tests_share = tests / (tests + models) if tests + models > 0 else None
    return {
        "ok": m.rc == 0,
        "rc": m.rc,
        "run_id": events.get("run_id"),
        "total_s": round(m.wall, 2),
        "stages_s": {k: round(v, 2) for k, v in stage_s.items()},
        "other_s": round(other, 2),
        "other_breakdown_s": {
            "before_run": rounded(pre), "after_run": rounded(post),
            # of before_run: the process until Dagster created the run (interpreter, imports,
            # definitions, drop range), then the run's *_PLANNED events written to the event log
            "before_run_created": rounded(created),
            "run_created_to_start": rounded(pre - created)
            if pre is not None and created is not None else None,
            "between_steps": rounded(other - pre - post) if pre is not None and post is not None
            else None},
        "stages_peak_rss_mb": {k: rounded(m.peak_mb_between(v)) for k, v in intervals.items()},
        "peak_rss_mb": rounded(m.peak_mb),
        "max_process_rss_mb": rounded(m.max_process_rss / 2**20),
        "steps": steps_out,
        "planned_events": events.get("planned_events"),
        # dbt's own node timings (Execution Duration of each model and data test, dbt threads
        # run in parallel so these are summed node times, not wall time)
        "dbt_tests_node_s": round(tests, 2),
        "dbt_models_node_s": round(models, 2),
        "dbt_tests_share_of_dbt": rounded(tests_share, 3),
        "dbt_tests_s_est": rounded(tests_share * stage_s["dbt"]
                                   if tests_share is not None else None),
        "log": str(log_file),
    }
