"""BI tools read while the pipeline publishes: a separate reader process queries the published
database (or the Parquet files) in a loop while five publishes happen, and never errors and never
sees a mix of versions."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from salesops.publish import publish, record_published_set

TABLES = ("kpi_alpha", "kpi_beta", "kpi_gamma")
PUBLISHES = 5

# Every iteration opens what a BI tool opens, reads the version and every table's generation
# marker, closes, and writes one JSON line. It stops when the stop file appears.
READER = textwrap.dedent("""
    import json, os, sys, time
    import duckdb

    kind, publish_dir, out, stop = sys.argv[1:5]
    tables = sys.argv[5].split(",")
    marker = "select min(generation), max(generation), count(*) from {}"
    deadline = time.monotonic() + 60
    with open(out, "w") as fh:
        i = 0
        while not os.path.exists(stop) and time.monotonic() < deadline:
            i += 1
            rec = {"i": i}
            try:
                if kind == "duckdb":
                    con = duckdb.connect(os.path.join(publish_dir, "salesops.duckdb"),
                                         read_only=True)
                    try:
                        rec["version"] = con.execute(
                            "select version from publish_log "
                            "order by published_at desc, version desc limit 1").fetchone()[0]
                        rec["markers"] = {t: con.execute(marker.format(t)).fetchone()
                                          for t in tables}
                    finally:
                        con.close()
                else:
                    folder = os.path.realpath(os.path.join(publish_dir, "parquet"))
                    rec["version"] = os.path.basename(os.path.dirname(folder))
                    con = duckdb.connect()
                    try:
                        rec["markers"] = {
                            name[: -len(".parquet")]: con.execute(marker.format(
                                "read_parquet('" + os.path.join(folder, name) + "')")).fetchone()
                            for name in sorted(os.listdir(folder))}
                    finally:
                        con.close()
            except Exception as exc:  # every error is a finding
                rec["error"] = repr(exc)
            fh.write(json.dumps(rec, default=str) + "\\n")
            fh.flush()
""")


def make_warehouse(path: Path, generation: int) -> int:
    """Marts whose every row carries `generation`; the row count identifies it too."""
    rows = 5_000 + generation
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create schema if not exists raw")
    for table in TABLES:
        con.execute(f"""create or replace table marts.{table} as
            select {generation} as generation, i as id, i * 1.5 + {generation} as amount,
                   'rep' || (i % 50) || '@example.com' as rep_email
            from range({rows}) t(i)""")
    con.execute("create or replace table raw.load_drops as "
                f"select 'crm' as system, date '2026-10-01' + {generation} as drop_date")
    record_published_set(con, TABLES)
    con.close()
    return rows


def _lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


@pytest.mark.parametrize("kind", ["duckdb", "parquet"])
def test_a_reader_never_errors_and_never_sees_a_mix_of_versions(tmp_path, kind):
    wh, pub = tmp_path / "warehouse.duckdb", tmp_path / "published"
    generation_of: dict[str, int] = {}
    rows_of: dict[int, int] = {}
    rows_of[0] = make_warehouse(wh, 0)
    generation_of[publish(wh, pub, run_id="gen0").version] = 0

    script, out, stop = tmp_path / "reader.py", tmp_path / "reads.jsonl", tmp_path / "stop"
    script.write_text(READER)
    reader = subprocess.Popen(
        [sys.executable, str(script), kind, str(pub), str(out), str(stop), ",".join(TABLES)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while len(_lines(out)) < 5:  # the reader is reading before the first publish
            assert reader.poll() is None, reader.communicate()
            assert time.monotonic() < deadline, "the reader did not start"
            time.sleep(0.02)
        for generation in range(1, PUBLISHES + 1):
            rows_of[generation] = make_warehouse(wh, generation)
            result = publish(wh, pub, run_id=f"gen{generation}")
            assert result.published
            generation_of[result.version] = generation
            time.sleep(0.1)
        stop.touch()
        stdout, stderr = reader.communicate(timeout=30)
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    assert reader.returncode == 0, stderr

    reads = _lines(out)
    errors = [r for r in reads if "error" in r]
    assert not errors, errors[:5]
    assert len(reads) >= 20, f"only {len(reads)} reads"
    seen = []
    for r in reads:
        generation = generation_of[r["version"]]  # a version that was published
        assert set(r["markers"]) == set(TABLES), r
        # every table of the version, whole: one generation, all its rows
        assert all(m == [generation, generation, rows_of[generation]]
                   for m in r["markers"].values()), r
        if not seen or seen[-1] != generation:
            seen.append(generation)
    assert len(seen) >= 2, seen
    assert seen == sorted(seen), f"a reader went back to an older version: {seen}"
    print(f"{kind}: {len(reads)} reads, generations seen in order: {seen}")
