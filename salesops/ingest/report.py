"""What loading drops reports: per file, per drop, and for a whole load."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class FileResult:
    file: str
    table: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    seconds: float


@dataclass
class DropResult:
    system: str
    drop_date: dt.date
    status: str  # loaded | skipped | failed
    load_id: str | None = None
    files: list[FileResult] = field(default_factory=list)
    message: str | None = None
    seconds: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.system}/{self.drop_date.isoformat()}"

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


@dataclass
class LoadReport:
    results: list[DropResult] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # drops without _SUCCESS
    warnings: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> list[DropResult]:
        return [r for r in self.results if r.status == "loaded"]

    @property
    def failures(self) -> list[DropResult]:
        return [r for r in self.results if r.status == "failed"]

    def raise_for_failures(self) -> None:
        if self.failures:
            raise IngestionFailed(self.failures)

    def extend(self, other: LoadReport) -> None:
        self.results += other.results
        self.pending += other.pending
        self.warnings += other.warnings


class IngestionFailed(Exception):
    def __init__(self, failures: list[DropResult]):
        self.failures = failures
        lines = [f"drop {r.key} failed: {r.message}" for r in failures]
        super().__init__("\n".join(lines))
