"""What every part of the bench harness shares: its paths, its log line, rounding."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"


def log(msg: str) -> None:
    print(f"[bench {dt.datetime.now(dt.UTC):%H:%M:%S}] {msg}", flush=True)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def rounded(x: float | None, nd: int = 2) -> float | None:
    return None if x is None else round(x, nd)
