"""What a run still has to do, read from the warehouse's ledgers.

One answer for `salesops run`, the nightly schedule and the new-drop sensor:

- a complete drop is **done** when it is in the load ledger (`raw.load_drops`) and, for the
  systems whose drops feed dbt's incremental facts, in their ledger
  (`intermediate.int_incremental__processed_drops`): a run killed after ingestion left drops
  loaded that the facts never saw, and they are still to do;
- the warehouse's marts are **stale** when they were not rebuilt since the last drop was loaded:
  the dbt step records the load ledger it built the marts from (`ops.marts_built_from`, written
  after a whole, successful `dbt build`), so a run killed in dbt, or a dbt build that failed,
  leaves drops loaded and processed that the marts don't show yet;
- the warehouse's marts are **unpublished** when their content differs from the current
  published version's (`content_hash` of its publish_log row, the fingerprint publishing
  itself computes): a run whose quality checks failed, or that was killed in dbt's marts or
  while publishing. A night whose marts came out unchanged published nothing, and its drops are
  not pending for that (its marts equal the published ones). After a `salesops restore` the
  operator chose that version: then only new drops start a run.

The new-drop sensor asks for the drops only; `salesops run` and the nightly schedule for both.

Nothing here looks at Dagster's run history or a sensor cursor: the warehouse is the truth, so
a run from the command line and a run from the UI see the same work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from salesops.ingest.drops import Drop, complete_drops
from salesops.settings import Settings
from salesops.sql import sql_str

if TYPE_CHECKING:
    from salesops.publish import MartDocs

LOAD_LEDGER = "raw.load_drops"
PROCESSED_LEDGER = "intermediate.int_incremental__processed_drops"
MARTS_LEDGER = "ops.marts_built_from"
"""The load ledger as it was when dbt last built every mart (written by record_marts_build)."""
FACT_SYSTEMS = ("crm", "lms")
"""The systems whose drops feed the incremental facts (the `where system in (...)` of
models/intermediate/int_incremental__processed_drops.sql)."""


class WarehouseBusy(RuntimeError):
    """The warehouse can't be read: another process is writing it."""


@dataclass(frozen=True)
class PendingWork:
    drops: tuple[Drop, ...] = ()
    """Complete drops not loaded yet, or loaded but not processed by the incremental facts."""
    marts_unpublished: bool = False
    """The warehouse's marts differ from the current published version (see the module doc)."""
    marts_stale: bool = False
    """Drops were loaded since dbt last built every mart (see the module doc)."""
    newest: dt.date | None = None
    """The newest complete drop date in the landing folder (None: no complete drop)."""
    content_hash: str | None = field(default=None, repr=False)
    """The warehouse marts' content fingerprint (None without marts)."""

    def date_range(self, drops_only: bool = False) -> tuple[dt.date, dt.date] | None:
        """The drop dates a run should cover, or None when there is nothing to do.

        From the oldest pending drop to the newest complete drop; with only unpublished marts,
        the newest date alone (its ingestion is skipped, the facts redo it, the marts are
        rebuilt, checked and published)."""
        if self.drops:
            return min(d.date for d in self.drops), self.newest
        stale = self.marts_stale or self.marts_unpublished
        if stale and not drops_only and self.newest is not None:
            return self.newest, self.newest
        return None

    def describe(self, drops_only: bool = False) -> str:
        """One line: what is pending, per system."""
        if self.drops:
            per: dict[str, int] = {}
            for d in self.drops:
                per[d.system] = per.get(d.system, 0) + 1
            counts = ", ".join(f"{s} {n}" for s, n in sorted(per.items()))
            return f"{len(self.drops)} new drop(s) ({counts})"
        if self.marts_stale and not drops_only:
            return ("every drop is loaded, but the marts were not rebuilt since (an earlier run "
                    "failed or was stopped in dbt): rebuilding, checking, publishing")
        if self.marts_unpublished and not drops_only:
            return ("every drop is loaded, but the warehouse's marts are not the published ones "
                    "(an earlier run failed its checks or was stopped): checking, publishing")
        if drops_only:
            return "no new drop: every complete drop is loaded"
        return "nothing new: every complete drop is loaded and published"


def pending_work(settings: Settings) -> PendingWork:
    """What is pending in the landing folder against the warehouse's ledgers (see the module
    docstring). Raises WarehouseBusy when another process is writing the warehouse."""
    complete = tuple(complete_drops(settings.landing_dir))
    if not complete:
        return PendingWork()
    loaded, processed, built_from, content_hash = _warehouse_state(settings.warehouse)
    done = {
        (d.system, d.date) for d in complete
        if (d.system, d.date) in loaded
        and (d.system not in FACT_SYSTEMS or (d.system, d.date) in processed)
    }
    todo = tuple(d for d in complete if (d.system, d.date) not in done)
    published = _published_hash(settings.publish_dir)
    unpublished = bool(done) and published is not False and (
        content_hash is None or content_hash != published)
    stale = bool(loaded) and built_from != loaded
    return PendingWork(todo, unpublished, stale, max(d.date for d in complete), content_hash)


def _warehouse_state(warehouse: Path) -> tuple[set, set, set | None, str | None]:
    """(loaded, processed, the loaded drops the marts were built from) as sets of (system, drop
    date), and the marts' content hash."""
    import duckdb

    from salesops.publish import mart_tables, published_fingerprint

    if not warehouse.is_file():
        return set(), set(), None, None
    con = duckdb.connect()
    try:
        try:
            con.execute(f"attach {sql_str(str(warehouse))} as wh (read_only)")
        except duckdb.IOException as exc:  # a writer holds DuckDB's file lock
            raise WarehouseBusy(f"the warehouse {warehouse} is being written by another "
                                f"process ({_lock_holder(str(exc))})") from exc
        tables = {f"{schema}.{name}" for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = 'wh'").fetchall()}
        loaded = (set(con.execute(f"select system, drop_date from wh.{LOAD_LEDGER}").fetchall())
                  if LOAD_LEDGER in tables else set())
        processed = (set(con.execute(f"select system, drop_date from wh.{PROCESSED_LEDGER}")
                         .fetchall()) if PROCESSED_LEDGER in tables else set())
        built_from = (set(con.execute(f"select system, drop_date from wh.{MARTS_LEDGER}")
                          .fetchall()) if MARTS_LEDGER in tables else None)
        marts = mart_tables(con)
        content_hash = published_fingerprint(con, "wh", marts) if marts else None
        return loaded, processed, built_from, content_hash
    finally:
        con.close()


def _lock_holder(message: str) -> str:
    """`PID 1234` out of DuckDB's lock error, else the error's first line."""
    import re

    found = re.search(r"PID (\d+)", message)
    return f"PID {found.group(1)}" if found else message.splitlines()[0]


def _published_hash(publish_dir: Path) -> str | None | bool:
    """The current published version's content hash; None before the first publish; False
    when the operator restored a version (then unpublished marts don't start a run)."""
    from salesops.publish import PUBLISHED_DB, current_log_entry, history

    if not (publish_dir / PUBLISHED_DB).is_file():
        return None
    events = history(publish_dir)
    if events and events[-1].get("action") == "restore":
        return False
    entry = current_log_entry(publish_dir) or {}
    return entry.get("content_hash")


def record_marts_build(warehouse: Path, run_id: str | None, published: Sequence[str],
                       docs: Mapping[str, MartDocs] | None = None) -> None:
    """Record that dbt has just built every mart from the drops now in the load ledger, and
    which of them are published (the models tagged `published`) with their descriptions
    (`docs`, from dbt's manifest), in one transaction (called by the dbt step after a whole,
    successful `dbt build`)."""
    import duckdb

    from salesops.publish import record_published_set

    con = duckdb.connect(str(warehouse))
    try:
        con.execute("begin")
        con.execute("create schema if not exists ops")
        con.execute(f"create or replace table {MARTS_LEDGER} as select system, drop_date, "
                    "current_timestamp as built_at, ? as run_id from raw.load_drops", [run_id])
        record_published_set(con, published, docs)
        con.execute("commit")
    finally:
        con.close()


def drop_range(settings: Settings) -> tuple[dt.date, dt.date]:
    """The drop dates a run should cover (:func:`salesops.pending.pending_work`): from the
    oldest complete drop not done yet to the newest complete drop. With nothing pending, just
    the newest date (ingestion skips it, the facts redo it, nothing new is published)."""
    work = pending_work(settings)
    if work.newest is None:
        raise SystemExit(f"error: no complete drop (with _SUCCESS) in {settings.landing_dir}")
    return work.date_range() or (work.newest, work.newest)
