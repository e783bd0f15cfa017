"""The incremental facts give exactly what a full refresh gives, whatever order drops come in.

The `tiny` sample (seed 7, drops 2026-10-26 .. 2026-10-31), with a few planted changes in later
drops (a Task deleted in the late drop, a User whose e-mail changes, a deleted won Opportunity
with stage history, a voiding xAPI statement, a voided statement delivered again), goes two
ways:

- warehouse A: every drop loaded, then `dbt build --full-refresh`;
- warehouse B: the drops arrive night by night (NIGHTS), the 10-28 drops (CRM, HR, LMS) late,
  after 10-30; after each night the incremental models run with that night's drop dates as
  vars (one night a range that repeats a processed date, one night without vars, as by hand),
  and the last night runs the whole `dbt build`, incrementally.

Then every table and view of `marts` (the KPI marts, the facts, the dimensions) and the
incremental models themselves must hold the same rows in A and B (order-independent; DOUBLEs
equal to 1e-9, relative). Only the incremental models carry state from one run to the next:
the other models are rebuilt from scratch by every build, so the middle nights run just the
incremental models (`--select config.materialized:incremental`) and the last night builds
everything once. Last, a drop loaded but never processed (a missed night) must fail the build.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from salesops.settings import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow

DBT = Path(sys.executable).with_name("dbt")
SYSTEMS = ("crm", "hr", "lms")
INCREMENTAL_MODELS = {
    "intermediate": [
        "int_activity__activities",
        "int_sales__stage_history_rows",
        "int_pipeline__snapshot_versions",
        "int_people__statements",
        "int_activity__record_change_rows",
        "int_incremental__processed_drops",
    ],
}
FACTS = ["fct_activities", "fct_opportunity_stage_history", "fct_pipeline_snapshots",
         "fct_training_events"]
VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"

# (drop dates loaded that night, dbt vars; None = no vars, as a hand-run `dbt build`).
# The first night builds from scratch; night 2 takes a range that repeats the processed 10-27;
# night 3 runs without vars; 10-28 arrives late, after 10-30 (records of it were updated
# since, and it adds a snapshot date before the newest one).
NIGHTS: list[tuple[list[str], dict[str, str] | None]] = [
    (["2026-10-26", "2026-10-27"], {"drop_date_from": "2026-10-26", "drop_date_to": "2026-10-27"}),
    (["2026-10-29"], {"drop_date_from": "2026-10-27", "drop_date_to": "2026-10-29"}),
    (["2026-10-30"], None),
    (["2026-10-28"], {"drop_date_from": "2026-10-28", "drop_date_to": "2026-10-28"}),
    (["2026-10-31"], {"drop_date_from": "2026-10-31", "drop_date_to": "2026-10-31"}),
]


def run_dbt(args: list[str], warehouse: Path, work: Path, *, check: bool = True
            ) -> subprocess.CompletedProcess:
    """dbt on `warehouse`, with its target and logs in `work` (never the project's own)."""
    proc = subprocess.run(
        [str(DBT), *args, "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(work / "target"),
         "--log-path", str(work / "logs")],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=900,
        env={**os.environ, "SALESOPS_WAREHOUSE": str(warehouse),
             "SALESOPS_AS_OF_DATE": "2026-10-31"},
    )
    assert proc.returncode == 0 or not check, f"dbt {' '.join(args)} failed:\n{proc.stdout[-5000:]}"
    return proc


def load(landing: Path, warehouse: Path) -> None:
    from salesops.ingest.loader import load_landing

    report = load_landing(landing, warehouse)
    assert not report.failures, [f.message for f in report.failures]


# --- the planted changes -------------------------------------------------------------------

def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _append_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    new_file = not path.exists()
    # the generator writes CRLF line endings (csv's default): keep one style per file
    with path.open("a", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        if new_file:
            writer.writeheader()
        writer.writerows(rows)


def _first(rows: list[dict[str, str]], **where: str) -> dict[str, str]:
    for row in rows:
        if all(row[k] == v for k, v in where.items()):
            return row
    raise AssertionError(f"no row with {where}")


def plant_changes(landing: Path) -> dict[str, str]:
    """Later drops that change records delivered earlier; returns what was planted."""
    crm = landing / "crm"
    planted: dict[str, str] = {}

    # 10-28 (the late drop): a completed call on a lead (a touch) of the first drop is deleted.
    header, tasks = _read_csv(crm / "2026-10-26" / "Task.csv")
    task = next(t for t in tasks if t["TaskSubtype"] == "Call" and t["Status"] == "Completed"
                and t["WhoId"].startswith("00Q"))
    stamp = "2026-10-28T09:00:00.000Z"
    _append_csv(crm / "2026-10-28" / "Task.csv", header,
                [{**task, "IsDeleted": "true", "SystemModstamp": stamp, "LastModifiedDate": stamp}])
    planted["deleted_task"] = task["Id"][:15]

    # 10-31: that call's owner gets a new e-mail (no delta drop had a User file so far).
    header, users = _read_csv(crm / "2026-10-26" / "User.csv")
    user = _first(users, Id=task["OwnerId"])
    new_email = "renamed." + user["Email"].lower()
    stamp = "2026-10-31T06:00:00.000Z"
    _append_csv(crm / "2026-10-31" / "User.csv", header,
                [{**user, "Email": new_email, "SystemModstamp": stamp, "LastModifiedDate": stamp}])
    planted["renamed_user"] = user["Id"][:15]
    planted["new_email"] = new_email

    # 10-31: a won opportunity of the first drop, with stage history, is deleted.
    header, opportunities = _read_csv(crm / "2026-10-26" / "Opportunity.csv")
    _, history = _read_csv(crm / "2026-10-26" / "OpportunityHistory.csv")
    with_history = {h["OpportunityId"] for h in history}
    won = next(o for o in opportunities if o["IsWon"] == "true" and o["Id"] in with_history)
    stamp = "2026-10-31T08:00:00.000Z"
    _append_csv(crm / "2026-10-31" / "Opportunity.csv", header,
                [{**won, "IsDeleted": "true", "SystemModstamp": stamp, "LastModifiedDate": stamp}])
    planted["deleted_opportunity"] = won["Id"][:15]

    # 10-31: a voiding statement for a completion delivered on 10-27.
    lms = landing / "lms"
    completions = [json.loads(line) for line in
                   (lms / "2026-10-27" / "statements.jsonl").read_text().splitlines() if line]
    completed = next(s for s in completions if s["verb"]["id"].endswith("/completed"))
    voiding = {
        "id": "0f1e2d3c-4b5a-5968-8776-a5b4c3d2e1f0",
        "actor": {"objectType": "Agent", "name": "LMS Administrator",
                  "mbox": "mailto:lms-admin@example.com"},
        "verb": {"id": VOIDED_VERB, "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": completed["id"]},
        "timestamp": "2026-10-31T07:00:00.000Z",
        "stored": "2026-10-31T07:00:02.000Z",
        "version": "1.0.3",
    }
    # 10-31: a statement voided in an earlier drop is delivered again: it stays voided.
    statements = {d.name: [json.loads(line) for line in
                           (d / "statements.jsonl").read_text().splitlines() if line]
                  for d in sorted(lms.iterdir()) if d.name < "2026-10-31"}
    voided_ids = {s["object"]["id"] for day in statements.values() for s in day
                  if s["verb"]["id"] == VOIDED_VERB}
    voided_again = next(s for day in statements.values() for s in day if s["id"] in voided_ids)
    with (lms / "2026-10-31" / "statements.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(voiding) + "\n")
        f.write(json.dumps(voided_again) + "\n")
    planted["voided_statement"] = completed["id"].lower()
    planted["voided_statement_delivered_again"] = voided_again["id"].lower()
    return planted


# --- the two warehouses -------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    from salesops.generator import generate

    landing = tmp_path_factory.mktemp("incremental_sample") / "landing"
    generate("tiny", landing, seed=7)
    dates = sorted(p.name for p in (landing / "crm").iterdir())
    assert dates == sorted({d for days, _ in NIGHTS for d in days})
    return landing, plant_changes(landing)


@pytest.fixture(scope="module")
def full_refresh(sample, tmp_path_factory) -> Path:
    landing, _ = sample
    work = tmp_path_factory.mktemp("full_refresh")
    warehouse = work / "warehouse.duckdb"
    load(landing, warehouse)
    run_dbt(["build", "--full-refresh", "--exclude-resource-type", "unit_test"], warehouse, work)
    return warehouse


@pytest.fixture(scope="module")
def nightly(sample, tmp_path_factory) -> Path:
    source, _ = sample
    work = tmp_path_factory.mktemp("nightly")
    landing = work / "landing"
    warehouse = work / "warehouse.duckdb"
    for night, (dates, dbt_vars) in enumerate(NIGHTS):
        for date in dates:
            for system in SYSTEMS:
                shutil.copytree(source / system / date, landing / system / date)
        load(landing, warehouse)
        vars_args = ["--vars", json.dumps(dbt_vars)] if dbt_vars else []
        if night == 0:  # the first build: the incremental models and what they read
            run_dbt(["run", "--select", "+config.materialized:incremental", *vars_args],
                    warehouse, work)
        elif night < len(NIGHTS) - 1:
            run_dbt(["run", "--select", "config.materialized:incremental", *vars_args],
                    warehouse, work)
        else:  # the whole build, incremental models processing the last night only
            run_dbt(["build", "--exclude-resource-type", "unit_test", *vars_args],
                    warehouse, work)
    compiled = (work / "target" / "compiled" / "models" / "intermediate" / "activity"
                / "int_activity__activities.sql").read_text()
    assert "cast('2026-10-31' as date)" in compiled, "the last night did not run incrementally"
    return warehouse


# --- comparing -------------------------------------------------------------------------------

def _relations(warehouse: Path) -> dict[str, list[str]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        marts = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by table_name").fetchall()]
    finally:
        con.close()
    return {"marts": marts, **INCREMENTAL_MODELS}


def _rows(warehouse: Path, relation: str) -> tuple[list[tuple[str, str]], list[tuple]]:
    schema, table = relation.split(".")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table]).fetchall()
        return columns, con.execute(f"select * from {relation}").fetchall()
    finally:
        con.close()


def _sort_key(row: tuple, doubles: set[int]) -> tuple:
    return tuple(
        "\0" if value is None else (f"{value:.6g}" if i in doubles else str(value))
        for i, value in enumerate(row)
    )


def _same_row(a: tuple, b: tuple, doubles: set[int]) -> bool:
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if i in doubles and x is not None and y is not None:
            if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
                return False
        elif x != y:
            return False
    return True


def differences(a: Path, b: Path, relation: str) -> str | None:
    columns_a, rows_a = _rows(a, relation)
    columns_b, rows_b = _rows(b, relation)
    if columns_a != columns_b:
        return f"columns differ: {columns_a} vs {columns_b}"
    if len(rows_a) != len(rows_b):
        return f"{len(rows_a)} rows vs {len(rows_b)}"
    doubles = {i for i, (_, data_type) in enumerate(columns_a) if data_type in ("DOUBLE", "FLOAT")}
    rows_a.sort(key=lambda r: _sort_key(r, doubles))
    rows_b.sort(key=lambda r: _sort_key(r, doubles))
    diff = [(x, y) for x, y in zip(rows_a, rows_b, strict=True) if not _same_row(x, y, doubles)]
    return f"{len(diff)} rows differ, e.g. {diff[:2]}" if diff else None


# --- the tests -------------------------------------------------------------------------------

def test_every_mart_equals_the_full_refresh(full_refresh, nightly):
    relations_a = _relations(full_refresh)
    assert relations_a == _relations(nightly)
    kpis = [t for t in relations_a["marts"] if t.startswith("kpi_")]
    assert len(kpis) >= 58 and set(FACTS) <= set(relations_a["marts"])
    failures = {}
    for schema, tables in relations_a.items():
        for table in tables:
            problem = differences(full_refresh, nightly, f"{schema}.{table}")
            if problem:
                failures[f"{schema}.{table}"] = problem
    assert not failures, failures


def test_the_planted_changes_reach_the_facts(sample, nightly):
    _, planted = sample
    con = duckdb.connect(str(nightly), read_only=True)
    try:
        def one(sql: str, *params):
            return con.execute(sql, list(params)).fetchone()[0]

        # the deleted Task is a tombstone in the incremental model, out of the fact
        assert one("select is_deleted from intermediate.int_activity__activities "
                   "where activity_id = ?", planted["deleted_task"]) is True
        assert one("select count(*) from marts.fct_activities where activity_id = ?",
                   planted["deleted_task"]) == 0
        # the owner's activities all carry the new e-mail
        emails = con.execute("select distinct owner_email from marts.fct_activities "
                             "where owner_id = ?", [planted["renamed_user"]]).fetchall()
        assert emails == [(planted["new_email"],)]
        # the deleted opportunity left the stage history and every snapshot, old ones too
        for fact in ("fct_opportunity_stage_history", "fct_pipeline_snapshots"):
            assert one(f"select count(*) from marts.{fact} where opportunity_id = ?",
                       planted["deleted_opportunity"]) == 0
        assert one("select count(distinct snapshot_date) from "
                   "intermediate.int_pipeline__snapshot_versions where opportunity_id = ?",
                   planted["deleted_opportunity"]) == 6
        # the statement voided four drops later, and the voided one delivered again, are out
        # of the training events
        for statement in (planted["voided_statement"],
                          planted["voided_statement_delivered_again"]):
            assert one("select is_voided from intermediate.int_people__statements "
                       "where statement_id = ?", statement) is True
            assert one("select count(*) from marts.fct_training_events "
                       "where statement_id = ?", statement) == 0
    finally:
        con.close()


def test_a_loaded_drop_no_run_processed_fails_the_build(nightly, tmp_path):
    """A drop loaded but never in an incremental run's range (a missed night) stops the build:
    the facts would lack its changes."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(nightly, warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("insert into raw.load_drops select system, date '2026-11-01', "
                    "'crm-2026-11-01-missed', fingerprint, 0, 0, 0, loaded_at "
                    "from raw.load_drops where system = 'crm' limit 1")
    finally:
        con.close()
    proc = run_dbt(["test", "--select", "int_incremental__processed_drops"], warehouse, tmp_path,
                   check=False)
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    failed = {r["unique_id"].split(".")[2]: r["failures"] for r in results if r["status"] == "fail"}
    assert proc.returncode != 0
    assert failed == {"every_loaded_drop_processed_int_incremental__processed_drops_crm__lms": 1}
