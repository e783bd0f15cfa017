"""Writing landing drops by hand in tests (layout of CONTRACT.md)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from salesops.contract import SUCCESS_MARKER, spec_for


def drop_dir(landing: Path, system: str, date: str, complete: bool = True) -> Path:
    d = landing / system / date
    d.mkdir(parents=True, exist_ok=True)
    if complete:
        (d / SUCCESS_MARKER).touch()
    return d


def csv_text(header: list[str], rows: list[list[object]], newline: str = "\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def write_csv(
    landing: Path,
    system: str,
    date: str,
    file_name: str,
    rows: list[dict[str, object]],
    *,
    header: list[str] | None = None,
    complete: bool = True,
) -> Path:
    """Write rows (dicts by column) with the contract's columns (or `header`)."""
    if header is None:
        spec = spec_for(system, file_name)
        assert spec is not None, file_name
        header = [f.name for f in spec.fields]
    d = drop_dir(landing, system, date, complete)
    path = d / file_name
    path.write_text(csv_text(header, [[r.get(h) for h in header] for r in rows]), encoding="utf-8")
    return path


def write_jsonl(landing: Path, date: str, statements: list[dict | str], complete: bool = True) -> Path:
    d = drop_dir(landing, "lms", date, complete)
    path = d / "statements.jsonl"
    lines = [s if isinstance(s, str) else json.dumps(s) for s in statements]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def opportunity(id: str, **kw: object) -> dict[str, object]:
    """An Opportunity row with sensible defaults (an open prospecting deal)."""
    row: dict[str, object] = {
        "Id": id, "AccountId": "001000000000001AAA", "OwnerId": "005000000000001AAA",
        "StageName": "Prospecting", "Amount": "1000", "Probability": "10",
        "ForecastCategory": "Pipeline", "IsClosed": "false", "IsWon": "false",
        "CloseDate": "2026-03-31", "CreatedDate": "2026-01-05T09:00:00.000Z",
        "SystemModstamp": "2026-01-05T09:00:00.000Z", "IsDeleted": "false",
    }
    row.update(kw)
    return row
