"""Finding drops in the landing folder: `<landing>/<system>/<YYYY-MM-DD>/`, complete with
`_SUCCESS`."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from salesops.contract import SUCCESS_MARKER, SYSTEMS


@dataclass(frozen=True)
class Drop:
    system: str
    date: dt.date
    path: Path

    @property
    def key(self) -> str:
        return f"{self.system}/{self.date.isoformat()}"

    def data_files(self) -> list[Path]:
        """The drop's files, in name order, without the marker and hidden files."""
        return sorted(
            p
            for p in self.path.iterdir()
            if p.is_file() and p.name != SUCCESS_MARKER and not p.name.startswith(".")
        )

    def fingerprint(self) -> str:
        """A digest of the drop's file names and contents: a re-delivery has the same one."""
        h = hashlib.sha256()
        for p in self.data_files():
            h.update(p.name.encode())
            h.update(b"\0")
            h.update(file_sha256(p).encode())
        return h.hexdigest()


@dataclass(frozen=True)
class Scan:
    complete: list[Drop]
    pending: list[Drop]  # folders without _SUCCESS: still being written
    ignored: list[Path]  # folders whose name is not a date


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def parse_drop_date(name: str) -> dt.date | None:
    if len(name) != 10:
        return None
    try:
        return dt.date.fromisoformat(name)
    except ValueError:
        return None


def scan_system(landing: Path, system: str) -> Scan:
    complete: list[Drop] = []
    pending: list[Drop] = []
    ignored: list[Path] = []
    root = landing / system
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            if not folder.is_dir():
                continue
            date = parse_drop_date(folder.name)
            if date is None:
                ignored.append(folder)
                continue
            drop = Drop(system, date, folder)
            (complete if (folder / SUCCESS_MARKER).is_file() else pending).append(drop)
    complete.sort(key=lambda d: d.date)
    pending.sort(key=lambda d: d.date)
    return Scan(complete, pending, ignored)


def complete_drops(landing: Path, systems: tuple[str, ...] = SYSTEMS) -> list[Drop]:
    """Every complete drop of the given systems, in date order (then system order)."""
    drops = [d for s in systems for d in scan_system(landing, s).complete]
    return sorted(drops, key=lambda d: (d.date, SYSTEMS.index(d.system)))
