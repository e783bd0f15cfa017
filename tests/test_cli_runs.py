"""`salesops run` end to end, as an operator runs it, on data the generator does not make:
history from 2016 with default settings, two runs started at once, a second run with nothing
new, and an organisation whose extracts have no CRM at all (HR and LMS only)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from salesops.generator import generate
from salesops.run_lock import lock_path

ROOT = Path(__file__).resolve().parent.parent
_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})")


def shifted_landing(src: Path, dst: Path, weeks: int) -> None:
    """A copy of a landing folder with every ISO date (folder names and contents) moved back
    by whole weeks (weekdays stay weekdays): old history the generator never writes."""
    delta = dt.timedelta(weeks=weeks)

    def earlier(m: re.Match) -> str:
        try:
            return (dt.date(int(m[1]), int(m[2]), int(m[3])) - delta).isoformat()
        except ValueError:
            return m[0]

    for path in sorted(src.rglob("*")):
        target = dst / _DATE.sub(earlier, str(path.relative_to(src)))
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_DATE.sub(earlier, path.read_text(encoding="utf-8")),
                              encoding="utf-8")


def env_for(root: Path, landing: Path) -> dict[str, str]:
    """Only the folders are set: every other setting keeps its default (no first drop date,
    no as-of date); DAGSTER_HOME is a folder of the test's, as `make` sets one."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SALESOPS_", "DAGSTER_"))}
    (root / "dagster_home").mkdir(exist_ok=True)
    shutil.copy(ROOT / "config" / "dagster.yaml", root / "dagster_home" / "dagster.yaml")
    return {**base, "SALESOPS_LANDING_DIR": str(landing),
            "SALESOPS_WAREHOUSE": str(root / "warehouse.duckdb"),
            "SALESOPS_PUBLISH_DIR": str(root / "published"),
            "DAGSTER_HOME": str(root / "dagster_home")}


def start_run(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "salesops_cli", "run"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=1200)
    return proc.returncode, out, err


def published(root: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(root / "published" / "salesops.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def publishes(root: Path) -> list[dict]:
    path = root / "published" / "publish_history.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def tiny_landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("tiny") / "landing"
    generate("tiny", landing, seed=7)
    return landing


def test_2016_history_publishes_with_defaults_and_a_concurrent_run_queues(tmp_path, tiny_landing):
    """Drops dated 2016 load without any setting (the partitions used to start in 2024); a
    second `salesops run` started meanwhile waits for the first, naming it, then finds nothing
    to do; the terminal gets a short story without escape codes, the log file the details."""
    landing = tmp_path / "landing"
    shifted_landing(tiny_landing, landing, weeks=520)  # 2026-10 -> 2016-11
    assert min(p.name for p in (landing / "crm").iterdir()).startswith("2016-")
    env = env_for(tmp_path, landing)

    first = start_run(env)
    lock = lock_path(tmp_path / "warehouse.duckdb")
    deadline = time.monotonic() + 300
    while not (lock.is_file() and lock.read_text().strip()):
        assert first.poll() is None, finish(first)
        assert time.monotonic() < deadline
        time.sleep(0.2)
    first_id = json.loads(lock.read_text())["run_id"][:8]
    second = start_run(env)
    code1, out1, err1 = finish(first)
    code2, out2, err2 = finish(second)

    assert code1 == 0, out1 + err1
    lines = (out1 + err1).splitlines()
    assert len(lines) < 60, out1 + err1
    assert "\x1b[" not in out1 + err1  # redirected: no colour, no cursor movement
    assert "Traceback" not in out1 + err1
    assert out1.startswith(f"salesops run {first_id}: drops 2016-")
    for stage in ("ingest", "raw checks", "dbt build", "mart checks", "publish"):
        assert re.search(rf"\[\d/5\] {stage} .* s  done$", out1, re.M), (stage, out1)
    assert re.search(r"ingest\s+\[#+\] 18/18 drops", out1)
    assert "Published version" in out1
    log_file = Path(re.search(r"full log: (\S+)", out1)[1])
    log = log_file.read_text()
    assert log.count("\n") > 200 and "\x1b[" not in log
    assert "crm/2016-11-07/Opportunity.csv: " in log  # ingestion, file by file
    assert "OK created sql table model" in log  # dbt's own lines
    months = published(tmp_path, "select min(month), max(month) from kpi_win_rate")[0]
    assert months[0].year == 2016 and months[1] == dt.date(2016, 11, 1), months
    assert published(tmp_path, "select max(month) from kpi_retention_company")[0][0].year == 2016

    assert code2 == 0, out2 + err2
    assert f"waiting: the warehouse {tmp_path / 'warehouse.duckdb'} is in use by run {first_id}" \
        in out2
    assert "Nothing to do" in out2 and "nothing was published" in out2
    assert [e["action"] for e in publishes(tmp_path)] == ["publish"]


def test_hr_and_lms_without_any_crm_publish_and_exit_0(tmp_path, tiny_landing):
    """An org whose CRM sends nothing: the run publishes (retention, HR) and the summary copes
    with every empty KPI; nothing after the publish turns the success into a failure."""
    landing = tmp_path / "landing"
    for system in ("hr", "lms"):
        shutil.copytree(tiny_landing / system, landing / system)
    env = env_for(tmp_path, landing)
    code, out, err = finish(start_run(env))
    assert code == 0, out + err
    assert "Traceback" not in out + err and "note: the run succeeded" not in err
    assert "Published version" in out and "no closed opportunity yet" in out
    assert published(tmp_path, "select count(*) from kpi_win_rate")[0][0] == 0
    assert published(tmp_path, "select count(*) from kpi_retention")[0][0] > 0
    summary = subprocess.run([sys.executable, "-m", "salesops_cli", "summary"], env=env,
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert summary.returncode == 0 and "Turnover, trailing 12 months" in summary.stdout
