"""Win-rate marts end to end: hand-written landing drops -> ingestion -> the real `dbt build`.

The fixture is small enough to work every number out by hand (below, next to the data).

Landing (CONTRACT.md layout), corporate currency USD (rate 1), EUR at 0.8 EUR per USD:

  crm/2026-01-31  User.csv, DatedConversionRate.csv, Opportunity.csv (first, full export)
  crm/2026-02-15  Opportunity.csv (delta: later versions of O3, O4, O5)
  hr/2026-01-31   workers.csv (older snapshot: must be ignored, it disagrees on purpose)
  hr/2026-02-15   workers.csv (newest snapshot: the only one that counts)

Reps (CRM Users):
  Ann  " Ann.Smith@Example.COM " -> ann.smith@example.com; HR E1: Maria Lopez's team (East),
       moves to Tom Baker's team (West) on 2026-01-16 (mid-January)
  Bob  bob@example.com; HR E2: Tom Baker's team (West) since 2025-03-01
       (the older HR snapshot says Maria / East: ignored)
  Cy   cy@example.com; no HR worker -> NULL team / region

Opportunities, all created 2026-01-02:
  O1 Ann  Closed Won  1000 USD, closes 2026-01-10 -> Maria / East (before Ann's move)
  O2 Ann  Closed Lost  400 EUR, closes 2026-01-20 -> 400 / 0.8 * 1 = 500 USD; Tom / West
  O3 Ann  Closed Won   300 USD on 2026-01-25 in drop 1, REOPENED in drop 2 (later
          SystemModstamp: Negotiation, open) -> not closed, counts nowhere
  O4 Bob  Closed Won   200 USD on 2026-01-12 in drop 1, DELETED in drop 2 -> counts nowhere
  O5 Bob  open in drop 1; drop 2 has a later version under its 18-character Id: Closed Won
          700 USD on 2026-02-10 -> the later version wins: February, Tom / West
  O6 Cy   Closed Lost, no Amount, closes 2026-01-28 -> counted as lost, amount left out:
          won_amount = lost_amount = 0 -> win_rate_amount NULL (zero denominator)

January 2026:
  rep     Ann: won 1 (1000), lost 1 (500): win_rate_count 1/2, win_rate_amount 1000/1500;
               team / region on Jan 31 = Tom Baker / West
          Cy:  won 0, lost 1, win_rate_count 0/1 = 0, amounts 0 / 0 -> win_rate_amount NULL
          (Bob has no January row: O4 is deleted)
  team    Maria Lopez: 1 won 1000, 0 lost -> 1, 1;  Tom Baker: 0 won, 1 lost 500 -> 0, 0;
          NULL (Cy): 0 won, 1 lost, 0 / 0 -> 0, NULL   (Ann's month splits over two teams)
  region  East: as Maria;  West: as Tom;  NULL: as Cy
  company won 1, lost 2 -> 1/3; won 1000, lost 500 -> 2/3
February 2026:
  rep     Bob: won 1 (700), lost 0 -> 1, 1; Tom Baker / West
  team    Tom Baker 1, 0, 1, 700, 0, 1;  region West the same;  company the same

A win_rate_count with a zero denominator cannot occur in these sparse marts (a row exists only
where something closed); its NULL rule is covered by the dbt unit tests.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from salesops.ingest.loader import load_landing
from salesops.ingest.raw_tables import create_raw_tables

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO / "dbt_project"

ANN, BOB, CY = "005Aa0000000001", "005Aa0000000002", "005Aa0000000003"
CREATED = "2026-01-02T09:00:00.000Z"

USERS = [
    {"Id": ANN + "AAA", "Name": "Ann Smith", "Email": " Ann.Smith@Example.COM ",
     "IsActive": "true", "ManagerId": "", "CreatedDate": "2025-01-01T00:00:00.000Z",
     "SystemModstamp": "2025-01-01T00:00:00.000Z"},
    {"Id": BOB, "Name": "Bob Jones", "Email": "bob@example.com", "IsActive": "true",
     "ManagerId": "", "CreatedDate": "2025-01-01T00:00:00.000Z",
     "SystemModstamp": "2025-01-01T00:00:00.000Z"},
    {"Id": CY, "Name": "Cy Nohr", "Email": "cy@example.com", "IsActive": "true",
     "ManagerId": "", "CreatedDate": "2025-01-01T00:00:00.000Z",
     "SystemModstamp": "2025-01-01T00:00:00.000Z"},
]

RATES = [
    {"IsoCode": "USD", "StartDate": "2025-01-01", "NextStartDate": "", "ConversionRate": "1"},
    {"IsoCode": "EUR", "StartDate": "2025-01-01", "NextStartDate": "", "ConversionRate": "0.8"},
]


def opp(id_: str, owner: str, stage: str, *, closed: bool, won: bool, close: str,
        amount: str = "", currency: str = "USD", modstamp: str, deleted: bool = False) -> dict:
    return {
        "Id": id_, "AccountId": "001Aa0000000001", "OwnerId": owner, "StageName": stage,
        "Amount": amount, "Probability": "100" if won else ("0" if closed else "50"),
        "ForecastCategory": "Closed" if won else ("Omitted" if closed else "Pipeline"),
        "IsClosed": str(closed).lower(), "IsWon": str(won).lower(), "CloseDate": close,
        "CreatedDate": CREATED, "SystemModstamp": modstamp, "IsDeleted": str(deleted).lower(),
        "CurrencyIsoCode": currency, "Name": f"Deal {id_[-3:]}",
    }


DROP1 = "2026-01-31T12:00:00.000Z"
DROP2 = "2026-02-14T12:00:00.000Z"
OPPS_DROP1 = [
    opp("006Aa0000000001", ANN, "Closed Won", closed=True, won=True, close="2026-01-10",
        amount="1000", modstamp=DROP1),
    opp("006Aa0000000002", ANN, "Closed Lost", closed=True, won=False, close="2026-01-20",
        amount="400", currency="EUR", modstamp=DROP1),
    opp("006Aa0000000003", ANN, "Closed Won", closed=True, won=True, close="2026-01-25",
        amount="300", modstamp=DROP1),
    opp("006Aa0000000004", BOB, "Closed Won", closed=True, won=True, close="2026-01-12",
        amount="200", modstamp=DROP1),
    opp("006Aa0000000005", BOB, "Prospecting", closed=False, won=False, close="2026-02-28",
        amount="700", modstamp=DROP1),
    opp("006Aa0000000006", CY, "Closed Lost", closed=True, won=False, close="2026-01-28",
        amount="", modstamp=DROP1),
]
OPPS_DROP2 = [
    # reopened: open again in its latest version
    opp("006Aa0000000003", ANN, "Negotiation", closed=False, won=False, close="2026-03-31",
        amount="300", modstamp=DROP2),
    # deleted in its latest version
    opp("006Aa0000000004", BOB, "Closed Won", closed=True, won=True, close="2026-01-12",
        amount="200", modstamp=DROP2, deleted=True),
    # later version, 18-character form of the same Id
    opp("006Aa0000000005XYZ", BOB + "XYZ", "Closed Won", closed=True, won=True,
        close="2026-02-10", amount="700", modstamp=DROP2),
]


def worker(emp: str, email: str, name: str, manager: str, region: str, effective: str) -> dict:
    return {
        "employee_id": emp, "work_email": email, "full_name": name, "department": "Sales",
        "job_title": "Account Executive" if manager else "Sales Manager", "job_level": "IC2",
        "manager_employee_id": manager, "region": region, "hire_date": "2024-01-01",
        "termination_date": "", "termination_type": "", "regrettable": "",
        "effective_date": effective,
    }


HR_OLD = [  # older snapshot: disagrees with the newest on purpose
    worker("M1", "maria@example.com", "Maria Lopez", "", "East", "2024-01-01"),
    worker("M2", "tom@example.com", "Tom Baker", "", "West", "2024-01-01"),
    worker("E1", "ann.smith@example.com", "Ann Smith", "M1", "East", "2025-01-01"),
    worker("E2", "bob@example.com", "Bob Jones", "M1", "East", "2025-03-01"),
]
HR_NEW = [
    worker("M1", "maria@example.com", "Maria Lopez", "", "East", "2024-01-01"),
    worker("M2", "tom@example.com", "Tom Baker", "", "West", "2024-01-01"),
    worker("E1", "Ann.Smith@example.com", "Ann Smith", "M1", "East", "2025-01-01"),
    worker("E1", "ann.smith@example.com", "Ann Smith", "M2", "West", "2026-01-16"),
    worker("E2", "bob@example.com", "Bob Jones", "M2", "West", "2025-03-01"),
]


def write_drop(landing: Path, system: str, date: str, files: dict[str, list[dict]]) -> None:
    folder = landing / system / date
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        (folder / name).write_text(buf.getvalue(), encoding="utf-8")
    (folder / "_SUCCESS").touch()


def dbt_executable() -> str:
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else (shutil.which("dbt") or "dbt")


def dbt_build(warehouse: Path, work: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, SALESOPS_WAREHOUSE=str(warehouse))
    return subprocess.run(
        # As the pipeline builds (orchestration/defs/dbt.py): unit tests need the relations of
        # incremental models to exist; they run on a built warehouse in test_dbt_unit_tests.py.
        [dbt_executable(), "build", "--exclude-resource-type", "unit_test",
         "--project-dir", str(DBT_PROJECT),
         "--profiles-dir", str(DBT_PROJECT), "--target-path", str(work / "target"),
         "--log-path", str(work / "logs")],
        cwd=DBT_PROJECT, env=env, capture_output=True, text=True, timeout=600,
    )


def query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def approx_rows(rows: list[tuple]) -> list[tuple]:
    return [tuple(pytest.approx(v) if isinstance(v, float) else v for v in r) for r in rows]


@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("dbt_win_rate")
    landing, warehouse = work / "landing", work / "warehouse.duckdb"
    write_drop(landing, "crm", "2026-01-31", {
        "User.csv": USERS, "DatedConversionRate.csv": RATES, "Opportunity.csv": OPPS_DROP1})
    write_drop(landing, "crm", "2026-02-15", {"Opportunity.csv": OPPS_DROP2})
    write_drop(landing, "hr", "2026-01-31", {"workers.csv": HR_OLD})
    write_drop(landing, "hr", "2026-02-15", {"workers.csv": HR_NEW})
    report = load_landing(landing, warehouse, systems=("crm", "hr", "lms"), hr_column_map={})
    assert [r.status for r in report.results] == ["loaded"] * 4, report.results
    assert all(r.rows_quarantined == 0 for r in report.results)
    result = dbt_build(warehouse, work)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    return warehouse


def test_rep_month_rows(built_warehouse):
    got = query(built_warehouse, """
        select cast(month as varchar), rep_email, rep_name, team, region, won_count, lost_count,
            win_rate_count, won_amount, lost_amount, win_rate_amount
        from marts.kpi_win_rate order by month, rep_email""")
    assert got == approx_rows([
        ("2026-01-01", "ann.smith@example.com", "Ann Smith", "Tom Baker", "West",
         1, 1, 0.5, 1000.0, 500.0, 1000 / 1500),
        ("2026-01-01", "cy@example.com", "Cy Nohr", None, None, 0, 1, 0.0, 0.0, 0.0, None),
        ("2026-02-01", "bob@example.com", "Bob Jones", "Tom Baker", "West",
         1, 0, 1.0, 700.0, 0.0, 1.0),
    ])


def test_team_rollup_splits_the_mid_month_move(built_warehouse):
    got = query(built_warehouse, """
        select cast(month as varchar), team, won_count, lost_count, win_rate_count,
            won_amount, lost_amount, win_rate_amount
        from marts.kpi_win_rate_team order by month, team nulls last""")
    assert got == approx_rows([
        ("2026-01-01", "Maria Lopez", 1, 0, 1.0, 1000.0, 0.0, 1.0),
        ("2026-01-01", "Tom Baker", 0, 1, 0.0, 0.0, 500.0, 0.0),
        ("2026-01-01", None, 0, 1, 0.0, 0.0, 0.0, None),
        ("2026-02-01", "Tom Baker", 1, 0, 1.0, 700.0, 0.0, 1.0),
    ])


def test_region_rollup(built_warehouse):
    got = query(built_warehouse, """
        select cast(month as varchar), region, won_count, lost_count, win_rate_count,
            won_amount, lost_amount, win_rate_amount
        from marts.kpi_win_rate_region order by month, region nulls last""")
    assert got == approx_rows([
        ("2026-01-01", "East", 1, 0, 1.0, 1000.0, 0.0, 1.0),
        ("2026-01-01", "West", 0, 1, 0.0, 0.0, 500.0, 0.0),
        ("2026-01-01", None, 0, 1, 0.0, 0.0, 0.0, None),
        ("2026-02-01", "West", 1, 0, 1.0, 700.0, 0.0, 1.0),
    ])


def test_company_rollup(built_warehouse):
    got = query(built_warehouse, """
        select cast(month as varchar), won_count, lost_count, win_rate_count,
            won_amount, lost_amount, win_rate_amount
        from marts.kpi_win_rate_company order by month""")
    assert got == approx_rows([
        ("2026-01-01", 1, 2, 1 / 3, 1000.0, 500.0, 1000 / 1500),
        ("2026-02-01", 1, 0, 1.0, 700.0, 0.0, 1.0),
    ])


FCT_COLUMNS = [
    "opportunity_id", "account_id", "owner_id", "owner_email", "opportunity_name", "stage_name",
    "forecast_category", "is_closed", "is_won", "close_date", "created_date", "created_at",
    "amount", "currency_iso_code", "amount_reporting", "probability", "lead_source",
    "opportunity_type", "next_step", "cycle_days", "owner_team", "owner_region",
    "system_modstamp", "drop_date",
]


def test_fct_opportunities_columns(built_warehouse):
    got = [r[0] for r in query(built_warehouse, """
        select column_name from information_schema.columns
        where table_schema = 'marts' and table_name = 'fct_opportunities'
        order by ordinal_position""")]
    assert got[: len(FCT_COLUMNS)] == FCT_COLUMNS


def test_fct_opportunities_latest_live_versions(built_warehouse):
    got = query(built_warehouse, """
        select opportunity_id, owner_email, is_closed, is_won, currency_iso_code, amount,
            amount_reporting, owner_team, owner_region, cast(drop_date as varchar)
        from marts.fct_opportunities order by opportunity_id""")
    assert got == approx_rows([
        ("006Aa0000000001", "ann.smith@example.com", True, True, "USD", 1000.0, 1000.0,
         "Maria Lopez", "East", "2026-01-31"),
        ("006Aa0000000002", "ann.smith@example.com", True, False, "EUR", 400.0, 500.0,
         "Tom Baker", "West", "2026-01-31"),
        ("006Aa0000000003", "ann.smith@example.com", False, False, "USD", 300.0, 300.0,
         "Tom Baker", "West", "2026-02-15"),
        ("006Aa0000000005", "bob@example.com", True, True, "USD", 700.0, 700.0,
         "Tom Baker", "West", "2026-02-15"),
        ("006Aa0000000006", "cy@example.com", True, False, "USD", None, None,
         None, None, "2026-01-31"),
    ])


def test_current_rep_attributes(built_warehouse):
    got = query(built_warehouse, """
        select rep_email, team, region, has_hr_match from marts.dim_reps order by rep_email""")
    assert got == [
        ("ann.smith@example.com", "Tom Baker", "West", True),
        ("bob@example.com", "Tom Baker", "West", True),
        ("cy@example.com", None, None, False),
    ]


def test_build_passes_on_an_empty_raw_schema(tmp_path):
    """An org may send nothing yet: every raw table exists, all empty; the marts are empty."""
    warehouse = tmp_path / "empty.duckdb"
    con = duckdb.connect(str(warehouse))
    create_raw_tables(con)
    con.close()
    result = dbt_build(warehouse, tmp_path)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    for mart in ("kpi_win_rate", "kpi_win_rate_team", "kpi_win_rate_region",
                 "kpi_win_rate_company", "fct_opportunities", "dim_reps"):
        assert query(warehouse, f"select count(*) from marts.{mart}") == [(0,)]
