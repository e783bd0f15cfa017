"""The floor in a measured subprocess, and its marts compared with the published ones."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, rounded
from bench.measure import run_measured, tail

FLOOR_SECTIONS = ("10_base", "20_sales", "30_activity", "40_pipeline", "50_people")


def floor_worker(landing: str, out_db: str, result_file: str) -> int:
    try:
        from bench.floor import run_floor

        run = run_floor(Path(landing), Path(out_db))
        Path(result_file).write_text(json.dumps(
            {"seconds": run.seconds, "section_seconds": run.section_seconds}))
        return 0
    except BaseException as exc:  # SystemExit too (no section file)
        Path(result_file).write_text(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
        return 1


def floor_sections() -> list[str]:
    return sorted(p.stem for p in (BENCH_DIR / "floor").glob("[0-9][0-9]_*.sql"))


def published_marts(published_db: Path) -> int:
    """How many kpi_* tables the published database holds."""
    import duckdb

    with duckdb.connect(str(published_db), read_only=True) as con:
        return con.execute(
            "select count(*) from duckdb_tables() where starts_with(table_name, 'kpi_')"
        ).fetchone()[0]


def run_and_compare_floor(landing: Path, rundir: Path, tag: str, env: dict,
                          published_db: Path) -> dict[str, Any]:
    out_db = rundir / f"floor_{tag}.duckdb"
    result_file = rundir / f"floor_{tag}.json"
    log_file = rundir / "logs" / f"floor_{tag}.log"
    m = run_measured([sys.executable, "-m", "bench.run_bench", "_floor", str(landing),
                      str(out_db), str(result_file)], env, log_file)
    res = json.loads(result_file.read_text()) if result_file.is_file() else {
        "error": f"the floor process ended with {m.rc}: {tail(log_file)}"}
    sections = floor_sections()
    out: dict[str, Any] = {
        "ok": m.rc == 0 and "error" not in res,
        "s": round(m.wall, 2) if m.rc == 0 else None,  # the whole process, like the pipeline's
        "sql_s": rounded(res.get("seconds")),
        "section_s": {k: round(v, 2) for k, v in (res.get("section_seconds") or {}).items()},
        "peak_rss_mb": rounded(m.peak_mb),
        "sections": sections,
        "sections_missing": [s for s in FLOOR_SECTIONS if s not in sections],
        "error": res.get("error"),
        "log": str(log_file),
    }
    mismatches: list[str]
    if not out["ok"]:
        mismatches = [f"the floor failed: {res.get('error')}"]
    elif not published_db.is_file():
        mismatches = ["no published database to compare with (the pipeline run failed)"]
    else:
        from bench.floor import compare

        mismatches = compare(out_db, published_db)  # an empty comparison is a mismatch
        out["marts_compared"] = published_marts(published_db)
    out["equal"] = not mismatches
    out["mismatches"] = mismatches
    if out["equal"]:
        out_db.unlink(missing_ok=True)  # GBs at large; kept only to inspect a mismatch
    else:
        out["floor_db"] = str(out_db)
    return out
