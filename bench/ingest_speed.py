"""Ingestion speed of one landing file: the loader as committed (``old``: the ``salesops``
package of ``git archive HEAD``) against the working tree's (``new``), side by side in one run,
and a check that both load the same rows.

    python -m bench.ingest_speed bench/cache/medium/landing/crm/2026-10-20/Task.csv
    python -m bench.ingest_speed FILE --variants new --profile      # time each statement
    python -m bench.ingest_speed FILE --rounds 2                     # old, new, old, new

Each load runs in its own interpreter (a fresh DuckDB in a temporary folder, created by the
loader's ``connect`` like ``load_landing`` does, the file loaded in one transaction like
``load_drop`` does), so the peak RSS (``VmHWM``) is that load's alone. Variants alternate
within a round, so a machine shared with other jobs slows both alike. After each round the raw
table and ``raw.quarantine`` of the variants are compared: same column types, same rows
(as a multiset and in the same order), ``_load_id`` / ``load_id`` (random) left out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _write_original(folder: Path) -> None:
    """The committed `salesops` package (``git archive HEAD``) under `folder`; the `old` variant
    imports it in place of the working tree's."""
    archive = subprocess.run(["git", "archive", "HEAD", "salesops"], cwd=REPO, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)


def _import_loader(variant: str, orig_dir: str | None):
    """`connect` and `load_file` of the variant: `new` the working tree's, `old` the committed
    package's, `x.py` a module of its own (importing the working tree's package). Called before
    anything imports `salesops`, so the `old` variant gets the committed package throughout."""
    if variant.endswith(".py"):
        sys.path.insert(0, str(Path(variant).parent))
        module = importlib.import_module(Path(variant).stem)
        return module.connect, module.load_file
    if variant == "old":
        assert orig_dir
        sys.path.insert(0, orig_dir)
    from salesops.ingest import loader

    try:
        from salesops.ingest.file_loader import load_file
    except ImportError:  # a committed package from before load_file left the loader
        load_file = loader.load_file
    return loader.connect, load_file


class _TimedConnection:
    """Delegates to a DuckDB connection and records the time of each `execute`."""

    def __init__(self, con):
        self._con = con
        self.times: list[tuple[float, str]] = []

    def execute(self, sql, *args):
        t0 = time.perf_counter()
        out = self._con.execute(sql, *args)
        self.times.append((time.perf_counter() - t0, " ".join(str(sql).split())[:110]))
        return out

    def __getattr__(self, name):
        return getattr(self._con, name)


def _peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: ru_maxrss would carry the parent's over fork+exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker(args) -> None:
    connect, load_file = _import_loader(args.worker, args.orig_dir)
    from salesops.contract import spec_for
    from salesops.ingest.hr_columns import load_hr_column_map

    path = Path(args.files[0]).resolve()
    system, date, landing = path.parent.parent.name, path.parent.name, path.parents[2]
    spec = spec_for(system, path.name)
    if spec is None:
        raise SystemExit(f"{path}: not a contract file of {system}")
    mapping = load_hr_column_map() if system == "hr" else None
    con = connect(Path(args.db))
    timed = _TimedConnection(con) if args.profile else con
    t0 = time.perf_counter()
    con.execute("begin transaction")
    fr = load_file(timed, spec, path, path.relative_to(landing).as_posix(),
                   dt.date.fromisoformat(date), f"bench-{args.worker}", mapping)
    con.execute("commit")
    seconds = time.perf_counter() - t0
    con.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "variant": args.worker, "table": spec.table, "seconds": seconds, "rows": fr.rows_read,
        "loaded": fr.rows_loaded, "quarantined": fr.rows_quarantined,
        "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": _peak_rss_mb(),
        "statements": timed.times if args.profile else [],
    }))


def _run_variant(variant: str, file: str, db: Path, orig_dir: str, profile: bool) -> dict:
    cmd = [sys.executable, "-m", "bench.ingest_speed", "--worker", variant, "--db", str(db),
           "--orig-dir", orig_dir, file]
    if profile:
        cmd.append("--profile")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{variant} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _compare(db_a: Path, db_b: Path, table: str) -> tuple[list[str], list[str]]:
    """Differences between the raw table and the quarantine of two warehouses ([] if none),
    and notes on their row order."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"attach '{db_a}' as a (read_only)")
    con.execute(f"attach '{db_b}' as b (read_only)")
    problems, notes = [], []
    for name, skip in ((table, "_load_id"), ("quarantine", "load_id")):
        types = [con.execute(
            "select column_name, data_type from information_schema.columns "
            f"where table_catalog = '{db}' and table_schema = 'raw' and table_name = '{name}' "
            "order by ordinal_position").fetchall() for db in ("a", "b")]
        if types[0] != types[1]:
            problems.append(f"{name}: column types differ: {types[0]} vs {types[1]}")
            continue
        sel = {db: f"select * exclude ({skip}) from {db}.raw.{name}" for db in ("a", "b")}
        counts = [con.execute(f"select count(*) from {db}.raw.{name}").fetchone()[0]
                  for db in ("a", "b")]
        only_a, only_b = (
            con.execute(f"select count(*) from ({x} except all {y})").fetchone()[0]
            for x, y in ((sel["a"], sel["b"]), (sel["b"], sel["a"]))
        )
        if counts[0] != counts[1] or only_a or only_b:
            problems.append(f"{name}: rows {counts[0]} vs {counts[1]}; only in old {only_a}, "
                            f"only in new {only_b}")
            continue
        moved = con.execute(
            f"select count(*) from (select s as r1 from ({sel['a']}) s) positional join "
            f"(select s as r2 from ({sel['b']}) s) where r1 is distinct from r2").fetchone()[0]
        if moved:
            # Not a difference of content: with duplicate keys or line breaks in values, the
            # original's order is not the file's (and not the same from one run to the next).
            line = "_line" if name == table else "line"
            unordered = [con.execute(
                f"select count(*) from (select {line} < lag({line}) over () as back "
                f"from {db}.raw.{name}) where back").fetchone()[0] for db in ("a", "b")]
            notes.append(f"{name}: same rows, {moved} at another position (rows after a "
                         f"higher line: old {unordered[0]}, new {unordered[1]})")
    con.close()
    return problems, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", help="landing files: <landing>/<system>/<date>/<f>")
    parser.add_argument("--variants", default="old,new",
                        help="old,new (default), one of them, or a loader file (x.py) besides")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="print each statement's time")
    parser.add_argument("--no-check", action="store_true", help="skip the equality check")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--orig-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args)
        return 0
    variants = args.variants.split(",")
    status = 0
    with tempfile.TemporaryDirectory(prefix="ingest_speed_") as tmp:
        tmp_path = Path(tmp)
        _write_original(tmp_path)
        for file in args.files:
            size = Path(file).stat().st_size / 1e6
            print(f"== {file} ({size:,.1f} MB)")
            results: dict[str, list[dict]] = {v: [] for v in variants}
            for rnd in range(args.rounds):
                dbs = {}
                order = variants if rnd % 2 == 0 else variants[::-1]
                for v in order:
                    folder = tmp_path / f"{Path(v).stem}-{rnd}"
                    folder.mkdir()
                    dbs[v] = folder / "warehouse.duckdb"
                    r = _run_variant(v, file, dbs[v], tmp, args.profile)
                    results[v].append(r)
                    print(f"  round {rnd + 1} {Path(v).stem:>3}: {r['seconds']:8.2f} s "
                          f"{r['rows'] / r['seconds']:>10,.0f} rows/s  CPU {r['cpu_s']:7.1f} s"
                          f"  peak RSS "
                          f"{r['peak_rss_mb']:8,.0f} MB  ({r['rows']:,} rows, "
                          f"{r['quarantined']:,} quarantined)", flush=True)
                    for seconds, sql in r["statements"]:
                        print(f"      {seconds:8.3f} s  {sql}")
                if "old" in dbs and "new" in dbs and not args.no_check:
                    problems, notes = _compare(dbs["old"], dbs["new"], results["old"][-1]["table"])
                    print("  check: " + ("same rows and types (raw table and quarantine, except "
                                         "load id)" if not problems
                                         else "DIFFERENT: " + "; ".join(problems)))
                    print("  order: " + ("same" if not notes else "; ".join(notes)))
                    status = status or bool(problems)
                for folder in dbs.values():
                    shutil.rmtree(folder.parent)
            if args.rounds > 1:
                for v in variants:
                    best = min(r["seconds"] for r in results[v])
                    cpu = min(r["cpu_s"] for r in results[v])
                    rows = results[v][0]["rows"]
                    print(f"  best {Path(v).stem:>3}: {best:8.2f} s {rows / best:>10,.0f} rows/s"
                          f"  CPU {cpu:7.1f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
