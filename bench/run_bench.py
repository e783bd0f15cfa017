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
   `python -c "import orchestration.definitions"` in fresh interpreters, median of 3, and the
   dbt manifest must not be rewritten by a load.

The figures are printed as a table and written to <results>/<YYYY-MM-DD>.md (appended) and
<results>/latest.json (one object per preset; presets not run this time are kept). The exit
status is non-zero when a pipeline run failed or the floor's marts do not equal the pipeline's
(every other figure is still printed and written). See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from salesops.ingest.drops import complete_drops

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
GENERATOR_DIR = ROOT / "salesops" / "generator"
FLOOR_SECTIONS = ("10_base", "20_sales", "30_activity", "40_pipeline", "50_people")
SEED = 42
SYSTEMS = ("crm", "hr", "lms")
SAMPLE_SECONDS = 0.2
LOAD_REPEATS = 3
STAGES = ("ingestion", "dbt", "checks", "publishing")

# The targets of issue 6 (2 cores, 24 GB): (figure, limit, presets it applies to; None = all).
TARGETS = {
    "full_over_floor": (2.0, ("large",), "full pipeline within 2x the floor (large)"),
    "increment_over_full": (0.10, ("medium", "large"),
                            "one-day increment under 10% of the full run (medium, large)"),
    "checks_share": (0.20, None, "quality checks under 20% of the total"),
    "peak_rss_mb": (8 * 1024, ("large",), "peak memory under 8 GB (large)"),
    "load_s": (3.0, None, "code location loads in under 3 s"),
}
REQUIRED_KEYS = ("full_s", "floor_s", "full_over_floor", "increment_s", "increment_over_full",
                 "checks_share", "peak_rss_mb", "load_s")


def log(msg: str) -> None:
    print(f"[bench {dt.datetime.now(dt.UTC):%H:%M:%S}] {msg}", flush=True)


# ---------------------------------------------------------------------------------------------
# Landing cache


def generator_hash() -> str:
    h = hashlib.sha256()
    for p in sorted(GENERATOR_DIR.glob("*.py")):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def ensure_landing(cache: Path, preset: str, seed: int) -> dict:
    """<cache>/<preset>/landing, generated once; returns the stamp (with the generator's
    summary). Regenerated only when the stamp's preset, seed or generator hash differ."""
    pdir = cache / preset
    landing, stamp_file = pdir / "landing", pdir / "stamp.json"
    want = {"preset": preset, "seed": seed, "generator_sha256": generator_hash()}
    if stamp_file.is_file() and landing.is_dir():
        stamp = json.loads(stamp_file.read_text())
        if all(stamp.get(k) == v for k, v in want.items()):
            log(f"{preset}: landing files cached in {landing} (seed {seed})")
            return stamp
        log(f"{preset}: the cached landing files are stale ({stamp_file}): regenerating")
    pdir.mkdir(parents=True, exist_ok=True)
    stamp_file.unlink(missing_ok=True)  # written last: an interrupted generation starts again
    tmp = pdir / "landing.tmp"
    for old in (tmp, landing):
        if old.exists():
            shutil.rmtree(old)
    summary_file = pdir / "generate_summary.json"
    log(f"{preset}: generating the landing files (seed {seed}) into {landing} ...")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench.run_bench", "_generate", preset, str(tmp),
                    str(seed), str(summary_file)], cwd=ROOT, check=True)
    tmp.rename(landing)
    stamp = {**want, "generated_at": _now_iso(),
             "generate_s": round(time.perf_counter() - t0, 1),
             "summary": json.loads(summary_file.read_text())}
    stamp_file.write_text(json.dumps(stamp, indent=2, default=str))
    summary_file.unlink()
    return stamp


def _generate_worker(preset: str, out: str, seed: str, summary_file: str) -> int:
    from salesops.generator import generate

    summary = generate(preset, Path(out), seed=int(seed))
    Path(summary_file).write_text(json.dumps(summary, default=str))
    return 0


def drop_folders(landing: Path) -> dict[str, list[Path]]:
    """Complete drop folders by date (YYYY-MM-DD -> [<landing>/<system>/<date>, ...]), by the
    ingestion's own rule for complete drops."""
    out: dict[str, list[Path]] = defaultdict(list)
    for drop in complete_drops(landing):
        out[drop.date.isoformat()].append(drop.path)
    return dict(sorted(out.items()))


def link_drop(folder: Path, landing: Path) -> None:
    """The drop folder under landing/<system>/<date>, its files hard-linked (symlinked across
    file systems): no copies."""
    dest = landing / folder.parent.name / folder.name
    dest.mkdir(parents=True)
    for f in folder.iterdir():
        if f.is_file():
            try:
                os.link(f, dest / f.name)
            except OSError:
                (dest / f.name).symlink_to(f.resolve())
    # _SUCCESS last, as a real delivery does
    marker = dest / "_SUCCESS"
    if not marker.exists():
        marker.touch()


# ---------------------------------------------------------------------------------------------
# Running a command with its process tree's memory sampled


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children[ppid].append(int(entry.name))
    return children


_PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants (VmRSS summed; pages shared between
    processes, e.g. libraries, count once per process)."""
    children = _children_map()
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(children.get(pid, ()))
    return total


class Measured:
    def __init__(self, rc: int, wall: float, start: float, samples: list[tuple[float, int]],
                 max_process_rss: int):
        self.rc, self.wall, self.start = rc, wall, start
        self.samples = samples
        self.max_process_rss = max_process_rss  # the largest single process (wait4 ru_maxrss)

    @property
    def peak_mb(self) -> float:
        return max((r for _, r in self.samples), default=0) / 2**20

    def peak_mb_between(self, intervals: list[tuple[float, float]]) -> float | None:
        pad = SAMPLE_SECONDS * 1.5
        vals = [r for t, r in self.samples
                if any(a - pad <= t <= b + pad for a, b in intervals)]
        return max(vals) / 2**20 if vals else None


def run_measured(cmd: list[str], env: dict, log_file: Path, cwd: Path = ROOT) -> Measured:
    """Run cmd (stdout+stderr to log_file), sampling its tree's RSS every SAMPLE_SECONDS."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    samples: list[tuple[float, int]] = []
    with open(log_file, "wb") as out:
        start = time.time()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                samples.append((time.time(), tree_rss(proc.pid)))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            os.killpg(proc.pid, signal.SIGTERM)  # the group of the process we started
            proc.wait()
            raise
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
    return Measured(proc.returncode, wall, start, samples, usage.ru_maxrss * 1024)


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# ---------------------------------------------------------------------------------------------
# The Dagster event log of a run


def stage_of(step_key: str) -> str:
    if step_key.startswith("ingest_"):
        return "ingestion"
    if step_key.startswith("salesops_dbt_"):
        return "dbt"
    if step_key.startswith(("gx_", "freshness_check")):
        return "checks"
    if step_key.startswith("published__"):
        return "publishing"
    return "other"


def run_events(dagster_home: Path, known: set[str]) -> dict[str, Any]:
    """Steps (start, end, status) and dbt node durations of the one run in the instance at
    dagster_home whose id is not in `known`."""
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_home))) as instance:
        runs = [r for r in instance.get_runs() if r.run_id not in known]
        if not runs:
            return {"run_id": None, "steps": {}}
        run = runs[0]  # newest first
        steps: dict[str, dict] = {}
        bounds: dict[str, float] = {}
        record = instance.get_run_record_by_id(run.run_id)
        if record is not None and record.create_timestamp is not None:
            bounds["run_created"] = record.create_timestamp.timestamp()
        planned = 0
        dbt_nodes = defaultdict(float)
        for rec in instance.all_logs(run.run_id):
            ev = rec.dagster_event
            if ev is None:
                continue
            kind = ev.event_type_value
            if kind in ("ASSET_MATERIALIZATION_PLANNED", "ASSET_CHECK_EVALUATION_PLANNED"):
                planned += 1
            elif kind in ("PIPELINE_START", "RUN_START"):
                bounds["run_start"] = rec.timestamp
            elif kind in ("PIPELINE_SUCCESS", "PIPELINE_FAILURE", "RUN_SUCCESS", "RUN_FAILURE"):
                bounds["run_end"] = rec.timestamp
            elif kind == "STEP_START":
                steps.setdefault(ev.step_key, {"intervals": [], "status": None})
                steps[ev.step_key]["intervals"].append([rec.timestamp, None])
            elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and ev.step_key in steps:
                iv = steps[ev.step_key]["intervals"][-1]
                iv[1] = rec.timestamp
                steps[ev.step_key]["status"] = kind[5:].lower()
            elif kind in ("ASSET_CHECK_EVALUATION", "STEP_OUTPUT"):
                md = getattr(ev.event_specific_data, "metadata", None) or {}
                dur, uid = md.get("Execution Duration"), md.get("unique_id")
                if dur is not None and uid is not None:
                    node_type = str(uid.value).split(".", 1)[0]
                    dbt_nodes["tests" if node_type == "test" else "models"] += float(dur.value)
        return {"run_id": run.run_id, "status": run.status.value, "tags": dict(run.tags),
                "steps": steps, "dbt_nodes": dict(dbt_nodes),
                "planned_events": planned, **bounds}


def summarize_run(m: Measured, events: dict, log_file: Path) -> dict[str, Any]:
    end_fallback = m.start + m.wall
    stage_s = dict.fromkeys(STAGES, 0.0)
    intervals: dict[str, list[tuple[float, float]]] = {s: [] for s in STAGES}
    steps_out = {}
    for key, step in events.get("steps", {}).items():
        stage = stage_of(key)
        secs = 0.0
        for a, b in step["intervals"]:
            b = b if b is not None else end_fallback
            secs += b - a
            if stage in intervals:
                intervals[stage].append((a, b))
        if stage in stage_s:
            stage_s[stage] += secs
        steps_out[key] = {"stage": stage, "s": round(secs, 2), "status": step["status"],
                          "peak_rss_mb": _r(m.peak_mb_between(
                              [(a, b if b is not None else end_fallback)
                               for a, b in step["intervals"]]))}
    other = m.wall - sum(stage_s.values())
    # where "other" goes: before the run starts (interpreter, imports, loading the definitions,
    # planning), after it ends (summary, exit), and between the steps
    pre = events["run_start"] - m.start if "run_start" in events else None
    created = events["run_created"] - m.start if "run_created" in events else None
    post = end_fallback - events["run_end"] if "run_end" in events else None
    nodes = events.get("dbt_nodes") or {}
    tests, models = nodes.get("tests", 0.0), nodes.get("models", 0.0)
    tests_share = tests / (tests + models) if tests + models > 0 else None
    return {
        "ok": m.rc == 0,
        "rc": m.rc,
        "run_id": events.get("run_id"),
        "total_s": round(m.wall, 2),
        "stages_s": {k: round(v, 2) for k, v in stage_s.items()},
        "other_s": round(other, 2),
        "other_breakdown_s": {
            "before_run": _r(pre), "after_run": _r(post),
            # of before_run: the process until Dagster created the run (interpreter, imports,
            # definitions, drop range), then the run's *_PLANNED events written to the event log
            "before_run_created": _r(created),
            "run_created_to_start": _r(pre - created) if pre is not None and created is not None
            else None,
            "between_steps": _r(other - pre - post) if pre is not None and post is not None
            else None},
        "stages_peak_rss_mb": {k: _r(m.peak_mb_between(v)) for k, v in intervals.items()},
        "peak_rss_mb": _r(m.peak_mb),
        "max_process_rss_mb": _r(m.max_process_rss / 2**20),
        "steps": steps_out,
        "planned_events": events.get("planned_events"),
        # dbt's own node timings (Execution Duration of each model and data test, dbt threads
        # run in parallel so these are summed node times, not wall time)
        "dbt_tests_node_s": round(tests, 2),
        "dbt_models_node_s": round(models, 2),
        "dbt_tests_share_of_dbt": _r(tests_share, 3),
        "dbt_tests_s_est": _r(tests_share * stage_s["dbt"] if tests_share is not None else None),
        "log": str(log_file),
    }


def _r(x: float | None, nd: int = 2) -> float | None:
    return None if x is None else round(x, nd)


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


# ---------------------------------------------------------------------------------------------
# The floor


def _floor_worker(landing: str, out_db: str, result_file: str) -> int:
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
        "sql_s": _r(res.get("seconds")),
        "section_s": {k: round(v, 2) for k, v in (res.get("section_seconds") or {}).items()},
        "peak_rss_mb": _r(m.peak_mb),
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


# ---------------------------------------------------------------------------------------------
# Loading the code location


def measure_load(env: dict, rundir: Path, repeats: int = LOAD_REPEATS) -> dict[str, Any]:
    bindir = Path(sys.executable).parent
    manifest = ROOT / "dbt_project" / "target" / "manifest.json"
    # An untimed load first: brings the manifest up to date if a dbt source changed (as
    # `make setup` does), so the timed loads show what a load costs when it is prepared.
    subprocess.run([sys.executable, "-c", "import orchestration.definitions"], env=env, cwd=ROOT,
                   check=False, capture_output=True)
    before = _mtime(manifest)
    validate, imports, errors = [], [], []
    for _ in range(repeats):
        for cmd, sink in (([str(bindir / "dagster"), "definitions", "validate", "-w",
                            "workspace.yaml"], validate),
                          ([sys.executable, "-c", "import orchestration.definitions"], imports)):
            t0 = time.perf_counter()
            p = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
            sink.append(round(time.perf_counter() - t0, 2))
            if p.returncode != 0:
                errors.append(f"{' '.join(cmd[-4:])}: exit {p.returncode}: "
                              f"{(p.stderr or p.stdout)[-500:]}")
    after = _mtime(manifest)
    return {
        "validate_s": validate,
        "import_s": imports,
        "validate_median_s": statistics.median(validate),
        "import_median_s": statistics.median(imports),
        "manifest_unchanged": before is not None and before == after,
        "errors": errors,
    }


def _mtime(p: Path) -> int | None:
    try:
        return p.stat().st_mtime_ns
    except OSError:
        return None


# ---------------------------------------------------------------------------------------------
# One preset


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
        "preset": preset, "seed": seed, "measured_at": _now_iso(),
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
        "full_over_floor": _r(full_s / floor_s, 3) if full_s and floor_s else None,
        "increment_s": inc_s,
        "increment_over_full": _r(inc_s / full_s, 3) if inc_s and full_s else None,
        "checks_share": _r(full["stages_s"]["checks"] / full_s, 3) if full_s else None,
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


def targets(preset: str, r: dict) -> dict[str, str]:
    out = {}
    for key, (limit, presets, _) in TARGETS.items():
        if presets is not None and preset not in presets:
            out[key] = "n/a"
        elif r.get(key) is None:
            out[key] = "unknown"
        else:
            out[key] = "met" if r[key] < limit else "missed"
    return out


# ---------------------------------------------------------------------------------------------
# Report


def _fmt(x: Any, unit: str = "") -> str:
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "NO"
    if isinstance(x, float):
        if unit == "x":
            return f"{x:,.2f}x"
        return f"{x:.2f}{unit}" if abs(x) < 10 else f"{x:,.1f}{unit}"
    if isinstance(x, int):
        return f"{x:,}{unit}"
    return f"{x}{unit}"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def table_rows(results: dict[str, dict]) -> list[tuple[str, list[str]]]:
    presets = list(results)

    def row(label, fn):
        out = []
        for p in presets:
            try:
                out.append(fn(results[p]))
            except (KeyError, TypeError):
                out.append("-")
        return (label, out)

    def mark(key, text_fn):
        def f(r):
            t = r.get("targets", {}).get(key, "n/a")
            text = text_fn(r)
            return text if t == "n/a" else f"{text} ({t})"
        return f

    rows = [
        row("Tasks + Events rows (landing)", lambda r: _fmt(r["tasks_events_rows"])),
        row("drop dates (history + newest)", lambda r: f"{r['drop_dates'] - 1} + 1"),
        row("load average (1 min) at start / end", lambda r: f"{r['load_average_start'][0]} / "
                                                            f"{r['load_average_end'][0]}"),
        row("full run: total s", lambda r: _fmt(r["full"]["total_s"])),
    ]
    for stage in STAGES:
        rows.append(row(f"  {stage} s", lambda r, s=stage: _fmt(r["full"]["stages_s"][s])))
    rows.append(row("  other (start-up, planning) s", lambda r: _fmt(r["full"]["other_s"])))
    rows.append(row("    before run / between steps / after run s", lambda r: " / ".join(
        _fmt(r["full"]["other_breakdown_s"][k])
        for k in ("before_run", "between_steps", "after_run"))))
    rows.append(row("    of before run: run created / planned events (n) s", lambda r: (
        f"{_fmt(r['full']['other_breakdown_s']['before_run_created'])} / "
        f"{_fmt(r['full']['other_breakdown_s']['run_created_to_start'])} "
        f"({r['full']['planned_events']})")))
    rows.append(row("  dbt data tests, est. s (share of dbt node time)",
                    lambda r: f"{_fmt(r['full']['dbt_tests_s_est'])} "
                              f"({_pct(r['full']['dbt_tests_share_of_dbt'])})"))
    rows.append(row("full run: peak RSS MB", lambda r: _fmt(r["full"]["peak_rss_mb"])))
    for stage in STAGES:
        rows.append(row(f"  {stage} peak MB",
                        lambda r, s=stage: _fmt(r["full"]["stages_peak_rss_mb"][s])))
    rows += [
        row("floor (history): s", lambda r: _fmt(r["floor_full"]["s"])),
        row("floor (history): peak RSS MB", lambda r: _fmt(r["floor_full"]["peak_rss_mb"])),
        row("floor (history) = published marts", lambda r: _fmt(r["floor_full"]["equal"])),
        row("pipeline / floor", mark("full_over_floor",
                                     lambda r: _fmt(r["full_over_floor"], "x"))),
        row("increment: total s", lambda r: _fmt(r["increment"]["total_s"])),
    ]
    for stage in STAGES:
        rows.append(row(f"  {stage} s", lambda r, s=stage: _fmt(r["increment"]["stages_s"][s])))
    rows += [
        row("  other s", lambda r: _fmt(r["increment"]["other_s"])),
        row("increment: drops loaded", lambda r: ", ".join(
            f"{s} {len(d)}" for s, d in r["increment"]["loaded_drops"].items())),
        row("increment: peak RSS MB", lambda r: _fmt(r["increment"]["peak_rss_mb"])),
        row("increment / full", mark("increment_over_full",
                                     lambda r: _pct(r["increment_over_full"]))),
        row("floor (every day): s", lambda r: _fmt(r["floor_increment"]["s"])),
        row("floor (every day) = published marts",
            lambda r: _fmt(r["floor_increment"]["equal"])),
        row("checks / total (full run)", mark("checks_share", lambda r: _pct(r["checks_share"]))),
        row("peak RSS MB (pipeline runs)", mark("peak_rss_mb", lambda r: _fmt(r["peak_rss_mb"]))),
        row("code location load s (validate, median)", mark("load_s",
                                                            lambda r: _fmt(r["load_s"]))),
        row("  import orchestration.definitions s", lambda r: _fmt(r["import_s"])),
        row("  dbt manifest untouched by loads", lambda r: _fmt(r["load"]["manifest_unchanged"])),
    ]
    return rows


def render_table(results: dict[str, dict]) -> str:
    rows = table_rows(results)
    head = ["figure", *results]
    widths = [max(len(head[0]), *(len(r[0]) for r in rows))]
    for i in range(len(results)):
        widths.append(max(len(head[i + 1]), *(len(r[1][i]) for r in rows)))
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for label, cells in rows:
        vals = [label, *cells]
        lines.append("| " + " | ".join(
            v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in
            enumerate(zip(vals, widths, strict=True))) + " |")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    from importlib import metadata

    info: dict[str, Any] = {"cores": os.cpu_count(), "python": platform.python_version(),
                            "platform": platform.platform()}
    try:
        mem = next(line for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        info["memory_gb"] = round(int(mem.split()[1]) / 2**20, 1)
    except (OSError, StopIteration):
        info["memory_gb"] = None
    try:
        info["cpu"] = next(line.split(":", 1)[1].strip() for line in
                           Path("/proc/cpuinfo").read_text().splitlines()
                           if line.startswith("model name"))
    except (OSError, StopIteration):
        info["cpu"] = platform.processor() or None
    versions = {}
    for pkg in ("duckdb", "dbt-core", "dbt-duckdb", "dagster", "dagster-dbt",
                "great-expectations"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    info["versions"] = versions
    try:
        info["load_average"] = os.getloadavg()
    except OSError:
        pass
    return info


def problems(results: dict[str, dict]) -> list[str]:
    out = []
    for p, r in results.items():
        if r.get("error"):
            out.append(f"{p}: {r['error']}")
            continue
        for run in ("full", "increment"):
            if not r.get(run, {}).get("ok"):
                out.append(f"{p}: the {run} pipeline run failed: "
                           f"{(r.get(run, {}).get('error') or '')[-800:]}")
        for tag in ("floor_full", "floor_increment"):
            f = r.get(tag, {})
            if f.get("sections_missing"):
                out.append(f"{p}: floor sections missing: {', '.join(f['sections_missing'])}")
            for msg in f.get("mismatches", []):
                out.append(f"{p}: {tag}: {msg}")
        for e in r.get("load", {}).get("errors", []):
            out.append(f"{p}: code location load: {e}")
        if r.get("load") and not r["load"].get("manifest_unchanged"):
            out.append(f"{p}: the dbt manifest was rewritten while loading the code location")
    return out


def write_results(results: dict[str, dict], results_dir: Path, info: dict,
                  table: str, issues: list[str]) -> tuple[Path, Path]:
    results_dir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    md = results_dir / f"{now:%Y-%m-%d}.md"
    v = info["versions"]
    text = [
        f"## Benchmark {now:%Y-%m-%d %H:%M} UTC: {', '.join(results)}",
        "",
        f"Machine: {info['cores']} cores, {info['memory_gb']} GB, {info.get('cpu')}; "
        f"load average at the end {tuple(round(x, 2) for x in info.get('load_average', ()))}.",
        "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items())
        + f", Python {info['python']}.",
        "",
        table,
        "",
        "Targets (2 cores, 24 GB): " + "; ".join(t[2] for t in TARGETS.values())
        + ". (met)/(missed) marks them where they apply.",
        "",
    ]
    if issues:
        text += ["Problems:", ""] + [f"- {i}" for i in issues] + [""]
    prefix = (md.read_text() + "\n") if md.is_file() else "# Benchmark results\n\n"
    md.write_text(prefix + "\n".join(text))
    latest = results_dir / "latest.json"
    data: dict[str, Any] = {}
    if latest.is_file():
        try:
            data = json.loads(latest.read_text())
        except json.JSONDecodeError:
            data = {}
    for p, r in results.items():
        data[p] = {**{k: r.get(k) for k in REQUIRED_KEYS},
                   **{k: val for k, val in r.items() if k not in REQUIRED_KEYS},
                   "machine": info}
    latest.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return md, latest


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_floor":
        return _floor_worker(*argv[1:4])
    if argv and argv[0] == "_generate":
        return _generate_worker(*argv[1:5])
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
