"""Writes the landing layout: <out>/<system>/<YYYY-MM-DD>/<file>, one folder per drop.

CRM objects are handed over as *versions* (every state a record was in, stamped with its
SystemModstamp). `emit` routes them to drops: drop i holds, per record, the latest version stamped
in [cutoff(i-1), cutoff(i)); the first drop holds everything stamped before its cutoff (a full
export). A drop's cutoff is 00:00 UTC of its extract date. Files are opened on first write, so an
object that did not change is absent from a delta. `_SUCCESS` markers are written last.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from salesops.contract import SUCCESS_MARKER, SYSTEMS
from salesops.generator.formats import Column, take, to_text
from salesops.generator.timeutil import DAY_MS, day_number


def route(keys: np.ndarray, stamps: np.ndarray, cutoffs: np.ndarray) -> list[np.ndarray]:
    """Row indices to write in each drop: the latest version of each key within the drop window.

    Within a drop, rows come out ordered by key. Versions stamped at or after the last cutoff are
    in the future of every drop and are left out.
    """
    keys = np.asarray(keys, dtype=np.int64)
    stamps = np.asarray(stamps, dtype=np.int64)
    drop = np.searchsorted(cutoffs, stamps, side="right")
    idx = np.nonzero(drop < len(cutoffs))[0]
    d, k, s = drop[idx], keys[idx], stamps[idx]
    order = np.lexsort((s, k, d))
    idx, d, k = idx[order], d[order], k[order]
    last = np.ones(len(idx), dtype=bool)
    last[:-1] = (d[1:] != d[:-1]) | (k[1:] != k[:-1])
    idx, d = idx[last], d[last]
    bounds = np.searchsorted(d, np.arange(len(cutoffs) + 1))
    return [idx[bounds[i] : bounds[i + 1]] for i in range(len(cutoffs))]


class Landing:
    def __init__(self, out: Path, drop_dates: Sequence[dt.date]) -> None:
        self.out = Path(out)
        self.drop_dates = list(drop_dates)
        self.cutoffs = np.array([day_number(d) * DAY_MS for d in self.drop_dates], np.int64)
        self._sinks: dict[tuple[str, int, str], tuple[io.TextIOWrapper, object]] = {}
        self.counts: dict[tuple[str, int, str], int] = {}

    # -- paths ---------------------------------------------------------------------------------
    def drop_dir(self, system: str, drop: int) -> Path:
        return self.out / system / self.drop_dates[drop].isoformat()

    def drop_of(self, ms: int) -> int | None:
        """Index of the drop a change stamped `ms` lands in (None: after the last drop)."""
        i = int(np.searchsorted(self.cutoffs, ms, side="right"))
        return i if i < len(self.cutoffs) else None

    # -- CSV -----------------------------------------------------------------------------------
    def _sink(self, system: str, drop: int, file_name: str, header: Sequence[str]):
        key = (system, drop, file_name)
        sink = self._sinks.get(key)
        if sink is None:
            path = self.drop_dir(system, drop) / file_name
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed in finish()
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(header)
            sink = (fh, writer)
            self._sinks[key] = sink
            self.counts[key] = 0
        return sink

    def write_rows(
        self, system: str, drop: int, file_name: str, header: Sequence[str],
        rows: Iterable[Sequence[str]],
    ) -> None:
        """Append rows (already text) to a CSV of a drop; creates the file with its header."""
        _, writer = self._sink(system, drop, file_name, header)
        before = self.counts[(system, drop, file_name)]
        n = 0
        for row in rows:
            writer.writerow(row)
            n += 1
        self.counts[(system, drop, file_name)] = before + n

    def emit(
        self, file_name: str, header: Sequence[str], frame: dict[str, Column],
        keys: np.ndarray, stamps: np.ndarray, system: str = "crm",
    ) -> None:
        """Route record versions to drops and append each drop's rows to its CSV."""
        missing = [c for c in header if c not in frame]
        if missing:
            raise KeyError(f"{file_name}: no values for {missing}")
        for drop, idx in enumerate(route(keys, stamps, self.cutoffs)):
            if len(idx) == 0:
                continue
            cols = [to_text(take(frame[c], idx)) for c in header]
            _, writer = self._sink(system, drop, file_name, header)
            writer.writerows(zip(*cols, strict=True))
            self.counts[(system, drop, file_name)] += len(idx)

    # -- JSON lines ----------------------------------------------------------------------------
    def write_jsonl(self, system: str, drop: int, file_name: str, records: list[dict]) -> None:
        if not records:
            return  # an empty file would fail the drop: the file is simply absent
        path = self.drop_dir(system, drop) / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        key = (system, drop, file_name)
        self.counts[key] = self.counts.get(key, 0) + len(records)

    # -- completion ----------------------------------------------------------------------------
    def finish(self) -> dict:
        for fh, _ in self._sinks.values():
            fh.close()
        self._sinks.clear()
        for system in SYSTEMS:
            for drop in range(len(self.drop_dates)):
                d = self.drop_dir(system, drop)
                d.mkdir(parents=True, exist_ok=True)
                (d / SUCCESS_MARKER).write_bytes(b"")
        return self.summary()

    def summary(self) -> dict:
        drops: dict[str, dict[str, int]] = {}
        totals: dict[str, int] = {}
        for (system, drop, file_name), n in sorted(self.counts.items()):
            name = f"{system}/{file_name}"
            drops.setdefault(self.drop_dates[drop].isoformat(), {})[name] = n
            totals[name] = totals.get(name, 0) + n
        return {
            "drop_dates": [d.isoformat() for d in self.drop_dates],
            "rows": dict(sorted(totals.items())),
            "rows_per_drop": dict(sorted(drops.items())),
        }
