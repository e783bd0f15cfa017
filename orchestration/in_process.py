"""Running the pipeline job in this process (`salesops run`, `salesops demo`, the tests).

The orchestrator's side of the command line: the library (salesops/) never imports this.

Which drop dates a run covers, the Dagster instance it runs in, a lock that lets the next run
tell a killed run from a live one, and the run's outcome in words.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from salesops.pending import drop_range
from salesops.settings import Settings


def pipeline_instance(settings: Settings | None = None):
    """The Dagster instance of DAGSTER_HOME (runs show in the UI), else an ephemeral one."""
    import dagster as dg

    if (settings or Settings.from_env()).dagster_home:
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


LIVE_RUNS_DIR = "salesops_live_runs"
"""Under DAGSTER_HOME: one file per `salesops run` in progress, flock'ed by its process."""


def fail_dead_runs(instance, live_runs: Path) -> list[str]:
    """Mark failed the in-process runs whose process died without ending them (SIGKILL, OOM,
    power loss), and free their concurrency slots: a dead run keeps its slot of the
    duckdb_warehouse pool (limit 1) forever, and every later run would wait for it. A run is
    dead when no process holds the lock of its file under `live_runs`. Returns their ids."""
    failed = []
    for marker in sorted(live_runs.glob("*")):
        if marker.name.startswith("."):
            continue  # a run taking its lock (renamed once it holds it)
        try:
            with open(marker, "a") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                run = instance.get_run_by_id(marker.name)
                if run is not None and not run.is_finished:
                    instance.report_run_failed(
                        run, "the process running it died before the run ended (killed?); "
                        "marked failed by the next `salesops run`")
                instance.event_log_storage.free_concurrency_slots_for_run(marker.name)
                marker.unlink()
                failed.append(marker.name)
        except OSError:
            continue  # its process is alive (or another run is cleaning it up)
    return failed


@contextlib.contextmanager
def _live_run(instance, run_id: str | None = None) -> Iterator[str | None]:
    """The run id to use (``run_id`` or a new one), marked alive (an flock the kernel releases
    however the process ends) while the run executes; dead runs are failed first. With an
    ephemeral instance: ``run_id`` as given (None lets Dagster choose)."""
    if instance.is_ephemeral:
        yield run_id
        return
    live_runs = Path(instance.root_directory) / LIVE_RUNS_DIR
    live_runs.mkdir(parents=True, exist_ok=True)
    for dead in fail_dead_runs(instance, live_runs):
        print(f"run {dead} had died without ending: marked failed, its pool slots freed",
              file=sys.stderr)
    run_id = run_id or str(uuid.uuid4())
    taking = live_runs / f".{run_id}"
    with open(taking, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        marker = taking.rename(live_runs / run_id)
        try:
            yield run_id
        finally:
            marker.unlink(missing_ok=True)


def execute_pipeline(
    date_range: tuple[dt.date, dt.date] | None = None,
    instance=None,
    tags=None,
    *,
    run_id: str | None = None,
    log_file: Path | None = None,
    console: bool = True,
    settings: Settings | None = None,
):
    """Run the whole pipeline job in this process; returns Dagster's ExecuteInProcessResult.

    ``date_range`` (inclusive) is the drop dates (partitions) the run covers, as one run; by
    default every complete drop not loaded yet (:func:`drop_range`). Uses the instance of
    DAGSTER_HOME when set (runs show in the UI), else an ephemeral one. ``log_file``: the run's
    full log as plain text (the `salesops_run` logger, which also feeds the progress listeners
    of orchestration/defs/run_logging.py); ``console``: Dagster's console logger too.
    ``settings``: what the run works on (default: the environment's, read now).
    """
    from orchestration.definitions import build_definitions
    from orchestration.defs.constants import PIPELINE_JOB
    from orchestration.defs.partitions import range_tags

    settings = settings or Settings.from_env()
    first, last = date_range or drop_range(settings)
    job = build_definitions(settings).resolve_job_def(PIPELINE_JOB)
    level = settings.log_level
    loggers: dict = {}
    if console:
        loggers["console"] = {"config": {"log_level": level}}
    if log_file is not None or not console:
        loggers["salesops_run"] = {"config": {"log_level": level,
                                              "log_file": str(log_file or "")}}
    instance = instance if instance is not None else pipeline_instance(settings)
    with _live_run(instance, run_id) as live_id:
        return job.execute_in_process(
            run_config={"loggers": loggers},
            raise_on_error=False,
            tags={**range_tags(first, last), **(tags or {})},
            instance=instance,
            run_id=live_id,
        )


def run_pipeline() -> tuple[bool, list[str]]:
    """Run the whole pipeline in this process; returns (success, failure reasons)."""
    return pipeline_outcome(execute_pipeline())


def step_failure_text(data) -> str | None:
    """What a step failure says: the Failure's description, else the error with its causes."""
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description
    if data.error is None:
        return None
    text = data.error.message.strip()
    cause = data.error.cause
    while cause is not None:
        text += f" (caused by: {cause.message.strip()})"
        cause = cause.cause
    return text


def pipeline_outcome(result) -> tuple[bool, list[str]]:
    """(success, failure reasons) of a pipeline run's result."""
    reasons: list[str] = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            reasons.append(f"{event.step_key}: {step_failure_text(event.step_failure_data)}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            ev = event.event_specific_data
            if not ev.passed and ev.severity.value == "ERROR":
                reasons.append(f"quality check {ev.check_name} on {ev.asset_key.to_user_string()} "
                               "failed: nothing published")
    skipped_publish = result.success and not any(
        e.event_type_value == "ASSET_MATERIALIZATION"
        and e.asset_key is not None
        and e.asset_key.path[0] == "published"
        for e in result.all_events
    )
    if skipped_publish:
        reasons.append("the published marts were not materialized")
    return result.success and not reasons, reasons


def dashboard_outcome(result) -> tuple[str | None, str | None]:
    """(the dashboard's path, None) when the run wrote it, else (None, why not): the asset's
    materialization or observation (orchestration/defs/dashboard.py); (None, None) when the
    run did not reach it."""
    for event in reversed(result.all_events):
        if event.asset_key is None or event.asset_key.path != ["dashboard"]:
            continue
        if event.event_type_value == "ASSET_MATERIALIZATION":
            path = event.event_specific_data.materialization.metadata.get("path")
            return str(getattr(path, "value", path)), None
        if event.event_type_value == "ASSET_OBSERVATION":
            error = event.event_specific_data.asset_observation.metadata.get("error")
            return None, str(getattr(error, "value", error) or "unknown error")
    return None, None


@dataclass(frozen=True)
class CheckFinding:
    """A failed GX check of a run."""

    severity: str  # ERROR or WARN
    check: str
    description: str
    data_docs: str | None


def failed_quality_checks(result) -> list[CheckFinding]:
    """The GX checks of a run that failed: severity, check, what failed, where the docs are."""
    findings = []
    for event in result.all_events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        ev = event.event_specific_data
        if ev.passed or not ev.check_name.startswith("gx_"):
            continue
        docs = ev.metadata.get("data_docs")
        findings.append(CheckFinding(ev.severity.value, ev.check_name, ev.description or "",
                                     str(docs.value) if docs is not None else None))
    return findings
