"""One `salesops run` at a time per warehouse.

DuckDB lets one process write a database file. Two command-line runs on the same warehouse
would collide deep inside dbt ("exit code 2", the real cause buried in its output); instead the
second one queues behind the first, saying which run holds the warehouse and since when (or,
with ``wait=False``, refuses at once with the same words).

The lock is an flock on ``<warehouse>.run.lock``: the kernel releases it however the holder
ends (even SIGKILL), so a dead run never blocks the next. The file holds the holder's pid,
start time, run id and command, for the message of whoever waits.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path


class WarehouseLocked(RuntimeError):
    """Another run holds the warehouse (raised with wait=False)."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".run.lock")


def holder_text(path: Path) -> str:
    """`run 27bceb88 (pid 1234, `salesops run`, since 2026-12-06 15:11:09 UTC)`, as far as the
    lock file tells."""
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another run"
    run = f"run {info['run_id'][:8]} " if info.get("run_id") else "a run "
    since = info.get("started_at", "?").replace("T", " ").split("+")[0]
    return f"{run}(pid {info.get('pid', '?')}, `{info.get('command', '?')}`, since {since} UTC)"


@contextlib.contextmanager
def warehouse_run_lock(
    warehouse: Path,
    *,
    run_id: str | None = None,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the warehouse's run lock for the block. If another run holds it: with ``wait``,
    call ``on_wait(holder)`` once and block until it is free; else raise WarehouseLocked."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = holder_text(path)
            if not wait:
                raise WarehouseLocked(
                    f"the warehouse {warehouse} is in use by {holder}") from None
            if on_wait is not None:
                on_wait(holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        info = {
            "pid": os.getpid(),
            "run_id": run_id,
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": " ".join(["salesops", *sys.argv[1:]])[:120],
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the flock
