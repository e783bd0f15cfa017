"""Measuring commands: wall time and the peak RSS of a process tree (sampled), and the load
time of the code location."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.common import ROOT

SAMPLE_SECONDS = 0.2
LOAD_REPEATS = 3


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


LOAD_CODE = "from orchestration.definitions import defs; defs()"
"""What loading the code location costs in this process: the import and the build."""


def measure_load(env: dict, rundir: Path, repeats: int = LOAD_REPEATS) -> dict[str, Any]:
    bindir = Path(sys.executable).parent
    manifest = ROOT / "dbt_project" / "target" / "manifest.json"
    # An untimed load first: brings the manifest up to date if a dbt source changed (as
    # `make setup` does), so the timed loads show what a load costs when it is prepared.
    subprocess.run([sys.executable, "-c", LOAD_CODE], env=env, cwd=ROOT,
                   check=False, capture_output=True)
    before = _mtime(manifest)
    validate, imports, errors = [], [], []
    for _ in range(repeats):
        for cmd, sink in (([str(bindir / "dagster"), "definitions", "validate", "-w",
                            "workspace.yaml"], validate),
                          ([sys.executable, "-c", LOAD_CODE], imports)):
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
