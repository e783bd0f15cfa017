"""The raw-layer suites (expectations/raw/*.json) on the demo warehouse and on planted defects.

The demo run (session fixture `demo_run`) is only read; every planted defect is made in a copy
of its warehouse under tmp_path, and only the suite of the damaged table is run on it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from salesops.contract import FILES
from salesops.ingest.raw_tables import create_raw_tables, raw_columns
from salesops.quality import ExpectationOutcome, RunParameters, SuiteResult, discover, run_suite
from salesops.quality.runner import run_suites
from salesops.quality.suite import SEVERITIES, load_suite, read_suite_file

EXPECTATIONS = Path(__file__).resolve().parents[1] / "expectations"
RAW_SUITES = EXPECTATIONS / "raw"
AS_OF = dt.date(2026, 10, 31)  # the demo data's newest drop
LEDGER_TABLES = {"load_drops", "load_files", "quarantine"}
SPECS = {spec.table: spec for spec in FILES}


def raw_suites():
    return [s for s in discover(EXPECTATIONS) if s.schema == "raw"]


def suite_params(table: str, **kwargs: Any) -> dict[str, Any]:
    path = RAW_SUITES / f"{table}.json"
    run = RunParameters(as_of_date=kwargs.pop("as_of_date", AS_OF), **kwargs)
    return run.for_suite(f"raw.{table}", read_suite_file(path).get("meta"))


def check(db: Path, table: str, **kwargs: Any) -> SuiteResult:
    return run_suite(
        db, RAW_SUITES / f"{table}.json", f"raw.{table}", params=suite_params(table, **kwargs)
    )


def failures(result: SuiteResult) -> dict[str, ExpectationOutcome]:
    return {o.name: o for o in result.outcomes if not o.success}


def rows_check(name: str) -> str:
    return f"unexpected_rows_expectation({name})"


class WarehouseCopy:
    """A writable copy of the demo warehouse to plant a defect in; close() before checking."""

    def __init__(self, source: Path, target: Path):
        shutil.copy(source, target)
        wal = source.with_name(source.name + ".wal")
        if wal.exists():
            shutil.copy(wal, target.with_name(target.name + ".wal"))
        self.path = target
        self.con = duckdb.connect(str(target))

    def execute(self, sql: str, *params: Any) -> WarehouseCopy:
        self.con.execute(sql, list(params))
        return self

    def first(self, sql: str, *params: Any) -> tuple:
        row = self.con.execute(sql, list(params)).fetchone()
        assert row is not None, sql
        return row

    def victim(self, table: str, where: str = "true") -> tuple[str, int]:
        """(_file, _line) of one row of `table` (the first by drop, file and line)."""
        return self.first(
            f"select _file, _line from raw.{table} where {where} "
            "order by _drop_date, _file, _line limit 1"
        )

    def update(self, table: str, row: tuple[str, int], assignment: str) -> WarehouseCopy:
        return self.execute(
            f"update raw.{table} set {assignment} where _file = ? and _line = ?", *row
        )

    def close(self) -> Path:
        self.con.close()
        return self.path


@pytest.fixture
def damaged(demo_run, tmp_path) -> Iterator[WarehouseCopy]:
    copy = WarehouseCopy(demo_run.warehouse, tmp_path / "warehouse.duckdb")
    yield copy
    copy.con.close()


def sample_names(outcome: ExpectationOutcome, row: tuple[str, int]) -> bool:
    """True when a failing row of the outcome's sample is the row (_file, _line)."""
    rows = outcome.details.get("unexpected_rows") or outcome.unexpected_sample
    return any(
        isinstance(r, dict) and r.get("_file") == row[0] and r.get("_line") == row[1]
        for r in rows
    )


# ---------------------------------------------------------------------------------------------
# the suite files


def test_every_raw_table_has_a_suite():
    con = duckdb.connect()
    try:
        create_raw_tables(con)
        created = {
            t for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        } - LEDGER_TABLES
    finally:
        con.close()
    assert created == set(SPECS)
    assert {s.table for s in raw_suites()} == {f"raw.{t}" for t in created}


@pytest.mark.parametrize("table", sorted(SPECS))
def test_suite_loads_and_names_its_table(table):
    path = RAW_SUITES / f"{table}.json"
    raw = read_suite_file(path)
    meta = raw["meta"]
    spec = SPECS[table]
    assert raw["name"] == table == path.stem
    assert meta["table"] == f"raw.{table}"
    assert meta["system"] == spec.system
    assert meta["row_id_columns"] == ["_file", "_line"]
    assert meta["grain"] and meta["notes"]

    suite = load_suite(path, suite_params(table))
    assert suite.name == table
    assert len(suite.expectations) == len(raw["expectations"])
    names = []
    for entry in raw["expectations"]:
        assert entry["meta"]["severity"] in SEVERITIES
        assert entry["meta"]["purpose"].strip()
        if entry["type"] == "unexpected_rows_expectation":
            assert entry["meta"].get("name"), entry
            names.append(entry["meta"]["name"])
        else:
            names.append((entry["type"], entry["kwargs"].get("column")))
    assert len(names) == len(set(names)), "outcome names must be unique within a suite"
    # every suite has the lineage, freshness and reconciliation checks
    for name in ("record_loaded_once", "freshness", "reconciliation"):
        assert name in names
    if spec.unique_key:
        assert "key_unique_per_drop" in names


@pytest.mark.parametrize("table", sorted(SPECS))
def test_column_set_is_the_loaders(table):
    raw = read_suite_file(RAW_SUITES / f"{table}.json")
    (column_set,) = [
        e["kwargs"]["column_set"] for e in raw["expectations"]
        if e["type"] == "expect_table_columns_to_match_set"
    ]
    assert column_set == [c for c, _ in raw_columns(SPECS[table])]


# ---------------------------------------------------------------------------------------------
# the demo data passes everything, warnings included


def test_demo_warehouse_passes_every_raw_suite(demo_run):
    results = run_suites(
        demo_run.warehouse, raw_suites(), params=RunParameters(as_of_date=AS_OF)
    )
    assert set(results) == {f"raw.{t}" for t in SPECS}
    failed = {
        table: [(o.name, o.severity, o.unexpected_count, o.unexpected_sample,
                 o.details.get("exception")) for o in r.failures]
        for table, r in results.items() if r.failures
    }
    assert not failed
    assert all(r.success for r in results.values())


# ---------------------------------------------------------------------------------------------
# planted defects: each fails exactly the expectation that guards against it


def test_duplicate_loaded_row(damaged):
    row = damaged.victim("crm_opportunity")
    db = damaged.execute(
        "insert into raw.crm_opportunity select * from raw.crm_opportunity "
        "where _file = ? and _line = ?", *row,
    ).close()
    result = check(db, "crm_opportunity")
    failed = failures(result)
    # the copy is the same physical record (lineage), the same key in the drop, and one row
    # more than the ledger says was loaded from that file
    assert set(failed) == {
        rows_check("record_loaded_once"), rows_check("key_unique_per_drop"),
        rows_check("reconciliation"),
    }
    assert not result.success
    for name in ("record_loaded_once", "key_unique_per_drop"):
        outcome = failed[rows_check(name)]
        assert outcome.severity == "error"
        assert outcome.unexpected_count == 2  # both copies
        assert sample_names(outcome, row)
    recon = failed[rows_check("reconciliation")]
    assert recon.severity == "error"
    assert recon.unexpected_count == 1
    (bad_file,) = recon.unexpected_sample
    assert bad_file["file"] == row[0]
    assert bad_file["rows_in_table"] == bad_file["rows_loaded"] + 1


def test_null_id(damaged):
    row = damaged.victim("crm_opportunity")
    result = check(damaged.update("crm_opportunity", row, "Id = null").close(), "crm_opportunity")
    failed = failures(result)
    name = "expect_column_values_to_not_be_null(Id)"
    assert set(failed) == {name}
    assert failed[name].severity == "error" and not result.success
    assert failed[name].unexpected_count == 1
    assert sample_names(failed[name], row)


@pytest.mark.parametrize(
    ("assignment", "expectation", "value"),
    [
        ("ForecastCategory = 'Commit'", "expect_column_values_to_be_in_set(ForecastCategory)",
         "Commit"),
        ("Probability = 150", "expect_column_values_to_be_between(Probability)", 150.0),
        ("Amount = -1", "expect_column_values_to_be_between(Amount)", -1.0),
    ],
)
def test_opportunity_value_outside_its_domain(damaged, assignment, expectation, value):
    row = damaged.victim("crm_opportunity", "not IsClosed")  # open: no closed-state warning
    result = check(damaged.update("crm_opportunity", row, assignment).close(), "crm_opportunity")
    failed = failures(result)
    assert set(failed) == {expectation}
    outcome = failed[expectation]
    assert outcome.severity == "error" and not result.success
    assert outcome.unexpected_count == 1
    assert outcome.unexpected_sample == [value]
    assert sample_names(outcome, row)


def test_scaled_score_outside_minus_one_to_one(damaged):
    row = damaged.victim("lms_statements", "result_score_scaled is not null")
    db = damaged.update("lms_statements", row, "result_score_scaled = 2").close()
    result = check(db, "lms_statements")
    failed = failures(result)
    name = "expect_column_values_to_be_between(result_score_scaled)"
    assert set(failed) == {name}
    assert failed[name].severity == "error" and not result.success
    assert failed[name].unexpected_count == 1
    assert failed[name].unexpected_sample == [2.0]
    assert sample_names(failed[name], row)


def test_orphan_opportunity_owner_is_a_warning(damaged):
    row = damaged.victim("crm_opportunity")
    db = damaged.update("crm_opportunity", row, "OwnerId = '005ZZ0000000000AAA'").close()
    result = check(db, "crm_opportunity")
    failed = failures(result)
    assert set(failed) == {rows_check("owner_is_user")}
    outcome = failed[rows_check("owner_is_user")]
    assert outcome.severity == "warning"
    assert result.success  # warnings never block
    assert outcome.unexpected_count == 1
    (sample,) = outcome.unexpected_sample
    assert sample["missing_parent_id"] == "005ZZ0000000000AAA"
    assert sample["child_id"]
    assert (sample["_file"], sample["_line"]) == row


def test_task_pointing_at_a_missing_opportunity(damaged):
    row = damaged.victim("crm_task", "left(WhatId, 3) = '006'")
    result = check(damaged.update("crm_task", row, "WhatId = '006ZZ0000000000'").close(),
                   "crm_task")
    failed = failures(result)
    assert set(failed) == {rows_check("what_opportunity_exists")}
    outcome = failed[rows_check("what_opportunity_exists")]
    assert outcome.severity == "warning" and result.success
    assert outcome.unexpected_count == 1
    (sample,) = outcome.unexpected_sample
    assert sample["missing_parent_id"] == "006ZZ0000000000"
    assert (sample["_file"], sample["_line"]) == row


def test_misspelled_counted_verb_fails_other_vocabularies_pass(damaged):
    https = damaged.victim("lms_statements", "verb_id like '%/completed'")
    bare = damaged.victim("lms_statements", "verb_id like '%/registered'")
    other = damaged.victim("lms_statements", "verb_id like '%/attempted'")
    damaged.update("lms_statements", https,
                   "verb_id = 'https://adlnet.gov/expapi/verbs/completed'")
    damaged.update("lms_statements", bare, "verb_id = 'Registered'")
    damaged.update("lms_statements", other, "verb_id = 'http://id.tincanapi.com/verb/viewed'")
    result = check(damaged.close(), "lms_statements")
    failed = failures(result)
    # a counted ADL verb spelled differently would silently leave the training KPIs: error;
    # a verb that is not an IRI: warning; another vocabulary's verb: kept raw and ignored
    assert set(failed) == {rows_check("verb_known_spelling"), rows_check("verb_is_iri")}
    spelling = failed[rows_check("verb_known_spelling")]
    assert spelling.severity == "error" and not result.success
    assert spelling.unexpected_count == 2
    assert sample_names(spelling, https) and sample_names(spelling, bare)
    iri = failed[rows_check("verb_is_iri")]
    assert iri.severity == "warning"
    assert iri.unexpected_count == 1 and sample_names(iri, bare)


def test_stale_drops_warn_and_respect_max_drop_age(demo_run):
    two_days_later = dt.date(2026, 11, 2)
    fresh = check(demo_run.warehouse, "crm_user_role", as_of_date=two_days_later,
                  max_drop_age_days=2)
    assert fresh.failures == []
    result = check(demo_run.warehouse, "crm_user_role", as_of_date=two_days_later,
                   max_drop_age_days=1)
    failed = failures(result)
    assert set(failed) == {rows_check("freshness")}
    outcome = failed[rows_check("freshness")]
    assert outcome.severity == "warning" and result.success
    assert outcome.unexpected_count == 1
    (sample,) = outcome.unexpected_sample
    assert (sample["system"], sample["newest_drop_date"], sample["age_days"],
            sample["max_drop_age_days"]) == ("crm", "2026-10-31", 2, 1)
    # far after the newest drop, with the default max age: the HR suite warns too
    hr = failures(check(demo_run.warehouse, "hr_workers", as_of_date=dt.date(2027, 1, 31)))
    assert set(hr) == {rows_check("freshness")}
    (sample,) = hr[rows_check("freshness")].unexpected_sample
    assert (sample["system"], sample["age_days"]) == ("hr", 92)


def test_system_without_any_drop_is_stale(damaged):
    db = damaged.execute("delete from raw.load_drops where system = 'lms'").close()
    failed = failures(check(db, "lms_courses"))
    assert set(failed) == {rows_check("freshness")}
    (sample,) = failed[rows_check("freshness")].unexpected_sample
    assert sample["system"] == "lms" and sample["newest_drop_date"] is None


def test_reconciliation_break_rows_read(damaged):
    (file,) = damaged.first(
        "select file from raw.load_files where file like '%/Opportunity.csv' "
        "order by drop_date desc limit 1"
    )
    db = damaged.execute(
        "update raw.load_files set rows_read = rows_read + 1 where file = ?", file
    ).close()
    result = check(db, "crm_opportunity")
    failed = failures(result)
    assert set(failed) == {rows_check("reconciliation")}
    outcome = failed[rows_check("reconciliation")]
    assert outcome.severity == "error" and not result.success
    assert outcome.unexpected_count == 1
    (sample,) = outcome.unexpected_sample
    assert sample["file"] == file
    assert sample["rows_read"] == sample["rows_loaded"] + sample["rows_quarantined"] + 1


def test_reconciliation_break_deleted_row_and_unrecorded_quarantine(damaged):
    # a version of an account that has another version, so no reference to it breaks
    row = damaged.victim(
        "crm_account", "Id in (select Id from raw.crm_account group by Id having count(*) > 1)"
    )
    load_id, event_file, drop_date = damaged.first(
        "select load_id, file, drop_date from raw.load_files where file like '%/Event.csv' "
        "order by drop_date limit 1"
    )
    damaged.execute("delete from raw.crm_account where _file = ? and _line = ?", *row)
    damaged.execute(
        "insert into raw.quarantine values (?, 'crm', ?, ?, 99999, 'planted', null)",
        load_id, drop_date, event_file,
    )
    db = damaged.close()
    accounts = failures(check(db, "crm_account"))
    assert set(accounts) == {rows_check("reconciliation")}
    (sample,) = accounts[rows_check("reconciliation")].unexpected_sample
    assert sample["file"] == row[0]
    assert sample["rows_in_table"] == sample["rows_loaded"] - 1
    events = failures(check(db, "crm_event"))
    assert set(events) == {rows_check("reconciliation")}
    (sample,) = events[rows_check("reconciliation")].unexpected_sample
    assert sample["file"] == event_file
    assert (sample["rows_quarantined"], sample["rows_in_quarantine"]) == (0, 1)
