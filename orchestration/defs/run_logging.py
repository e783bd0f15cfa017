"""The `salesops_run` logger: a run's full log as plain text in a file, and its progress.

`salesops run` configures it instead of Dagster's colored console logger: every log line of the
run (ingestion per file, every dbt node, every check) goes to the log file, without colour codes,
and the run's structured events (steps, materializations, checks) are handed to the progress
listeners registered in this process (the terminal's progress view). Runs launched from the UI
don't configure it and log as before.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import dagster as dg


@dataclass(frozen=True)
class ProgressEvent:
    """What the progress view needs of one log record of a run, free of Dagster's types."""

    kind: str  # step_start, step_success, step_failure, step_skipped, materialized, check, log
    step: str | None
    message: str
    asset: str | None = None
    check: str | None = None
    passed: bool | None = None
    severity: str | None = None
    metadata: dict[str, object] = field(default_factory=dict)


Listener = Callable[[ProgressEvent], None]
_listeners: list[Listener] = []
_lock = threading.Lock()


def add_listener(listener: Listener) -> None:
    with _lock:
        _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)


_KINDS = {
    "STEP_START": "step_start",
    "STEP_SUCCESS": "step_success",
    "STEP_FAILURE": "step_failure",
    "STEP_SKIPPED": "step_skipped",
    "ASSET_MATERIALIZATION": "materialized",
    "ASSET_CHECK_EVALUATION": "check",
}


def _plain(value: object) -> object:
    inner = getattr(value, "value", value)
    return inner if isinstance(inner, (str, int, float, bool, type(None))) else str(inner)


def progress_event(record: logging.LogRecord) -> ProgressEvent | None:
    meta = getattr(record, "dagster_meta", None)
    if not meta:
        return None
    event = meta.get("dagster_event")
    step = meta.get("step_key")
    message = meta.get("orig_message") or record.getMessage()
    if event is None:
        return ProgressEvent("log", step, str(message))
    kind = _KINDS.get(event.event_type_value)
    if kind is None:
        return None
    if kind == "materialized":
        mat = event.event_specific_data.materialization
        metadata = {k: _plain(v) for k, v in (mat.metadata or {}).items()}
        return ProgressEvent(kind, step, str(message), asset=mat.asset_key.to_user_string(),
                             metadata=metadata)
    if kind == "check":
        ev = event.event_specific_data
        return ProgressEvent(kind, step, ev.description or "", asset=ev.asset_key.to_user_string(),
                             check=ev.check_name, passed=ev.passed, severity=ev.severity.value)
    if kind == "step_failure":
        from orchestration.in_process import step_failure_text

        return ProgressEvent(kind, step, step_failure_text(event.step_failure_data)
                             or str(message))
    return ProgressEvent(kind, step, str(message))


class _RunHandler(logging.Handler):
    def __init__(self, path: str | None, file_level: int):
        super().__init__(logging.DEBUG)  # every record: the progress needs DEBUG-level events
        self.file_level = file_level
        self._file = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115
        self.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)-7s %(message)s", "%Y-%m-%d %H:%M:%S"))

    def _line(self, record: logging.LogRecord) -> str:
        """`time LEVEL step: message`: the run id and job are in the file's name."""
        meta = getattr(record, "dagster_meta", None) or {}
        message = meta.get("orig_message") or record.getMessage()
        event = meta.get("dagster_event")
        if event is not None:
            message = f"{event.event_type_value}: {message}"
        where = meta.get("step_key") or meta.get("resource_name") or "run"
        when = self.formatter.formatTime(record, "%Y-%m-%d %H:%M:%S")
        return f"{when} {record.levelname:<7} {where}: {message}"

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._file is not None and record.levelno >= self.file_level:
                self._file.write(self._line(record) + "\n")
                self._file.flush()
            event = progress_event(record)
        except Exception:  # a log line must never fail the run
            self.handleError(record)
            return
        if event is None:
            return
        with _lock:
            listeners = list(_listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # nor may the progress view
                self.handleError(record)


@dg.logger(
    config_schema={
        "log_level": dg.Field(str, default_value="INFO", is_required=False),
        "log_file": dg.Field(str, default_value="", is_required=False),
    },
    description="A run's log as plain text in log_file, and its progress to this process's "
    "listeners (salesops run's terminal view).",
)
def salesops_run_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    config = init_context.logger_config
    logger = logging.Logger("salesops_run", level=logging.DEBUG)
    level = getattr(logging, str(config["log_level"]).upper(), logging.INFO)
    handler = _RunHandler(config["log_file"] or None, level)
    logger.addHandler(handler)
    return logger
