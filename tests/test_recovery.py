"""Recovery: a run killed at any point (SIGKILL during ingestion, during dbt, during publishing)
leaves the published version intact, and the next run completes with the same result as an
uninterrupted one; nothing is left behind that needs a human (temporary folders, staged files,
a stale lock, a half-written table, a DuckDB WAL, dagster-dbt target folders).

The pipeline runs as `salesops run` in a subprocess (its own process group) and is killed with
SIGKILL when its output or the publish folder shows it has reached the point under test.

    baseline    the tiny sample (seed 7) through an uninterrupted run: the reference marts; and
                the same sample without its last two drops of every system (the state the
                killed runs start from), run in parallel
    then, in order, on that state with the two drops delivered again:
    1. killed while a drop is being loaded (inside the drop's transaction)
    2. killed while dbt builds (after it has written some tables)
    3. killed while publishing (between writing the new version and swapping it in; the pause
       is a test-only hook, SALESOPS_TEST_PUBLISH_PAUSE_SECONDS)
    4. the next run, uninterrupted: succeeds and publishes exactly the reference marts
Each killed run starts where the one before left off (the run after a kill is the next kill
point's run), so one uninterrupted recovery run checks the end result of all three: three full
runs less than a recovery run per kill point. A publish killed at random moments (down to
between the two renames of the swap) and the states it can leave are checked on a small
warehouse, without the pipeline.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from salesops.contract import SYSTEMS, spec_for
from salesops.publish import (
    HISTORY_FILE,
    TEST_PAUSE_VAR,
    content_fingerprint,
    current_version,
    history,
    publish,
    record_published_set,
    versions,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DBT_TARGET = ROOT / "dbt_project" / "target"
AS_OF = "2026-10-31"  # the tiny sample's newest drop
HELD_BACK = ("2026-10-30", "2026-10-31")  # the drops of every system the killed runs bring in
RUN_TIMEOUT = 900  # seconds one pipeline run may take on a loaded machine
RUN_ID = re.compile(r" - salesops_pipeline - ([0-9a-f]{8}-[0-9a-f-]{27}) - ")


# ---------------------------------------------------------------------------------------------
# running and killing `salesops run`


class PipelineProcess:
    """`salesops run` in a process group of its own; its output (stdout and stderr) read line by
    line in a thread and kept in `lines` (and in `log`, for a failure's post-mortem)."""

    def __init__(self, env: dict[str, str], log: Path):
        self.log = log
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.proc = subprocess.Popen(
            # --verbose: the whole log on stdout, where the kill points are watched for
            [sys.executable, "-m", "salesops_cli", "run", "--verbose"], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        with open(self.log, "w") as out:
            for line in self.proc.stdout:
                out.write(line)
                out.flush()
                self.lines.append(line.rstrip("\n"))
                self._queue.put(line)
        self._queue.put(None)

    def kill_when(self, line_matches: Callable[[str], bool] | None = None,
                  state_reached: Callable[[], bool] | None = None, timeout: float = RUN_TIMEOUT,
                  why: str = "") -> str:
        """SIGKILL the whole process group as soon as a line of output matches, or the state
        (polled every 50 ms) is reached; returns what triggered it. Fails if the run ends or
        the timeout passes first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.05)
            except queue.Empty:
                line = ""
            if line is None:
                pytest.fail(f"the run ended (exit {self.proc.wait()}) before the kill point:\n"
                            + self.tail())
            if line and line_matches is not None and line_matches(line):
                self.kill()
                return line.strip()
            if state_reached is not None and state_reached():
                self.kill()
                return "state reached"
        self.kill()
        pytest.fail(f"the kill point was not reached in {timeout} s{why}:\n{self.tail()}")

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the run and dbt, its child
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=60)
        self._reader.join(timeout=60)

    def finish(self, timeout: float = RUN_TIMEOUT) -> int:
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the run did not end in {timeout} s:\n{self.tail()}")
        self._reader.join(timeout=60)
        return rc

    @property
    def run_id(self) -> str | None:
        for line in self.lines:
            m = RUN_ID.search(line)
            if m:
                return m.group(1)
        return None

    def tail(self, n: int = 40) -> str:
        return "\n".join(self.lines[-n:])


def pipeline_env(root: Path, **extra: str) -> dict[str, str]:
    """The environment of a run on `root`; no DAGSTER_HOME (an ephemeral instance) unless in
    `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALESOPS_", "DAGSTER_HOME"))}
    env.update({
        "SALESOPS_LANDING_DIR": str(root / "landing"),
        "SALESOPS_WAREHOUSE": str(root / "warehouse.duckdb"),
        "SALESOPS_PUBLISH_DIR": str(root / "published"),
        "SALESOPS_AS_OF_DATE": AS_OF,
        "SALESOPS_LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
        **extra,
    })
    return env


def run_to_end(root: Path, name: str, **extra: str) -> PipelineProcess:
    run = PipelineProcess(pipeline_env(root, **extra), root.parent / f"{name}.log")
    rc = run.finish()
    assert rc == 0, f"{name}: `salesops run` failed (exit {rc}):\n{run.tail()}"
    return run


# ---------------------------------------------------------------------------------------------
# what is published, what is in the warehouse


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def published_state(pub: Path) -> dict:
    """Everything a BI tool reads, byte for byte, and the publish log and history."""
    parquet = pub / "parquet"
    return {
        "salesops.duckdb": sha256(pub / "salesops.duckdb"),
        "parquet link": os.readlink(parquet),
        "parquet files": {p.name: sha256(p) for p in sorted(parquet.resolve().glob("*"))},
        "publish_log": query(pub / "salesops.duckdb", "select * from publish_log order by all"),
        "history": (pub / HISTORY_FILE).read_text(),
        "versions": versions(pub),
    }


def mart_fingerprints(db: Path) -> dict[str, str]:
    """Per published kpi_* table: the content fingerprint publishing itself uses (names, types,
    row count, an order-independent hash of the rows; floats to 9 significant digits)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{db}' as pub (read_only)")
        tables = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where database_name = 'pub' "
            "and starts_with(table_name, 'kpi_') order by 1").fetchall()]
        return {t: content_fingerprint(con, "pub", "main", [t]) for t in tables}
    finally:
        con.close()


def raw_drops_exactly_once(warehouse: Path, expected_dates: list[str]) -> None:
    """raw.load_drops has one row per drop, and every raw table holds each drop's rows once:
    one load id per drop, as many rows as the load ledger says were loaded."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        drops = con.execute("select system, cast(drop_date as varchar), load_id "
                            "from raw.load_drops order by 1, 2").fetchall()
        assert [(s, d) for s, d, _ in drops] == [(s, d) for s in sorted(SYSTEMS)
                                                 for d in expected_dates]
        load_ids = {(s, d): lid for s, d, lid in drops}
        expected: dict[str, dict[str, int]] = {}
        for system, date, file, loaded in con.execute(
                "select system, cast(drop_date as varchar), file, rows_loaded "
                "from raw.load_files").fetchall():
            table = spec_for(system, Path(file).name).table
            expected.setdefault(table, {})
            expected[table][date] = expected[table].get(date, 0) + loaded
        for table, per_date in expected.items():
            system = table.split("_")[0]
            rows = con.execute(
                f"select cast(_drop_date as varchar), count(*), count(distinct _load_id), "
                f"min(_load_id) from raw.{table} group by 1").fetchall()
            actual = {d: n for d, n, _, _ in rows}
            assert actual == {d: n for d, n in per_date.items() if n}, table
            for date, _, ids, load_id in rows:
                assert ids == 1 and load_id == load_ids[(system, date)], (table, date)
        quarantined = dict(con.execute("select load_id, count(*) from raw.quarantine "
                                       "group by 1").fetchall())
        ledger = dict(con.execute("select load_id, rows_quarantined from raw.load_drops "
                                  "where rows_quarantined > 0").fetchall())
        assert quarantined == ledger
    finally:
        con.close()


def no_publish_leftovers(pub: Path) -> None:
    assert not list((pub / "versions").glob(".*")), "a temporary version folder is left"
    assert not list(pub.glob(".salesops.duckdb.*")) and not list(pub.glob(".parquet.*")), (
        "a staged swap file is left")


def dbt_target_folders(run_ids: list[str]) -> list[str]:
    """dagster-dbt's per-invocation target folders of these runs still in dbt_project/target."""
    prefixes = tuple(f"-{r[:7]}-" for r in run_ids)
    return sorted(p.name for p in DBT_TARGET.glob("*salesops_dbt_*")
                  if any(x in p.name for x in prefixes))


# ---------------------------------------------------------------------------------------------
# the baseline, and the state the killed runs share


def dagster_home_scenario(root: Path, outcome: dict) -> None:
    """A run with a persistent Dagster instance killed while it loads a drop (holding the one
    slot of the duckdb_warehouse pool), then the next run: it must get to loading too."""
    try:
        root.mkdir()
        shutil.copytree(root.parent / "reference" / "landing", root / "landing")
        home = root / "dagster_home"
        home.mkdir()
        shutil.copy(ROOT / "config" / "dagster.yaml", home / "dagster.yaml")
        env = pipeline_env(root, DAGSTER_HOME=str(home))
        loading = re.compile(r" - ingest_(crm|hr|lms) - (crm|hr|lms)/\S+: [\d,]+ rows loaded")
        killed = PipelineProcess(env, root.parent / "dagster_home_killed.log")
        killed.kill_when(lambda line: bool(loading.search(line)))
        following = PipelineProcess(env, root.parent / "dagster_home_next.log")
        following.kill_when(lambda line: bool(loading.search(line)), timeout=300,
                            why=(" (waiting for the duckdb_warehouse pool slot of the killed "
                                 f"run {killed.run_id}?)"))
        outcome["passed"] = True
    except BaseException as exc:  # pytest.fail's Failed too: re-raised by the test
        outcome["error"] = exc


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """The reference (every drop, one uninterrupted run) and the starting state (the last two
    drops of every system held back), both run at once."""
    from salesops.generator import generate

    top = tmp_path_factory.mktemp("recovery")
    reference, state = top / "reference", top / "work"
    generate("tiny", reference / "landing", seed=7)
    shutil.copytree(reference / "landing", state / "landing")
    held = top / "held_back"
    for system in SYSTEMS:
        for date in HELD_BACK:
            shutil.move(state / "landing" / system / date, held / system / date)
    outcome: dict = {}
    thread = threading.Thread(target=dagster_home_scenario, args=(top / "dagster_home", outcome),
                              daemon=True)
    thread.start()
    started = time.monotonic()
    runs = {name: PipelineProcess(pipeline_env(root), top / f"{name}.log")
            for name, root in (("reference", reference), ("start", state))}
    for name, run in runs.items():
        rc = run.finish()
        assert rc == 0, f"{name}: `salesops run` failed (exit {rc}):\n{run.tail()}"
    print(f"baseline runs: {time.monotonic() - started:.0f} s")
    for system in SYSTEMS:  # delivered now: the next run has work in every stage
        for date in HELD_BACK:
            shutil.move(held / system / date, state / "landing" / system / date)
    return {
        "reference": mart_fingerprints(reference / "published" / "salesops.duckdb"),
        "reference_rows": query(reference / "published" / "salesops.duckdb",
                                "select count(*) from kpi_win_rate")[0][0],
        "state": state,
        "start_version": current_version(state / "published"),
        "dates": sorted(p.name for p in (reference / "landing" / "crm").iterdir()),
        "run_ids": [r.run_id for r in runs.values()],
        "findings": {},
        "dagster_home": (thread, outcome),
    }


# ---------------------------------------------------------------------------------------------
# the kill points, in order


def test_killed_while_loading_a_drop(baseline):
    state, pub = baseline["state"], baseline["state"] / "published"
    before = published_state(pub)
    run = PipelineProcess(pipeline_env(state), state.parent / "kill_ingestion.log")
    # the first file of crm/2026-10-30 is loaded: its drop's transaction is open
    trigger = run.kill_when(lambda line: f" - ingest_crm - crm/{HELD_BACK[0]}/" in line)
    baseline["run_ids"].append(run.run_id)

    assert published_state(pub) == before
    # DuckDB replays its WAL on open; the drop being loaded is all there or not at all
    con = duckdb.connect(str(state / "warehouse.duckdb"), read_only=True)
    try:
        ledger = con.execute("select load_id, files, rows_loaded, rows_quarantined "
                             "from raw.load_drops where system = 'crm' and drop_date = ?",
                             [HELD_BACK[0]]).fetchall()
        tables = {spec.table for spec in (spec_for("crm", p.name) for p in
                                          (state / "landing" / "crm" / HELD_BACK[0]).iterdir())
                  if spec is not None}
        rows = {t: con.execute(f"select count(*) from raw.{t} where _drop_date = ?",
                               [HELD_BACK[0]]).fetchone()[0] for t in tables}
        files = con.execute("select count(*), coalesce(sum(rows_loaded), 0) from raw.load_files "
                            "where system = 'crm' and drop_date = ?", [HELD_BACK[0]]).fetchone()
    finally:
        con.close()
    if ledger:
        load_id, n_files, loaded, _ = ledger[0]
        assert files == (n_files, loaded) and sum(rows.values()) == loaded
        outcome = "committed before the kill: fully loaded"
    else:
        assert files == (0, 0) and not any(rows.values()), f"a partial drop is left: {rows}"
        outcome = "rolled back: absent"
    baseline["findings"]["ingestion"] = f"killed at {trigger!r}; crm/{HELD_BACK[0]} {outcome}"
    print(baseline["findings"]["ingestion"])


def test_killed_while_dbt_builds(baseline):
    state, pub = baseline["state"], baseline["state"] / "published"
    before = published_state(pub)
    run = PipelineProcess(pipeline_env(state), state.parent / "kill_dbt.log")
    # dbt has written a table (and is writing the next ones)
    trigger = run.kill_when(lambda line: "OK created sql table model" in line)
    baseline["run_ids"].append(run.run_id)

    assert published_state(pub) == before
    # this run loaded what the killed one had not: every drop once
    raw_drops_exactly_once(state / "warehouse.duckdb", baseline["dates"])
    half = query(state / "warehouse.duckdb",
                 "select schema_name || '.' || table_name from duckdb_tables() "
                 "where table_name like '%__dbt_tmp' or table_name like '%__dbt_backup'")
    baseline["findings"]["dbt"] = (f"killed at {trigger!r}; dbt relations left half-done: "
                                   f"{sorted(r[0] for r in half) or 'none'}")
    print(baseline["findings"]["dbt"])


def test_killed_while_publishing(baseline):
    state, pub = baseline["state"], baseline["state"] / "published"
    before = published_state(pub)
    kept = set(versions(pub))

    def new_version_written() -> bool:
        return bool(set(versions(pub)) - kept)

    # the test-only pause: the new version is complete under versions/, not swapped in yet
    run = PipelineProcess(pipeline_env(state, **{TEST_PAUSE_VAR: "300"}),
                          state.parent / "kill_publish.log")
    run.kill_when(state_reached=new_version_written)
    baseline["run_ids"].append(run.run_id)

    assert any("gx_marts_checks" in line for line in run.lines)  # it got through dbt and checks
    orphans = sorted(set(versions(pub)) - kept)
    assert len(orphans) == 1
    assert published_state(pub) | {"versions": before["versions"]} == before
    assert (pub / ".lock").exists()  # an flock the kernel released with the process
    baseline["orphan"] = orphans[0]
    baseline["findings"]["publish"] = (f"killed with version {orphans[0]} written, not swapped "
                                       "in; published files unchanged")
    print(baseline["findings"]["publish"])


def test_the_next_run_recovers_and_publishes_the_reference(baseline):
    state, pub = baseline["state"], baseline["state"] / "published"
    run = run_to_end(state, "recovery")
    baseline["run_ids"].append(run.run_id)

    # the same marts as the uninterrupted run
    assert mart_fingerprints(pub / "salesops.duckdb") == baseline["reference"]
    raw_drops_exactly_once(state / "warehouse.duckdb", baseline["dates"])
    # the publish folder: the start version and this run's, nothing else
    no_publish_leftovers(pub)
    new = current_version(pub)
    assert new not in (baseline["start_version"], baseline["orphan"])
    assert versions(pub) == [baseline["start_version"], new]
    assert [r[0] for r in query(pub / "salesops.duckdb",
                                "select version from publish_log order by published_at")] == (
        [baseline["start_version"], new])
    assert [(e["action"], e["version"]) for e in history(pub)] == [
        ("publish", baseline["start_version"]), ("publish", new)]
    # the warehouse opens for writing (no WAL in the way), no dbt relation is left half-done
    con = duckdb.connect(str(state / "warehouse.duckdb"))
    try:
        assert not con.execute("select table_name from duckdb_tables() where table_name like "
                               "'%__dbt_tmp' or table_name like '%__dbt_backup'").fetchall()
    finally:
        con.close()
    # no dagster-dbt target folder of any of these runs is left (killed ones included)
    assert dbt_target_folders([r for r in baseline["run_ids"] if r]) == []
    print("findings:", json.dumps(baseline["findings"], indent=2))


def test_a_killed_run_does_not_block_the_next_one_with_a_dagster_home(baseline):
    """With DAGSTER_HOME (as `make run` and `make demo` set it) runs are recorded, and the
    warehouse's writers share the pool duckdb_warehouse (limit 1). A run killed inside a step
    keeps its slot of the pool: the next run must not wait for it forever. (Run in the
    background during the baseline: creating a run in a persistent instance takes a minute
    here, most of it waiting on SQLite commits, not on the CPU.)"""
    thread, outcome = baseline["dagster_home"]
    thread.join(timeout=RUN_TIMEOUT)
    assert not thread.is_alive()
    if "error" in outcome:
        raise outcome["error"]
    assert outcome["passed"]


# ---------------------------------------------------------------------------------------------
# publishing killed at any moment, on a small warehouse


def _small_warehouse(path: Path, value: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create schema if not exists raw")
    for i in range(12):
        con.execute(f"create or replace table marts.kpi_t{i:02} as select range as k, "
                    f"range * {value} as v, 'x' || range as s from range(20000)")
    con.execute("create or replace table raw.load_drops as "
                f"select 'crm' as system, date '2026-10-01' + {value} as drop_date")
    record_published_set(con, [f"kpi_t{i:02}" for i in range(12)])
    con.close()


_CHILD = """
import sys
from pathlib import Path
from salesops.publish import publish
print("go", flush=True)
publish(Path(sys.argv[1]), Path(sys.argv[2]), run_id="killed00")
print("done", flush=True)
"""


def _publish_child(warehouse: Path, pub: Path) -> subprocess.Popen:
    """publish() in a child process of its own, once it has said "go"."""
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(warehouse), str(pub)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert child.stdout.readline() == "go\n"
    return child


def _publish_seconds(tmp_path: Path, base: Path) -> float:
    """How long a publish of the new marts takes here, from "go" to its end."""
    pub = tmp_path / "timing"
    shutil.copytree(base, pub, symlinks=True)
    started = time.monotonic()
    child = _publish_child(tmp_path / "new.duckdb", pub)
    assert child.stdout.read() == "done\n" and child.wait() == 0
    return time.monotonic() - started


def test_publish_killed_at_any_moment_leaves_a_whole_version(tmp_path):
    """SIGKILL a publish at increasing delays: every time, what BI tools read is a whole
    version (the old one; only after the database's rename, the new database), and the next
    publish puts everything right and publishes the new marts once."""
    base = tmp_path / "base"
    _small_warehouse(tmp_path / "old.duckdb", 1)
    _small_warehouse(tmp_path / "new.duckdb", 2)
    old = publish(tmp_path / "old.duckdb", base, run_id="old00000")
    new_hash = publish(tmp_path / "new.duckdb", tmp_path / "probe").content_hash
    before = published_state(base)
    delay, step, outcomes = 0.0, _publish_seconds(tmp_path, base) / 20, set()
    outcomes_seen = []
    for _ in range(40):
        pub = tmp_path / "pub"
        shutil.rmtree(pub, ignore_errors=True)
        shutil.copytree(base, pub, symlinks=True)
        child = _publish_child(tmp_path / "new.duckdb", pub)
        time.sleep(delay)
        os.killpg(child.pid, signal.SIGKILL)
        finished = child.stdout.read() == "done\n"
        child.wait()
        # what a reader opens: a whole version, old or new, never a mix inside the database
        db_hash = query(pub / "salesops.duckdb", "select content_hash from publish_log "
                        "order by published_at desc limit 1")[0][0]
        assert db_hash in (old.content_hash, new_hash)
        assert (pub / "parquet").resolve().is_dir()
        if db_hash == old.content_hash:
            assert published_state(pub) | {"versions": before["versions"]} == before
        outcomes_seen.append("unchanged" if db_hash == old.content_hash and not finished
                             else "published" if finished else "database swapped")
        outcomes.add(outcomes_seen[-1])
        # the next publish: leftovers gone, the new marts current, published once
        again = publish(tmp_path / "new.duckdb", pub, run_id="next0000")
        assert again.content_hash == new_hash
        no_publish_leftovers(pub)
        assert len(versions(pub)) == 2 and current_version(pub) == versions(pub)[-1]
        log = query(pub / "salesops.duckdb", "select version, content_hash from publish_log "
                    "order by published_at")
        assert log == [(old.version, old.content_hash), (versions(pub)[-1], new_hash)]
        if finished:
            break
        delay += step
    print(f"publish killed at {len(outcomes_seen)} delays: {sorted(outcomes)}")
    assert "unchanged" in outcomes and "published" in outcomes, outcomes


def test_a_swap_killed_between_its_renames_is_finished(tmp_path):
    """Killed after salesops.duckdb was replaced and before the parquet link was: the next
    publish finishes the swap (and records it), then finds nothing new to publish."""
    _small_warehouse(tmp_path / "wh.duckdb", 1)
    pub = tmp_path / "pub"
    first = publish(tmp_path / "wh.duckdb", pub).version
    _small_warehouse(tmp_path / "wh.duckdb", 2)
    second = publish(tmp_path / "wh.duckdb", pub).version
    # as the kill would have left it: the link still on the first version, no history line
    link = pub / "parquet"
    link.unlink()
    link.symlink_to(Path("versions") / first / "parquet")
    lines = (pub / HISTORY_FILE).read_text().splitlines(keepends=True)
    (pub / HISTORY_FILE).write_text("".join(lines[:-1]))
    (pub / ".parquet.x").symlink_to("versions/nowhere")

    again = publish(tmp_path / "wh.duckdb", pub)
    assert not again.published and again.version == second
    assert current_version(pub) == second and versions(pub) == [first, second]
    last = history(pub)[-1]
    assert (last["action"], last["version"], last["previous_version"]) == (
        "publish", second, first) and last["recovered"]
    no_publish_leftovers(pub)


def test_a_publish_killed_before_its_swap_leaves_no_version_behind(tmp_path, monkeypatch):
    """Killed with the new version complete under versions/ but not swapped in: it was never
    published, so the next publish removes it (not listed, not in the next publish_log)."""
    _small_warehouse(tmp_path / "wh.duckdb", 1)
    pub = tmp_path / "pub"
    first = publish(tmp_path / "wh.duckdb", pub)
    before = published_state(pub)
    _small_warehouse(tmp_path / "wh.duckdb", 2)
    monkeypatch.setenv(TEST_PAUSE_VAR, "60")
    child = _publish_child(tmp_path / "wh.duckdb", pub)
    deadline = time.monotonic() + 60
    while len(versions(pub)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    orphan = versions(pub)[-1]
    assert orphan != first.version
    assert published_state(pub) | {"versions": before["versions"]} == before

    monkeypatch.delenv(TEST_PAUSE_VAR)
    again = publish(tmp_path / "wh.duckdb", pub)
    assert again.published and versions(pub) == [first.version, again.version]
    assert [r[0] for r in query(pub / "salesops.duckdb", "select version from publish_log "
                                "order by published_at")] == [first.version, again.version]
    no_publish_leftovers(pub)
