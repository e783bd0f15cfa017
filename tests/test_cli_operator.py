"""The command line as an operator meets it, without a full pipeline run: bad settings refused
before any work, one line each; drop dates the partitions can't hold refused by name; the run
lock; the help; `summary | head`; restoring the current version."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from landing_kit import opportunity, write_csv
from ledger_kit import write_ledgers

from salesops.run_lock import WarehouseLocked, holder_text, lock_path, warehouse_run_lock
from salesops.settings import SETTINGS, settings_problems

ROOT = Path(__file__).resolve().parent.parent


def cli(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """`salesops <args>` in its own process, with exactly the SALESOPS_* variables of `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SALESOPS_", "DAGSTER_"))}
    return subprocess.run([sys.executable, "-m", "salesops_cli", *args], capture_output=True,
                          text=True, env={**base, **env}, timeout=timeout, cwd=ROOT)


@pytest.fixture
def folders(tmp_path) -> dict[str, str]:
    landing = tmp_path / "landing"
    write_csv(landing, "crm", "2016-03-01", "Opportunity.csv", [opportunity("006000000000001AAA")])
    return {
        "SALESOPS_LANDING_DIR": str(landing),
        "SALESOPS_WAREHOUSE": str(tmp_path / "wh" / "warehouse.duckdb"),
        "SALESOPS_PUBLISH_DIR": str(tmp_path / "published"),
    }


@pytest.mark.parametrize("var, value, expected", [
    ("SALESOPS_KEEP_VERSIONS", "abc", "SALESOPS_KEEP_VERSIONS='abc': expected a whole number >= 1"),
    ("SALESOPS_HR_COLUMN_MAP", "/nowhere/hr.yml", "HR column map /nowhere/hr.yml does not exist"),
    ("SALESOPS_FIRST_DROP_DATE", "2017-1-1", "SALESOPS_FIRST_DROP_DATE='2017-1-1': expected a date"),
    ("SALESOPS_NIGHTLY_CRON", "0 2 * *", "SALESOPS_NIGHTLY_CRON='0 2 * *': expected a cron"),
    ("SALESOPS_TIMEZONE", "Mars/Olympus", "expected an IANA time zone"),
    ("SALESOPS_FRESHNESS_HOURS", "-3", "SALESOPS_FRESHNESS_HOURS='-3': expected a positive"),
    ("SALESOPS_MAX_DROP_AGE_DAYS", "two", "SALESOPS_MAX_DROP_AGE_DAYS='two': expected a whole"),
    ("SALESOPS_DUCKDB_MEMORY_LIMIT", "lots", "expected a size such as 4GB"),
    ("SALESOPS_AS_OF_DATE", "yesterday", "SALESOPS_AS_OF_DATE='yesterday': expected a date"),
    ("SALESOPS_ALERT_WEBHOOK_URL", "hooks.slack.com/x", "expected an http(s):// URL"),
    ("SALESOPS_LOG_LEVEL", "LOUD", "expected one of DEBUG"),
    ("SALESOPS_DBT_TARGET", "databricks", "SALESOPS_DBT_TARGET='databricks': expected duckdb or "
                                          "spark_local (the pipeline's dbt; the spark_thrift and "
                                          "databricks outputs are for a dbt run by hand"),
    ("SALESOPS_SPARK_DRIVER_MEMORY", "4 GB", "expected a JVM size such as 4g"),
    ("DAGSTER_HOME", "/nowhere/dagster", "DAGSTER_HOME='/nowhere/dagster': /nowhere/dagster is "
                                         "not an existing folder"),
    ("SALESOPS_KEEP_VERSION", "3", "SALESOPS_KEEP_VERSION: not a salesops setting (did you mean "
                                   "SALESOPS_KEEP_VERSIONS?)"),
])
def test_a_bad_setting_is_refused_before_anything_runs(folders, var, value, expected):
    proc = cli(["run"], {**folders, var: value}, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and expected in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert not Path(folders["SALESOPS_WAREHOUSE"]).parent.exists()  # nothing started


def test_every_bad_setting_is_listed_at_once(folders):
    bad = {"SALESOPS_KEEP_VERSIONS": "0", "SALESOPS_TIMEZONE": "Nowhere", "SALESOPS_LOG_DIR":
           folders["SALESOPS_LANDING_DIR"] + "/crm/2016-03-01/Opportunity.csv"}
    proc = cli(["demo"], {**folders, **bad}, timeout=60)
    assert proc.returncode == 2
    assert [line.split("=")[0] for line in proc.stderr.splitlines() if line.startswith("error:")
            ] == ["error: SALESOPS_KEEP_VERSIONS", "error: SALESOPS_TIMEZONE", "error: SALESOPS_LOG_DIR"]


def test_every_setting_has_a_check_a_default_and_is_in_the_help_and_the_readme():
    readme = (ROOT / "README.md").read_text()
    help_text = cli(["--help"], {}).stdout
    for setting in SETTINGS:
        assert setting.check is not None and setting.default, setting.name
        assert setting.name in help_text, setting.name
        assert f"`{setting.name}`" in readme, setting.name
    assert settings_problems({s.name: "" for s in SETTINGS}) == []  # unset: the defaults
    generate_help = cli(["generate", "--help"], {}).stdout
    assert "random seed" in generate_help and "tiny (tests), demo" in generate_help
    assert "--verbose" in cli(["run", "--help"], {}).stdout


def test_the_code_location_loads_with_a_bad_setting_and_its_steps_refuse(tmp_path, folders):
    """A bad value must not take the Dagster location down: it loads (schedule with the
    default cron) and every step refuses with the bad setting named, before touching data."""
    code = (
        "import logging\n"
        "logging.basicConfig(format='LOGGED %(message)s')\n"
        "from orchestration.definitions import defs\n"
        "logging.getLogger('test').warning('IMPORTED')\n"
        "loaded = defs()\n"
        "print('CRON', loaded.resolve_schedule_def('nightly').cron_schedule)\n"
        "job = loaded.resolve_job_def('salesops_pipeline')\n"
        "result = job.execute_in_process(raise_on_error=False, tags={\n"
        "    'dagster/asset_partition_range_start': '2016-03-01',\n"
        "    'dagster/asset_partition_range_end': '2016-03-01'})\n"
        "from orchestration.in_process import pipeline_outcome\n"
        "print('OUTCOME', pipeline_outcome(result))\n"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SALESOPS_", "DAGSTER_"))}
    env = {**base, **folders, "SALESOPS_NIGHTLY_CRON": "every night",
           "DAGSTER_HOME": ""}
    env.pop("DAGSTER_HOME")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = {line.split(" ", 1)[0]: line for line in proc.stdout.splitlines()}
    assert lines["CRON"] == "CRON 0 2 * * *"
    # said once, when the location loads (not when its module is imported)
    imported, logged = [line for line in proc.stderr.splitlines() if line.startswith("LOGGED")]
    assert imported == "LOGGED IMPORTED"
    assert "SALESOPS_NIGHTLY_CRON='every night'" in logged and "its default is used" in logged
    assert "OUTCOME (False" in lines["OUTCOME"]
    assert "bad settings, nothing was run: SALESOPS_NIGHTLY_CRON='every night'" in lines["OUTCOME"]
    assert not Path(folders["SALESOPS_WAREHOUSE"]).exists()


def test_a_drop_before_the_first_drop_date_is_refused_by_name(folders):
    write_csv(Path(folders["SALESOPS_LANDING_DIR"]), "crm", "1999-12-30", "Opportunity.csv",
              [opportunity("006000000000002AAA")])
    proc = cli(["run"], folders, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert ("error: drops dated 1999-12-30 are before SALESOPS_FIRST_DROP_DATE=2000-01-01"
            in proc.stderr)
    assert "set SALESOPS_FIRST_DROP_DATE=1999-12-30 or earlier; nothing was run" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_drop_dated_in_the_future_is_refused(folders):
    write_csv(Path(folders["SALESOPS_LANDING_DIR"]), "crm", "2999-01-01", "Opportunity.csv",
              [opportunity("006000000000002AAA")])
    proc = cli(["run"], folders, timeout=60)
    assert proc.returncode == 2
    assert "a drop is dated 2999-01-01, in the future" in proc.stderr


def test_the_run_lock_queues_or_refuses_naming_the_holder(tmp_path, folders):
    warehouse = Path(folders["SALESOPS_WAREHOUSE"])
    with warehouse_run_lock(warehouse, run_id="27bceb88-aaaa-bbbb-cccc-000000000000"):
        text = holder_text(lock_path(warehouse))
        assert text.startswith(f"run 27bceb88 (pid {os.getpid()}, `salesops")
        assert " UTC)" in text
        with pytest.raises(WarehouseLocked, match="in use by run 27bceb88"):
            with warehouse_run_lock(warehouse, wait=False):
                pass
        # the command line refuses at once with --no-wait
        started = time.monotonic()
        proc = cli(["run", "--no-wait"], folders, timeout=60)
        assert proc.returncode == 3, proc.stdout + proc.stderr
        assert f"is in use by run 27bceb88 (pid {os.getpid()}" in proc.stderr
        assert time.monotonic() - started < 30
        # ... and queues without it, saying so, until the holder is done
        waited = []
        done = threading.Event()

        def second() -> None:
            with warehouse_run_lock(warehouse, on_wait=waited.append):
                done.set()

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)
        assert not done.is_set() and waited and "run 27bceb88" in waited[0]
    thread.join(10)
    assert done.is_set()


def _fake_published(publish_dir: Path, newest: dict[str, str]) -> None:
    """A published database with company marts but no closed deal (the HR+LMS-only case)."""
    publish_dir.mkdir(parents=True)
    con = duckdb.connect(str(publish_dir / "salesops.duckdb"))
    try:
        con.execute("create table publish_log (version varchar, run_id varchar, published_at "
                    "timestamp, drop_dates varchar, newest_drop_dates varchar, row_counts "
                    "varchar, content_hash varchar)")
        con.execute("insert into publish_log values ('v1', null, now(), '{}', ?, '{}', 'x')",
                    [json.dumps(newest)])
        con.execute("create table kpi_win_rate_company (month date, won_count int, lost_count "
                    "int, win_rate_count double, won_amount double, win_rate_amount double)")
        con.execute("create table kpi_training_company as select date '2026-09-01' as month, "
                    "12.5 as training_hours")
        con.execute("create table kpi_deal_value_company (month date, avg_won_amount double)")
        con.execute("insert into kpi_deal_value_company values ('2026-09-01', null)")
    finally:
        con.close()


def test_the_summary_copes_with_empty_kpis_and_a_closed_pipe(tmp_path):
    publish_dir = tmp_path / "published"
    _fake_published(publish_dir, {"hr": "2026-10-31", "lms": "2026-10-30"})
    env = {"SALESOPS_PUBLISH_DIR": str(publish_dir)}
    proc = cli(["summary"], env)
    assert proc.returncode == 0, proc.stderr
    assert "no closed opportunity yet" in proc.stdout
    assert "Company KPIs, September 2026" in proc.stdout
    lines = {line.split("  ")[1].strip(): line for line in proc.stdout.splitlines()
             if line.startswith("  ") and "  " in line[2:]}
    assert lines["Training hours"].endswith("12.5")
    assert lines["Average won deal"].endswith("-")
    assert "amounts in USD)" in proc.stdout
    # `salesops summary | head -1`: the reader leaves early; no BrokenPipeError
    base = {k: v for k, v in os.environ.items() if not k.startswith("SALESOPS_")}
    pipe = subprocess.run(f"{sys.executable} -m salesops_cli summary | head -1", shell=True,
                          capture_output=True, text=True, env={**base, **env}, cwd=ROOT)
    assert pipe.stdout.strip() == "" or pipe.stdout.count("\n") == 1
    assert "Traceback" not in pipe.stderr and "BrokenPipe" not in pipe.stderr
    reader = subprocess.Popen([sys.executable, "-m", "salesops_cli", "summary"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**base, **env}, cwd=ROOT)
    reader.stdout.close()  # gone before the first line
    _, err = reader.communicate(timeout=60)
    assert reader.returncode == 0 and b"Traceback" not in err, err


def test_restoring_the_current_version_changes_and_records_nothing(tmp_path):
    from salesops.publish import history, publish, record_published_set

    wh, pub = tmp_path / "wh.duckdb", tmp_path / "published"
    con = duckdb.connect(str(wh))
    con.execute("create schema marts; create table marts.kpi_demo as select 1 as won_count")
    record_published_set(con, ["kpi_demo"])
    con.close()
    version = publish(wh, pub, run_id="run1xxxxxx").version
    before = history(pub)
    proc = cli(["restore", version], {"SALESOPS_PUBLISH_DIR": str(pub)})
    assert proc.returncode == 0
    assert f"version {version} is already current" in proc.stdout and "nothing changed" in proc.stdout
    assert history(pub) == before


def test_the_progress_view_draws_one_line_per_stage():
    """The view fed the events of a run: on a pipe, plain lines when each stage ends; on a
    terminal, the same lines drawn in place (carriage return, erase line) as they progress."""
    import io
    from types import SimpleNamespace as Event

    from salesops_cli.progress_view import ProgressView

    def events():
        yield Event(kind="step_start", step="ingest_crm", message="")
        yield Event(kind="log", step="ingest_crm", message="crm: 2 new drop(s) to load: a .. b")
        for i in (1, 2):
            yield Event(kind="log", step="ingest_crm", message=(
                f"drop {i}/2 crm/2016-11-0{i}: 3 files, 1,200 rows loaded, 2 quarantined in 0.1 s"))
        yield Event(kind="step_success", step="ingest_crm", message="")
        yield Event(kind="step_start", step="gx_raw_checks", message="")
        for passed in (True, False):
            yield Event(kind="check", step="gx_raw_checks", message="", check="gx_crm_user",
                        passed=passed, severity="WARN", asset="raw/crm_user", metadata={})
        yield Event(kind="step_start", step="salesops_dbt_assets", message="")
        # a partitioned asset materializes once per drop date: still one model
        for asset in ("kpi_a", "kpi_b", "kpi_c", "kpi_c"):
            yield Event(kind="materialized", step="salesops_dbt_assets", message="",
                        asset=asset, metadata={})
        yield Event(kind="check", step="salesops_dbt_assets", message="", check="not_null_x",
                    passed=True, severity="ERROR", asset="kpi_x", metadata={})
        yield Event(kind="step_start", step="published__salesops", message="")
        yield Event(kind="materialized", step="published__salesops", message="",
                    asset="published/salesops", metadata={"unchanged": True, "version": "v7"})

    piped = io.StringIO()
    view = ProgressView(piped, live=False)
    for event in events():
        view(event)
    view.close()
    lines = piped.getvalue().splitlines()
    assert len(lines) == 4 and "\x1b" not in piped.getvalue()
    assert lines[0].startswith("  [1/5] ingest       [########################] 2/2 drops, "
                               "2,400 rows loaded, 4 quarantined")
    assert "[2/5] raw checks   2 suites, 1 with warnings" in lines[1]
    assert "[3/5] dbt build    3 models, 1 tests" in lines[2]
    assert "[4/5] publish      marts unchanged: nothing published (v7 stays current)" in lines[3]
    assert all(line.endswith("done") for line in lines)

    terminal = io.StringIO()
    live = ProgressView(terminal, live=True, tick=None)
    live._last_draw = float("inf")  # no time-throttled redraws: only the final lines
    for event in events():
        live(event)
    live.close()
    assert terminal.getvalue().count("\r\x1b[K") == 4
    drawn = terminal.getvalue().split("\n")[:-1]  # not splitlines: "\r" is no line end here
    assert [line.split("\x1b[K")[-1] for line in drawn] == lines


def test_pending_work_from_the_ledgers_the_marts_and_the_published_version(tmp_path):
    """What `salesops run`, the schedule and the sensor are told is still to do."""
    from salesops.pending import pending_work, record_marts_build
    from salesops.publish import publish, restore
    from salesops.settings import Settings

    landing, wh, pub = tmp_path / "landing", tmp_path / "wh.duckdb", tmp_path / "published"
    for day in ("2016-03-01", "2016-03-02"):
        write_csv(landing, "crm", day, "Opportunity.csv", [opportunity("006000000000001AAA")])
        write_csv(landing, "hr", day, "workers.csv", [])
    settings = Settings(landing, wh, pub, ROOT / "config" / "hr_columns.yml", ROOT / "expectations")
    work = pending_work(settings)
    assert [d.key for d in work.drops] == ["crm/2016-03-01", "hr/2016-03-01", "crm/2016-03-02",
                                           "hr/2016-03-02"]
    assert work.date_range() == (dt.date(2016, 3, 1), dt.date(2016, 3, 2))

    def warehouse(loaded: list[tuple[str, str]], processed: list[tuple[str, str]], won: int):
        write_ledgers(wh, loaded, processed, won=won)

    every = [(s, d) for d in ("2016-03-01", "2016-03-02") for s in ("crm", "hr")]
    crm = [(s, d) for s, d in every if s == "crm"]
    # loaded, processed, but dbt never finished the marts (killed in dbt): stale
    warehouse(every, crm, won=1)
    work = pending_work(settings)
    assert not work.drops and work.marts_stale
    assert work.date_range() == (dt.date(2016, 3, 2),) * 2 and work.date_range(True) is None
    # dbt built every mart; nothing published yet: unpublished
    record_marts_build(wh, "run1", ["kpi_demo"])
    work = pending_work(settings)
    assert not work.marts_stale and work.marts_unpublished
    assert "not the published ones" in work.describe()
    first = publish(wh, pub, run_id="run1xxxxxx").version
    work = pending_work(settings)
    assert work.date_range() is None and work.describe().startswith("nothing new")
    # a night whose marts came out unchanged is not pending: it published nothing, rightly
    write_csv(landing, "hr", "2016-03-03", "workers.csv", [])
    warehouse([*every, ("hr", "2016-03-03")], crm, won=1)
    record_marts_build(wh, "run2", ["kpi_demo"])
    assert pending_work(settings).date_range() is None
    # marts that differ from the published ones (checks failed, or killed while publishing)
    warehouse([*every, ("hr", "2016-03-03")], crm, won=2)
    assert pending_work(settings).date_range() == (dt.date(2016, 3, 3),) * 2
    publish(wh, pub, run_id="run3xxxxxx")
    assert pending_work(settings).date_range() is None
    # ... but not after the operator restored an older version: their choice stands
    restore(pub, first)
    assert pending_work(settings).date_range() is None


def test_a_run_waits_while_another_process_writes_the_warehouse(folders):
    """A run from the UI (another process, not a `salesops run`) holding DuckDB's write lock:
    the command line waits, saying who holds it; with --no-wait it refuses at once."""
    warehouse = Path(folders["SALESOPS_WAREHOUSE"])
    warehouse.parent.mkdir(parents=True)
    code = (f"import duckdb, time; c = duckdb.connect({str(warehouse)!r}); "
            "print('ok', flush=True); time.sleep(120)")
    writer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ok"
        refused = cli(["run", "--no-wait"], folders, timeout=60)
        assert refused.returncode == 3
        assert f"is being written by another process (PID {writer.pid})" in refused.stderr
        base = {k: v for k, v in os.environ.items() if not k.startswith(("SALESOPS_", "DAGSTER_"))}
        waiting = subprocess.Popen([sys.executable, "-m", "salesops_cli", "run"], cwd=ROOT,
                                   env={**base, **folders}, stdout=subprocess.PIPE, text=True)
        try:
            line = waiting.stdout.readline()
            assert line.startswith("waiting: the warehouse ") and f"(PID {writer.pid})" in line
            assert waiting.poll() is None  # still waiting
        finally:
            waiting.kill()
            waiting.wait()
    finally:
        writer.kill()
        writer.wait()
