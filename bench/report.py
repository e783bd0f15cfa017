"""The figures against the targets of issue 6, the table, the problems, and the results files
(<results>/<YYYY-MM-DD>.md and latest.json)."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path
from typing import Any

from bench.dagster_events import STAGES

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
        row("  load orchestration.definitions s", lambda r: _fmt(r["import_s"])),
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
