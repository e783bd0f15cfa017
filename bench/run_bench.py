"""The benchmark of issue 6: the pipeline against the floor, the nightly increment, the load time.

    python -m bench.run_bench --presets medium large      (what `make bench` runs)
    python -m bench.run_bench --presets tiny --cache-dir /tmp/c --results-dir /tmp/r

For each preset: the landing files are generated once into <cache>/<preset>/landing (fixed
seed; a stamp records preset, seed and a hash of salesops/generator/*.py, and only a changed
stamp regenerates). A run folder <cache>/<preset>/run/ is made afresh: its landing folder holds
hard links to every drop except the newest date's. Then:

1. full run: `salesops run` (a subprocess) from an empty warehouse, DAGSTER_HOME and publish
   folder; wall time, peak RSS of its process tree, and per stage (ingestion, dbt, quality
   checks, publishing) from the Dagster event log of the run;
2. floor over the same files (a subprocess: bench/floor.py's run_floor), its marts compared
   with the published marts;
3. increment: the newest date's drop folders (crm, hr, lms) are linked in and `salesops run`
   runs again: the nightly run;
4. floor over every day, compared with the published marts after the increment;
5. load time of the code location: `dagster definitions validate -w workspace.yaml` and
   `python -c "from orchestration.definitions import defs; defs()"` (import and build) in fresh
   interpreters, median of 3, and the
   dbt manifest must not be rewritten by a load.

The figures are printed as a table and written to <results>/<YYYY-MM-DD>.md (appended) and
<results>/latest.json (one object per preset; presets not run this time are kept). The exit
status is non-zero when a pipeline run failed or the floor's marts do not equal the pipeline's
(every other figure is still printed and written). See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, ROOT, log, now_iso, rounded
from bench.dagster_events import run_events, summarize_run
from bench.floor_check import floor_worker, run_and_compare_floor
from bench.landing import drop_folders, ensure_landing, generate_worker, link_drop
from bench.measure import LOAD_REPEATS, measure_load, run_measured, tail
from bench.report import REQUIRED_KEYS, machine, problems, render_table, targets, write_results

SEED = 42
SYSTEMS = ("crm", "hr", "lms")


def loaded_drops(warehouse: Path) -> set[tuple[str, str]]:
    import duckdb

    if not warehouse.is_file():
        return set()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {(s, str(d)) for s, d in con.execute(
            "select system, drop_date from raw.load_drops").fetchall()}
    except duckdb.Error:
        return set()
    finally:
        con.close()


def base_env(rundir: Path, as_of: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DAGSTER_HOME": str(rundir / "dagster_home"),
        "SALESOPS_LANDING_DIR": str(rundir / "landing"),
        "SALESOPS_WAREHOUSE": str(rundir / "warehouse" / "warehouse.duckdb"),
        "SALESOPS_PUBLISH_DIR": str(rundir / "published"),
        "SALESOPS_AS_OF_DATE": as_of,
        "GX_ANALYTICS_ENABLED": "false",
        "DAGSTER_DISABLE_TELEMETRY": "true",
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("SALESOPS_GX_DOCS_DIR", None)
    env.pop("SALESOPS_FAILURE_LOG", None)
    return env


def bench_preset(preset: str, cache: Path, seed: int, load_repeats: int) -> dict[str, Any]:
    stamp = ensure_landing(cache, preset, seed)
    landing_cache = cache / preset / "landing"
    rows = (stamp.get("summary") or {}).get("rows") or {}
    by_date = drop_folders(landing_cache)
    if len(by_date) < 2:
        raise SystemExit(f"{preset}: needs at least two drop dates, found {list(by_date)}")
    newest = list(by_date)[-1]
    history = list(by_date)[:-1]

    rundir = cache / preset / "run"
    if rundir.exists():
        shutil.rmtree(rundir)
    (rundir / "dagster_home").mkdir(parents=True)
    shutil.copy(ROOT / "config" / "dagster.yaml", rundir / "dagster_home" / "dagster.yaml")
    (rundir / "warehouse").mkdir()
    landing = rundir / "landing"
    for date in history:
        for folder in by_date[date]:
            link_drop(folder, landing)
    env = base_env(rundir, newest)
    salesops = str(Path(sys.executable).parent / "salesops")
    warehouse = Path(env["SALESOPS_WAREHOUSE"])
    published_db = Path(env["SALESOPS_PUBLISH_DIR"]) / "salesops.duckdb"
    result: dict[str, Any] = {
        "preset": preset, "seed": seed, "measured_at": now_iso(),
        "load_average_start": _loadavg(),
        "tasks_events_rows": (rows.get("crm/Task.csv", 0) + rows.get("crm/Event.csv", 0))
        if rows else None,
        "landing_rows": rows,
        "drop_dates": len(by_date), "history": [history[0], history[-1]], "newest_drop": newest,
        "run_dir": str(rundir),
    }

    log(f"{preset}: full run over {len(history)} drop dates ({history[0]} .. {history[-1]}) "
        "from an empty warehouse ...")
    m = run_measured([salesops, "run", "--verbose"], env, rundir / "logs" / "full.log")
    ev = run_events(rundir / "dagster_home", set())
    full = summarize_run(m, ev, rundir / "logs" / "full.log")
    if not full["ok"]:
        full["error"] = tail(rundir / "logs" / "full.log")
    result["full"] = full
    log(f"{preset}: full run {'ok' if full['ok'] else 'FAILED'} in {full['total_s']:.1f} s")
    history_drops = loaded_drops(warehouse)

    log(f"{preset}: floor over the same files ...")
    result["floor_full"] = run_and_compare_floor(landing, rundir, "full", env, published_db)
    log(f"{preset}: floor {result['floor_full']['s']} s, equal: {result['floor_full']['equal']}")

    if full["ok"]:
        for folder in by_date[newest]:
            link_drop(folder, landing)
        log(f"{preset}: increment: the drops of {newest} "
            f"({', '.join(f.parent.name for f in by_date[newest])}) ...")
        m2 = run_measured([salesops, "run", "--verbose"], env, rundir / "logs" / "increment.log")
        ev2 = run_events(rundir / "dagster_home", {ev["run_id"]} if ev.get("run_id") else set())
        inc = summarize_run(m2, ev2, rundir / "logs" / "increment.log")
        if not inc["ok"]:
            inc["error"] = tail(rundir / "logs" / "increment.log")
        new = sorted(loaded_drops(warehouse) - history_drops)
        inc["loaded_drops"] = {s: [d for sy, d in new if sy == s] for s in SYSTEMS}
        result["increment"] = inc
        log(f"{preset}: increment {'ok' if inc['ok'] else 'FAILED'} in {inc['total_s']:.1f} s")
        log(f"{preset}: floor over every day ...")
        result["floor_increment"] = run_and_compare_floor(landing, rundir, "increment", env,
                                                          published_db)
        log(f"{preset}: floor {result['floor_increment']['s']} s, "
            f"equal: {result['floor_increment']['equal']}")
    else:
        result["increment"] = {"ok": False, "error": "not run: the full run failed"}
        result["floor_increment"] = {"ok": False, "equal": False,
                                     "mismatches": ["not run: the full run failed"]}

    log(f"{preset}: loading the code location ({load_repeats} times) ...")
    result["load"] = measure_load(env, rundir, load_repeats)

    # The figures of the issue.
    inc = result["increment"]
    floor_s = result["floor_full"].get("s")
    full_s = full["total_s"] if full["ok"] else None
    inc_s = inc.get("total_s") if inc.get("ok") else None
    peaks = [x["peak_rss_mb"] for x in (full, inc) if x.get("peak_rss_mb") is not None]
    result.update({
        "full_s": full_s,
        "floor_s": floor_s,
        "full_over_floor": rounded(full_s / floor_s, 3) if full_s and floor_s else None,
        "increment_s": inc_s,
        "increment_over_full": rounded(inc_s / full_s, 3) if inc_s and full_s else None,
        "checks_share": rounded(full["stages_s"]["checks"] / full_s, 3) if full_s else None,
        "peak_rss_mb": max(peaks) if peaks else None,
        "load_s": result["load"]["validate_median_s"],
        "import_s": result["load"]["import_median_s"],
        "floor_equal": bool(result["floor_full"].get("equal")
                            and result["floor_increment"].get("equal")),
    })
    result["targets"] = targets(preset, result)
    result["load_average_end"] = _loadavg()
    return result


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_floor":
        return floor_worker(*argv[1:4])
    if argv and argv[0] == "_generate":
        return generate_worker(*argv[1:5])
    parser = argparse.ArgumentParser(prog="python -m bench.run_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", nargs="+", default=["medium", "large"],
                        choices=["tiny", "demo", "medium", "large"])
    parser.add_argument("--cache-dir", type=Path,
                        default=Path(os.environ.get("SALESOPS_BENCH_CACHE_DIR")
                                     or BENCH_DIR / "cache"),
                        help="generated landing files and run folders (env "
                             "SALESOPS_BENCH_CACHE_DIR; default bench/cache)")
    parser.add_argument("--results-dir", type=Path,
                        default=Path(os.environ.get("SALESOPS_BENCH_RESULTS_DIR")
                                     or BENCH_DIR / "results"),
                        help="where <date>.md and latest.json go (env "
                             "SALESOPS_BENCH_RESULTS_DIR; default bench/results)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--load-repeats", type=int, default=LOAD_REPEATS)
    args = parser.parse_args(argv)
    presets = [p for i, p in enumerate(args.presets) if p not in args.presets[:i]]
    cache, results_dir = args.cache_dir.resolve(), args.results_dir.resolve()
    results: dict[str, dict] = {}
    for preset in presets:
        try:
            results[preset] = bench_preset(preset, cache, args.seed, args.load_repeats)
        except Exception as exc:  # one preset's failure must not lose the others' figures
            import traceback

            traceback.print_exc()
            results[preset] = {"preset": preset, "error": f"{type(exc).__name__}: {exc}",
                               **dict.fromkeys(REQUIRED_KEYS)}
    info = machine()
    table = render_table(results)
    issues = problems(results)
    print()
    print(table)
    print()
    md, latest = write_results(results, results_dir, info, table, issues)
    if issues:
        print("Problems:")
        for i in issues:
            print(f"  - {i}")
    print(f"\nwritten: {md}\n         {latest}")
    failed = any(r.get("error") or not r.get("floor_equal")
                 or not (r.get("full", {}).get("ok") and r.get("increment", {}).get("ok"))
                 for r in results.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
