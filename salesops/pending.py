"""What a run still has to do, read from the warehouse's ledgers.

One answer for `salesops run`, the nightly schedule and the new-drop sensor:

- a complete drop is **done** when it is in the load ledger (`raw.load_drops`) and, for the
  systems whose drops feed dbt's incremental facts, in their ledger
  (`intermediate.int_incremental__processed_drops`): a run killed after ingestion left drops
  loaded that the facts never saw, and they are still to do;
- a done drop is **unpublished** when the current published version was built without it (its
  `publish_log` row lists every drop it holds): a run whose quality checks failed, or that was
  killed while publishing. After a `salesops restore` the operator chose that version: only new
  drops start a run then.

Nothing here looks at Dagster's run history or a sensor cursor: the warehouse is the truth, so
a run from the command line and a run from the UI see the same work.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from salesops.ingest.drops import Drop, complete_drops
from salesops.settings import Settings

LOAD_LEDGER = "raw.load_drops"
PROCESSED_LEDGER = "intermediate.int_incremental__processed_drops"
FACT_SYSTEMS = ("crm", "lms")
"""The systems whose drops feed the incremental facts (the `where system in (...)` of
models/intermediate/int_incremental__processed_drops.sql)."""


class WarehouseBusy(RuntimeError):
    """The warehouse can't be read: another process is writing it."""


@dataclass(frozen=True)
class PendingWork:
    drops: tuple[Drop, ...] = ()
    """Complete drops not loaded yet, or loaded but not processed by the incremental facts."""
    unpublished: tuple[str, ...] = ()
    """`system/date` of done drops missing from the current published version."""
    newest: dt.date | None = None
    """The newest complete drop date in the landing folder (None: no complete drop)."""
    complete: tuple[Drop, ...] = field(default=(), repr=False)

    def date_range(self) -> tuple[dt.date, dt.date] | None:
        """The drop dates a run should cover, or None when there is nothing to do.

        From the oldest pending drop to the newest complete drop; with only unpublished drops,
        the newest date alone (its ingestion is skipped, the facts redo it, the marts are
        checked and published)."""
        if self.drops:
            return min(d.date for d in self.drops), self.newest
        if self.unpublished and self.newest is not None:
            return self.newest, self.newest
        return None

    def describe(self) -> str:
        """One line: what is pending, per system."""
        if self.drops:
            per: dict[str, int] = {}
            for d in self.drops:
                per[d.system] = per.get(d.system, 0) + 1
            counts = ", ".join(f"{s} {n}" for s, n in sorted(per.items()))
            return f"{len(self.drops)} new drop(s) ({counts})"
        if self.unpublished:
            return (f"every drop is loaded, but {len(self.unpublished)} are not in the published "
                    "marts yet")
        return "nothing new: every complete drop is loaded and published"


def pending_work(settings: Settings) -> PendingWork:
    """What is pending in the landing folder against the warehouse's ledgers (see the module
    docstring). Raises WarehouseBusy when another process is writing the warehouse."""
    complete = tuple(complete_drops(settings.landing_dir))
    if not complete:
        return PendingWork()
    loaded, processed = _ledgers(settings.warehouse)
    done = {
        (d.system, d.date) for d in complete
        if (d.system, d.date) in loaded
        and (d.system not in FACT_SYSTEMS or (d.system, d.date) in processed)
    }
    todo = tuple(d for d in complete if (d.system, d.date) not in done)
    published = _published_drops(settings.publish_dir)
    unpublished: tuple[str, ...] = ()
    if published is not None:
        unpublished = tuple(sorted(
            f"{s}/{d.isoformat()}" for s, d in done if d.isoformat() not in published.get(s, ())
        ))
    return PendingWork(todo, unpublished, max(d.date for d in complete), complete)


def _ledgers(warehouse: Path) -> tuple[set[tuple[str, dt.date]], set[tuple[str, dt.date]]]:
    """(loaded, processed) as sets of (system, drop date)."""
    import duckdb

    if not warehouse.is_file():
        return set(), set()
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as exc:  # a writer holds DuckDB's file lock
        raise WarehouseBusy(f"the warehouse {warehouse} is being written by another process "
                            f"({_lock_holder(str(exc))})") from exc
    try:
        tables = {f"{schema}.{name}" for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
        loaded = (set(con.execute(f"select system, drop_date from {LOAD_LEDGER}").fetchall())
                  if LOAD_LEDGER in tables else set())
        processed = (set(con.execute(f"select system, drop_date from {PROCESSED_LEDGER}")
                         .fetchall()) if PROCESSED_LEDGER in tables else set())
        return loaded, processed
    finally:
        con.close()


def _lock_holder(message: str) -> str:
    """`PID 1234` out of DuckDB's lock error, else the error's first line."""
    import re

    found = re.search(r"PID (\d+)", message)
    return f"PID {found.group(1)}" if found else message.splitlines()[0]


def _published_drops(publish_dir: Path) -> dict[str, set[str]] | None:
    """system -> drop dates the current published version holds; {} before the first publish;
    None when the operator restored a version (then unpublished drops don't start a run)."""
    from salesops.publish import current_log_entry, history

    if not (publish_dir / "salesops.duckdb").is_file():
        return {}
    events = history(publish_dir)
    if events and events[-1].get("action") == "restore":
        return None
    entry = current_log_entry(publish_dir) or {}
    raw = entry.get("drop_dates") or "{}"
    dates = json.loads(raw) if isinstance(raw, str) else raw
    return {system: set(values) for system, values in dates.items()}
