"""Issue 12 end to end on hand-made drops: reps only in the training marts, adoption over
working days, two HR workers sharing one work e-mail.

Landing -> ingestion -> the real `dbt build` -> the GX suites (as tests/test_dbt_win_rate.py).
Every number below is worked out by hand. Newest drop of every system: 2026-06-30 ("now").

HR (hr/2026-06-30/workers.csv, one row per worker):
  M1 Wendy West  wendy@  West  manager of West, hired 2019-01-01
  M2 Ed East     ed@     East  manager of East, hired 2019-01-01
  E1 Ann         ann@    West  under M1, hired 2025-01-01
  L1 Lee Long    lee@    West  under M1, hired 2020-01-01, still employed
  L2 Lee Short   lee@    East  under M2, hired 2026-02-01, left 2026-04-15 (voluntary)
                               -> the SAME e-mail as L1, employment overlapping L1's
  P1 Pat Old     pat@    East  under M2, hired 2024-01-01, left 2025-12-31 (voluntary)
  P2 Pat New     pat@    West  under M1, hired 2026-03-01 -> the same e-mail, no overlap
CRM Users: ann@, lee@, pat@ (no User for kim@).
LMS: course c1; completions: Ann 2026-03-10 (1.5 h), Lee 2026-03-12 (2 h) and Kim
  2026-03-11 (4 h; kim@ is no CRM User, e.g. a facilities worker: the LMS covers the company),
  plus an assignment of Kim due 2026-03-31.
LoginHistory (successful): Ann Tue 2026-03-03 and Sun 2026-03-08; Lee Mon 2026-03-02 and Sat
  2026-03-07; Pat Mon 2026-02-16 and Mon 2026-03-16.

Identity (int_hr__worker_periods / dim_rep_history): lee@ names L1 every day (from
2026-02-01 to 2026-04-15 both are employed: L1, employed longest, keeps it); pat@ names P1
until 2026-02-28 (P1 left on 2025-12-31 but nobody else had the e-mail yet), P2 from 2026-03-01.

Retention by region (each worker's own region, by employee_id):
  West: M1, E1, L1 = 3 from 2025-01 on; + P2 from 2026-03-01 = 4 (start and end of the month)
  East: 2025-12: M2 + P1 at both ends, P1 leaves on Dec 31 -> 1 separation
        2026-01: M2 -> 1 / 1;  2026-02 and 03: M2 + L2 -> 2 / 2
        2026-04: start 2, end 1, 1 separation (L2 on Apr 15) -> turnover 1 / 1.5
        2026-05, 06: 1 / 1
  (before the fix L1 was found through lee@ and counted in East from 2026-02 on.)
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from landing_kit import write_csv, write_jsonl
from test_dbt_win_rate import dbt_build
from test_dbt_win_rate import query as rows

from salesops.ingest.loader import load_landing
from salesops.quality import RunParameters, discover, run_suite
from salesops.quality.runner import run_suites

pytestmark = pytest.mark.slow

EXPECTATIONS = Path(__file__).resolve().parents[1] / "expectations"
DROP = "2026-06-30"
AS_OF = dt.date(2026, 6, 30)
ANN, LEE, PAT = "005Aa0000000001", "005Aa0000000002", "005Aa0000000003"
D = dt.date


def _worker(emp, email, name, region, hire, manager="", term="", term_type="", regret=""):
    return {"employee_id": emp, "work_email": email, "full_name": name, "department": "Sales",
            "job_title": "AE", "job_level": "L2", "manager_employee_id": manager,
            "region": region, "hire_date": hire, "termination_date": term,
            "termination_type": term_type, "regrettable": regret, "effective_date": hire,
            "annual_salary": "100000"}


WORKERS = [
    _worker("M1", "wendy@example.com", "Wendy West", "West", "2019-01-01"),
    _worker("M2", "ed@example.com", "Ed East", "East", "2019-01-01"),
    _worker("E1", "ann@example.com", "Ann Smith", "West", "2025-01-01", "M1"),
    _worker("L1", "lee@example.com", "Lee Long", "West", "2020-01-01", "M1"),
    _worker("L2", "Lee@Example.com ", "Lee Short", "East", "2026-02-01", "M2",
            "2026-04-15", "voluntary", "false"),
    _worker("P1", "pat@example.com", "Pat Old", "East", "2024-01-01", "M2",
            "2025-12-31", "voluntary", "false"),
    _worker("P2", "pat@example.com", "Pat New", "West", "2026-03-01", "M1"),
]


def _user(uid, name, email):
    return {"Id": uid + "AAA", "Name": name, "Email": email, "IsActive": "true",
            "ManagerId": "", "CreatedDate": "2025-01-01T00:00:00.000Z",
            "SystemModstamp": "2025-01-01T00:00:00.000Z"}


def _login(uid, day):
    return {"UserId": uid + "AAA", "LoginTime": f"{day}T09:00:00.000Z", "Status": "Success"}


def _completed(sid, email, day, duration):
    return {"id": f"00000000-0000-4000-8000-00000000000{sid}",
            "actor": {"mbox": f"mailto:{email}", "objectType": "Agent"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"id": "https://lms.example.com/courses/c1", "objectType": "Activity"},
            "result": {"completion": True, "success": True, "duration": duration},
            "timestamp": f"{day}T10:00:00.000Z"}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("issue12")
    landing, db = work / "landing", work / "warehouse.duckdb"
    write_csv(landing, "crm", DROP, "User.csv", [
        _user(ANN, "Ann Smith", "ann@example.com"), _user(LEE, "Lee Long", "lee@example.com"),
        _user(PAT, "Pat New", "pat@example.com")])
    write_csv(landing, "crm", DROP, "LoginHistory.csv", [
        _login(ANN, "2026-03-03"), _login(ANN, "2026-03-08"), _login(LEE, "2026-03-02"),
        _login(LEE, "2026-03-07"), _login(PAT, "2026-02-16"), _login(PAT, "2026-03-16")])
    write_csv(landing, "hr", DROP, "workers.csv", WORKERS)
    write_csv(landing, "lms", DROP, "courses.csv", [
        {"course_id": "https://lms.example.com/courses/c1", "title": "Discovery",
         "category": "sales_skills", "expected_hours": "2"}])
    write_csv(landing, "lms", DROP, "assignments.csv", [
        {"work_email": "kim@example.com", "course_id": "https://lms.example.com/courses/c1",
         "assigned_date": "2026-03-01", "due_date": "2026-03-31"}])
    write_jsonl(landing, DROP, [
        _completed(1, "ann@example.com", "2026-03-10", "PT1H30M"),
        _completed(2, "lee@example.com", "2026-03-12", "PT2H"),
        _completed(3, "kim@example.com", "2026-03-11", "PT4H")])
    report = load_landing(landing, db, systems=("crm", "hr", "lms"), hr_column_map={})
    assert {r.status for r in report.results} == {"loaded"}, report.results
    assert all(r.rows_quarantined == 0 for r in report.results), report.results
    result = dbt_build(db, work)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    return db


# -- (3) training: reps only -------------------------------------------------------------------
def test_training_marts_hold_reps_only(warehouse):
    assert rows(warehouse, "select month, rep_email, rep_name, team, region, training_hours, "
                "courses_completed, assignments_due from marts.kpi_training order by rep_email") == [
        (D(2026, 3, 1), "ann@example.com", "Ann Smith", "Wendy West", "West", 1.5, 1, 0),
        (D(2026, 3, 1), "lee@example.com", "Lee Long", "Wendy West", "West", 2.0, 1, 0)]
    # the company, team and region totals are the reps' totals: Kim's 4 h and her assignment
    # count nowhere (before the fix: 7.5 h and 1 assignment due)
    reps_only = (3.5, 2, 0)
    for table in ("kpi_training_company", "kpi_training_team", "kpi_training_region"):
        assert rows(warehouse, f"select sum(training_hours), sum(courses_completed), "
                    f"sum(assignments_due) from marts.{table}") == [reps_only], table
    assert rows(warehouse, "select team, training_hours from marts.kpi_training_team") == [
        ("Wendy West", 3.5)]
    # training impact: Q1 2026's population is the CRM Users employed on Mar 31 (Ann, Lee, Pat)
    assert rows(warehouse, "select sum(reps), max(max_training_hours) from "
                "marts.kpi_training_impact where quarter = date '2026-01-01'") == [(3, 2.0)]
    # the learners themselves stay in the facts (the LMS is loaded whole)
    assert rows(warehouse, "select count(*) from marts.fct_training_events "
                "where rep_email = 'kim@example.com'") == [(1,)]


def test_learners_who_are_not_crm_users_are_a_warning(warehouse):
    for table, name, expected in (
            ("lms_statements", "actor_is_crm_user",
             {"actor_email": "kim@example.com", "statements": 1}),
            ("lms_assignments", "assignee_is_crm_user",
             {"work_email": "kim@example.com", "assignments": 1})):
        result = run_suite(warehouse, EXPECTATIONS / "raw" / f"{table}.json", f"raw.{table}",
                           params=_raw_params(table))
        assert result.success, [o.name for o in result.failures]  # a warning never blocks
        failed = {o.name: o for o in result.failures}
        outcome = failed[f"unexpected_rows_expectation({name})"]
        assert outcome.severity == "warning" and outcome.unexpected_count == 1
        [sample] = outcome.unexpected_sample
        assert {k: sample[k] for k in expected} == expected


# -- (7) adoption = active working days / working days ---------------------------------------
def test_adoption_counts_working_days_only(warehouse):
    # March 2026: 22 working days; Ann and Lee each one weekday and one weekend day active
    assert rows(warehouse, "select month, rep_email, team, region, active_days, "
                "active_working_days, working_days, adoption_rate from marts.kpi_crm_usage "
                "order by month, rep_email") == [
        (D(2026, 2, 1), "pat@example.com", "Ed East", "East", 1, 1, 20, 1 / 20),
        (D(2026, 3, 1), "ann@example.com", "Wendy West", "West", 2, 1, 22, 1 / 22),
        (D(2026, 3, 1), "lee@example.com", "Wendy West", "West", 2, 1, 22, 1 / 22),
        (D(2026, 3, 1), "pat@example.com", "Wendy West", "West", 1, 1, 22, 1 / 22)]
    # roll-ups: sum / sum; Lee's March is West's (the e-mail names L1), none of it East's
    assert rows(warehouse, "select month, region, active_days, active_working_days, "
                "working_days, adoption_rate from marts.kpi_crm_usage_region "
                "order by month, region") == [
        (D(2026, 2, 1), "East", 1, 1, 20, 1 / 20),
        (D(2026, 3, 1), "West", 5, 3, 66, 3 / 66)]
    assert rows(warehouse, "select month, active_days, active_working_days, working_days, "
                "adoption_rate from marts.kpi_crm_usage_company order by month") == [
        (D(2026, 2, 1), 1, 1, 20, 1 / 20), (D(2026, 3, 1), 5, 3, 66, 3 / 66)]
    assert rows(warehouse, "select team, active_working_days, working_days from "
                "marts.kpi_crm_usage_team where month = date '2026-03-01'") == [
        ("Wendy West", 3, 66)]


# -- (8) two workers, one e-mail -------------------------------------------------------------
def test_the_rep_dimension_names_one_worker_per_day(warehouse):
    got = rows(warehouse, "select rep_email, employee_id, hr_full_name, region, valid_from, "
               "valid_to, hr_workers_sharing_email from marts.dim_rep_history "
               "order by rep_email, valid_from")
    assert got == [
        ("ann@example.com", "E1", "Ann Smith", "West", D(2025, 1, 1), None, 1),
        # L1 and L2 overlap from Feb 1 to Apr 15: L1, employed longest, keeps the e-mail
        ("lee@example.com", "L1", "Lee Long", "West", D(2020, 1, 1), None, 2),
        # P1 left on 2025-12-31; P2 is hired on 2026-03-01 and takes the e-mail from then on
        ("pat@example.com", "P1", "Pat Old", "East", D(2024, 1, 1), D(2026, 2, 28), 2),
        ("pat@example.com", "P2", "Pat New", "West", D(2026, 3, 1), None, 2)]
    assert rows(warehouse, "select rep_email, employee_id, region, hr_workers_sharing_email "
                "from marts.dim_reps order by rep_email") == [
        ("ann@example.com", "E1", "West", 1), ("lee@example.com", "L1", "West", 2),
        ("pat@example.com", "P2", "West", 2)]


RETENTION_REGION = [
    # month, region, headcount_start, headcount_end, separations, turnover_rate
    (D(2025, 12, 1), "East", 2, 2, 1, 0.5),
    (D(2025, 12, 1), "West", 3, 3, 0, 0.0),
    (D(2026, 1, 1), "East", 1, 1, 0, 0.0),
    (D(2026, 1, 1), "West", 3, 3, 0, 0.0),
    (D(2026, 2, 1), "East", 2, 2, 0, 0.0),
    (D(2026, 2, 1), "West", 3, 3, 0, 0.0),
    (D(2026, 3, 1), "East", 2, 2, 0, 0.0),
    (D(2026, 3, 1), "West", 4, 4, 0, 0.0),
    (D(2026, 4, 1), "East", 2, 1, 1, 1 / 1.5),
    (D(2026, 4, 1), "West", 4, 4, 0, 0.0),
    (D(2026, 5, 1), "East", 1, 1, 0, 0.0),
    (D(2026, 5, 1), "West", 4, 4, 0, 0.0),
    (D(2026, 6, 1), "East", 1, 1, 0, 0.0),
    (D(2026, 6, 1), "West", 4, 4, 0, 0.0),
]


def test_retention_counts_each_worker_in_their_own_region(warehouse):
    got = rows(warehouse, "select month, region, headcount_start, headcount_end, separations, "
               "turnover_rate from marts.kpi_retention_region "
               "where month >= date '2025-12-01' order by month, region")
    assert [r[:5] for r in got] == [r[:5] for r in RETENTION_REGION]
    for (*_, turnover), want in zip(got, RETENTION_REGION, strict=True):
        assert turnover == pytest.approx(want[5])


def test_retention_team_by_the_workers_own_manager(warehouse):
    got = rows(warehouse, "select month, team, headcount_start, headcount_end, separations "
               "from marts.kpi_retention_team where month between date '2026-02-01' "
               "and date '2026-04-01' order by month, team nulls last")
    assert got == [
        # Ed East's team: L2 only (the managers have no manager: the NULL team)
        (D(2026, 2, 1), "Ed East", 1, 1, 0), (D(2026, 2, 1), "Wendy West", 2, 2, 0),
        (D(2026, 2, 1), None, 2, 2, 0),
        (D(2026, 3, 1), "Ed East", 1, 1, 0), (D(2026, 3, 1), "Wendy West", 3, 3, 0),
        (D(2026, 3, 1), None, 2, 2, 0),
        (D(2026, 4, 1), "Ed East", 1, 0, 1), (D(2026, 4, 1), "Wendy West", 3, 3, 0),
        (D(2026, 4, 1), None, 2, 2, 0)]


def test_shared_work_emails_are_a_warning(warehouse):
    result = run_suite(warehouse, EXPECTATIONS / "raw" / "hr_workers.json", "raw.hr_workers",
                       params=_raw_params("hr_workers"))
    assert result.success
    outcome = {o.name: o for o in result.failures}["unexpected_rows_expectation(work_email_one_worker)"]
    assert outcome.severity == "warning" and outcome.unexpected_count == 2
    got = sorted((r["work_email"], r["workers"], r["employee_ids"], r["regions"])
                 for r in outcome.unexpected_sample)
    assert got == [("lee@example.com", 2, "L1, L2", "East, West"),
                   ("pat@example.com", 2, "P1, P2", "East, West")]


def test_the_mart_suites_pass(warehouse):
    suites = [s for s in discover(EXPECTATIONS) if s.schema == "marts" and s.table_name.startswith(
        ("kpi_crm_usage", "kpi_training", "kpi_retention"))]
    assert len(suites) == 14
    results = run_suites(warehouse, suites, params=RunParameters(as_of_date=AS_OF))
    failed = {t: [o.name for o in r.failures] for t, r in results.items() if r.failures}
    assert not failed, json.dumps(failed, indent=1)


def _raw_params(table: str) -> dict:
    from salesops.quality.suite import read_suite_file

    meta = read_suite_file(EXPECTATIONS / "raw" / f"{table}.json").get("meta")
    return RunParameters(as_of_date=AS_OF).for_suite(f"raw.{table}", meta)
