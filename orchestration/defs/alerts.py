"""Alerts on failed runs: a run-failure sensor records every failed run of the code location and,
when a webhook URL is configured, posts a short message to it (Slack and Teams take the same
`{"text": ...}` body).

- The record: one JSON line per failed run in SALESOPS_FAILURE_LOG (default
  `<warehouse folder>/run_failures.jsonl`): time, run id, job, partition or partition range,
  the failed steps and the first error message, whether anything was published, and the run's
  path in the Dagster UI (`/runs/<run id>`).
- The webhook: SALESOPS_ALERT_WEBHOOK_URL. A webhook that refuses, fails or times out (10 s) is a
  warning in the sensor's log, never a failed sensor tick; the URL itself (its path and query
  usually hold the secret) is never logged or recorded, only its scheme and host.

The record's path, its webhook message and the post are library code (salesops/alerts.py);
this module turns a failed Dagster run into a record. `handle_failed_run` is the whole
behaviour, callable without a sensor (e.g. by a command that runs the pipeline in process,
where no daemon may be watching). A run tagged
`salesops/alerts=caller` is alerted on by whoever started it: the sensor leaves it alone, so a
failure is never reported twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import dagster as dg

from salesops.alerts import (
    alert_text,
    append_record,
    post_webhook,
    redacted,
)
from salesops.settings import Settings

from .partitions import PARTITION_TAG, RANGE_END_TAG, RANGE_START_TAG

PUBLISHED_KEY = dg.AssetKey(["published", "salesops"])

BACKFILL_TAG = "dagster/backfill"
NEW_DROPS_TAG = "salesops/new_drops"
ALERTS_TAG = "salesops/alerts"
ALERTS_BY_CALLER = "caller"  # ALERTS_TAG value: the caller alerts, not the sensor

MAX_ERROR_CHARS = 2000  # in the record

_STEP_ERROR_WRAPPER = "DagsterExecutionStepExecutionError"

_default_logger = logging.getLogger("salesops.alerts")


# ---------------------------------------------------------------------------------------------
# what failed


def _error_text(error) -> str:
    """The user-facing message of a SerializableErrorInfo: the user's exception rather than
    Dagster's wrapper around it."""
    while error is not None and error.cls_name == _STEP_ERROR_WRAPPER and error.cause is not None:
        error = error.cause
    if error is None:
        return ""
    # "dagster._core.definitions.events.Failure: msg" -> "Failure: msg"
    return re.sub(r"^(?:\w+\.)+(?=\w+: )", "", error.message.strip())


def step_failure_message(event: dg.DagsterEvent) -> str:
    data = event.step_failure_data
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description.strip()
    return _error_text(data.error)


def _run_failure_message(failure_event: dg.DagsterEvent | None) -> str:
    if failure_event is None:
        return ""
    data = failure_event.event_specific_data
    error = getattr(data, "error", None)
    return _error_text(error) if error is not None else (failure_event.message or "").strip()


def _failure_time(instance: dg.DagsterInstance, run_id: str) -> dt.datetime:
    record = instance.get_run_record_by_id(run_id)
    if record is not None and record.end_time:
        return dt.datetime.fromtimestamp(record.end_time, dt.UTC)
    return dt.datetime.now(dt.UTC)


def _published(instance: dg.DagsterInstance, run_id: str) -> bool:
    """Did this run materialize the published marts before it failed?"""
    latest = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=PUBLISHED_KEY), limit=1
    ).records
    return bool(latest) and latest[0].run_id == run_id


def describe_failed_run(
    instance: dg.DagsterInstance,
    run: dg.DagsterRun,
    failure_event: dg.DagsterEvent | None = None,
) -> dict[str, Any]:
    """The record of a failed run, from its tags and its event log."""
    tags = run.tags or {}
    failed_steps: list[str] = []
    first_error = ""
    records = instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE
    ).records
    for entry in records:
        event = entry.event_log_entry.dagster_event
        if event is None or event.step_key in failed_steps:
            continue
        failed_steps.append(event.step_key)
        if not first_error:
            first_error = step_failure_message(event)
    if not first_error:  # the run failed outside any step (run worker, resources, ...)
        first_error = _run_failure_message(failure_event)
    record: dict[str, Any] = {
        "time": _failure_time(instance, run.run_id).isoformat(timespec="seconds"),
        "run_id": run.run_id,
        "job": run.job_name,
    }
    if tags.get(PARTITION_TAG):
        record["partition"] = tags[PARTITION_TAG]
    if tags.get(RANGE_START_TAG) or tags.get(RANGE_END_TAG):
        record["partition_range"] = [tags.get(RANGE_START_TAG), tags.get(RANGE_END_TAG)]
    if tags.get(BACKFILL_TAG):
        record["backfill"] = tags[BACKFILL_TAG]
    if tags.get(NEW_DROPS_TAG):
        record["new_drops"] = tags[NEW_DROPS_TAG]
    record["failed_steps"] = failed_steps
    record["error"] = first_error[:MAX_ERROR_CHARS]
    record["published"] = _published(instance, run.run_id)
    record["ui_path"] = f"/runs/{run.run_id}"
    return record


# ---------------------------------------------------------------------------------------------
# record and post (salesops.alerts), from a Dagster run


def handle_failed_run(
    instance: dg.DagsterInstance,
    run: dg.DagsterRun,
    failure_event: dg.DagsterEvent | None = None,
    *,
    log=None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Record the failed run, then post the alert when a webhook is configured. Neither a
    record that can't be written nor a webhook that fails raises: each is logged, and the other
    still happens. Returns the record."""
    log = log or _default_logger
    record = describe_failed_run(instance, run, failure_event)
    settings = settings or Settings.from_env()
    path = settings.failure_log
    try:
        append_record(path, record)
        log.info(f"failed run {run.run_id} recorded in {path}")
    except OSError as e:
        log.error(f"failed run {run.run_id} could not be recorded in {path}: {e}")
    url = settings.alert_webhook_url
    if url is None:
        return record
    problem = post_webhook(url, alert_text(record))
    if problem is None:
        log.info(f"failed run {run.run_id} posted to the webhook at {redacted(url)}")
    else:
        log.warning(
            f"the alert for failed run {run.run_id} could not be posted to the webhook at "
            f"{redacted(url)}: {problem} (the failure is recorded in {path})"
        )
    return record


def build_run_failure_sensor(settings: Settings) -> dg.SensorDefinition:
    """Records every failed run of the location (and alerts) with the settings' log and
    webhook."""

    @dg.run_failure_sensor(
        name="run_failure_sensor",
        # monitored_jobs unset: every job of this code location (salesops_pipeline, and the
        # asset and check runs started from the UI or by the freshness sensor).
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Records every failed run in SALESOPS_FAILURE_LOG (default "
        "<warehouse folder>/run_failures.jsonl) and posts a short message to "
        "SALESOPS_ALERT_WEBHOOK_URL when it is set (Slack/Teams-compatible JSON).",
    )
    def run_failure_sensor(context: dg.RunFailureSensorContext):
        if (context.dagster_run.tags or {}).get(ALERTS_TAG) == ALERTS_BY_CALLER:
            context.log.info(f"run {context.dagster_run.run_id}: alerted on by its caller")
            return
        handle_failed_run(context.instance, context.dagster_run, context.failure_event,
                          log=context.log, settings=settings)

    return run_failure_sensor
