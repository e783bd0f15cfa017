"""The terminal's view of a run: one line per stage, with counters and timings.

On a terminal the current stage's line updates in place (a bar for the drops, counters for dbt
and the checks); redirected to a file or a pipe, each stage prints one plain line when it ends,
without escape codes. The run's full log is in a file; this view is the short story.

It is fed progress events (objects with ``kind``, ``step``, ``message``, ``asset``, ``check``,
``passed``, ``severity``, ``metadata``: see orchestration/defs/run_logging.py).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import IO

STAGES = (
    ("ingest", "ingest"),
    ("gx_raw", "raw checks"),
    ("salesops_dbt", "dbt build"),
    ("gx_marts", "mart checks"),
    ("published", "publish"),
)
_DROP_DONE = re.compile(r"^drop (\d+)/(\d+) (\S+): .*?([\d,]+) rows loaded, ([\d,]+) quarantined")
_NEW_DROPS = re.compile(r"^(\w+): (\d+) new drop\(s\) to load")
_SUITE_DONE = re.compile(r"^\[(\d+)/(\d+)\] \S+ ")  # the GX runner, suite by suite


def stage_of(step: str | None) -> str | None:
    for prefix, label in STAGES:
        if step and step.startswith(prefix):
            return label
    return None


@dataclass
class StageState:
    label: str
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    steps_running: int = 0
    steps_started: int = 0
    failed: bool = False
    drops_total: int = 0
    drops_done: int = 0
    rows: int = 0
    quarantined: int = 0
    models: set[str] = field(default_factory=set)  # one event per partition: count assets
    tests: int = 0
    tests_failed: int = 0
    suites: int = 0
    suites_failed: int = 0
    suites_warned: int = 0
    suites_run: int = 0
    suites_total: int = 0
    version: str | None = None
    unchanged: bool | None = None
    printed: bool = False

    def counters(self) -> str:
        if self.label == "ingest":
            drops = (f"{self.drops_done}/{self.drops_total} drops" if self.drops_total
                     else "no new drop")
            return f"{drops}, {self.rows:,} rows loaded, {self.quarantined:,} quarantined"
        if self.label == "dbt build":
            failed = f", {self.tests_failed} failed" if self.tests_failed else ""
            return f"{len(self.models)} models, {self.tests} tests{failed}"
        if self.label in ("raw checks", "mart checks"):
            if not self.suites and self.suites_total:  # results come at the step's end
                return f"{self.suites_run}/{self.suites_total} suites"
            parts = [f"{self.suites} suites"]
            if self.suites_failed:
                parts.append(f"{self.suites_failed} failed")
            if self.suites_warned:
                parts.append(f"{self.suites_warned} with warnings")
            return ", ".join(parts)
        if self.label == "publish":
            if self.unchanged:
                return f"marts unchanged: nothing published ({self.version} stays current)"
            if self.version:
                return f"version {self.version}"
        return ""


class ProgressView:
    """Receives a run's progress events (from any thread) and draws them on ``out``."""

    WIDTH = 24  # the drop bar

    def __init__(self, out: IO[str], live: bool, tick: float | None = 0.5):
        self.out = out
        self.live = live
        self.stages: dict[str, StageState] = {}
        self.order: list[str] = []
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._last_draw = 0.0
        self._closed = threading.Event()
        if live and tick:  # the clock of the current stage keeps moving while no event comes
            threading.Thread(target=self._tick, args=(tick,), name="progress-view",
                             daemon=True).start()

    def _tick(self, seconds: float) -> None:
        while not self._closed.wait(seconds):
            with self._lock:
                if self.order and self.stages[self.order[-1]].ended is None:
                    self._last_draw = 0.0
                    self._draw(self.stages[self.order[-1]])

    # -- events -------------------------------------------------------------------------------
    def __call__(self, event) -> None:
        with self._lock:
            self._handle(event)

    def _handle(self, event) -> None:
        label = stage_of(event.step)
        if label is None:
            return
        state = self.stages.get(label)
        if state is None:
            self._finish_others(label)
            state = self.stages[label] = StageState(label)
            self.order.append(label)
        kind = event.kind
        if kind == "step_start":
            state.steps_running += 1
            state.steps_started += 1
        elif kind in ("step_success", "step_failure", "step_skipped"):
            # a stage ends when the next one starts (or the run ends): its steps run in a row
            state.steps_running = max(0, state.steps_running - 1)
            state.failed |= kind == "step_failure"
        elif kind == "log":
            self._count_log(state, event.message)
            if label in ("raw checks", "mart checks"):
                found = _SUITE_DONE.match(event.message)
                if found:
                    state.suites_run, state.suites_total = int(found[1]), int(found[2])
        elif kind == "materialized":
            if label == "dbt build":
                state.models.add(event.asset)
            elif label == "publish":
                state.version = str(event.metadata.get("version") or "") or None
                state.unchanged = bool(event.metadata.get("unchanged"))
        elif kind == "check":
            if (event.check or "").startswith("gx_"):
                state.suites += 1
                if not event.passed:
                    if event.severity == "ERROR":
                        state.suites_failed += 1
                    else:
                        state.suites_warned += 1
            elif label == "dbt build":
                state.tests += 1
                state.tests_failed += 0 if event.passed else 1
        self._draw(state)

    @staticmethod
    def _count_log(state: StageState, message: str) -> None:
        found = _NEW_DROPS.match(message)
        if found:
            state.drops_total += int(found.group(2))
            return
        found = _DROP_DONE.match(message)
        if found:
            state.drops_done += 1
            state.rows += int(found.group(4).replace(",", ""))
            state.quarantined += int(found.group(5).replace(",", ""))

    def _finish_others(self, label: str) -> None:
        for other in self.order:
            state = self.stages[other]
            if other != label and state.ended is None:
                state.ended = time.monotonic()
                self._draw(state)

    # -- drawing ------------------------------------------------------------------------------
    def line(self, state: StageState) -> str:
        number = f"[{self.order.index(state.label) + 1}/{len(STAGES)}]"
        seconds = (state.ended or time.monotonic()) - state.started
        status = "FAILED" if state.failed else ("done" if state.ended else "...")
        if state.steps_started == 0 and state.ended:
            return f"  {number} {state.label:<12} skipped (an earlier stage failed)"
        bar = ""
        if state.label == "ingest" and state.drops_total:
            filled = round(self.WIDTH * state.drops_done / state.drops_total)
            bar = "[" + "#" * filled + "-" * (self.WIDTH - filled) + "] "
        return (f"  {number} {state.label:<12} {bar}{state.counters()}  "
                f"{seconds:5.1f} s  {status}")

    def _draw(self, state: StageState) -> None:
        if state.printed:
            return  # its final line is out
        if state.ended is not None:
            prefix = "\r\033[K" if self.live else ""
            self.out.write(prefix + self.line(state) + "\n")
            state.printed = True
        elif self.live:
            now = time.monotonic()
            if now - self._last_draw < 0.1:
                return  # at most ten redraws a second
            self._last_draw = now
            self.out.write("\r\033[K" + self.line(state))
        else:
            return
        self.out.flush()

    def close(self) -> None:
        """End every stage still open (a failed run stops mid-way) and draw it."""
        self._closed.set()
        with self._lock:
            for label in self.order:
                state = self.stages[label]
                if state.ended is None:
                    state.ended = time.monotonic()
                    self._draw(state)

    def elapsed(self) -> float:
        return time.monotonic() - self.started
