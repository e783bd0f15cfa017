"""The data-quality gate (salesops.quality) on real DuckDB files with a `marts` schema."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pandas
import pytest
from great_expectations.execution_engine import SqlAlchemyExecutionEngine
from sqlalchemy import event
from sqlalchemy.engine import Engine

from salesops.quality import ExpectationOutcome, SuiteResult, run_suite
from salesops.quality.duckdb_source import DuckDBExecutionEngine
from salesops.quality.suite import SuiteFileError, load_suite

SUITE = Path(__file__).resolve().parents[1] / "expectations" / "marts" / "fct_opportunities.json"
TABLE = "marts.fct_opportunities"

DDL = """
CREATE SCHEMA marts;
CREATE TABLE marts.fct_opportunities (
    opportunity_id VARCHAR, account_id VARCHAR, owner_id VARCHAR, owner_email VARCHAR,
    opportunity_name VARCHAR, stage_name VARCHAR, forecast_category VARCHAR,
    is_closed BOOLEAN, is_won BOOLEAN, close_date DATE, created_date DATE, created_at TIMESTAMP,
    amount DOUBLE, currency_iso_code VARCHAR, amount_reporting DOUBLE, probability DOUBLE,
    lead_source VARCHAR, opportunity_type VARCHAR, next_step VARCHAR, cycle_days INTEGER,
    owner_team VARCHAR, owner_region VARCHAR, system_modstamp TIMESTAMP, drop_date DATE
);
INSERT INTO marts.fct_opportunities VALUES
 ('0060000000000A1', '001000000000001', '005000000000001', 'ana@example.com', 'Acme renewal',
  'Closed Won', 'Closed', true, true, '2024-03-31', '2024-01-15', '2024-01-15 09:30:00',
  12000, 'USD', 12000, 100, 'Web', 'Renewal', NULL, 76, 'Team North', 'EMEA',
  '2024-04-01 08:00:00', '2024-04-02'),
 ('0060000000000A2', '001000000000002', '005000000000001', 'ana@example.com', 'Globex new',
  'Closed Lost', 'Omitted', true, false, '2024-02-29', '2024-02-01', '2024-02-01 11:00:00',
  5000, 'EUR', 5400, 0, 'Partner', 'New Business', NULL, 28, 'Team North', 'EMEA',
  '2024-03-01 08:00:00', '2024-04-02'),
 ('0060000000000A3', '001000000000003', '005000000000002', 'bo@example.com', 'Initech upsell',
  'Negotiation', 'Forecast', false, false, '2024-06-30', '2024-03-10', '2024-03-10 15:45:00',
  30000, 'USD', 30000, 90, 'Outbound', 'Upsell', 'Send contract', NULL, 'Team South', NULL,
  '2024-04-01 08:00:00', '2024-04-02'),
 ('0060000000000A4', '001000000000004', '005000000000002', 'bo@example.com', 'Umbrella pilot',
  'Proposal', 'BestCase', false, false, '2024-07-15', '2024-03-20', '2024-03-20 10:00:00',
  NULL, 'USD', NULL, NULL, NULL, 'New Business', NULL, NULL, 'Team South', 'AMER',
  '2024-04-01 08:00:00', '2024-04-02'),
 ('0060000000000A5', '001000000000005', '005000000000003', 'cy@example.com', 'Hooli expansion',
  'Prospecting', 'Pipeline', false, false, '2024-09-30', '2024-03-25', '2024-03-25 12:00:00',
  8000, 'GBP', 10100, 10, 'Event', 'Upsell', 'Discovery call', NULL, 'Team West', 'APAC',
  '2024-04-01 08:00:00', '2024-04-02');
"""

# The columns of the first good row, to insert look-alike rows with one field changed.
ROW_A1 = "SELECT * FROM marts.fct_opportunities WHERE opportunity_id = '0060000000000A1'"


def make_db(tmp_path: Path, *statements: str) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(DDL)
        for statement in statements:
            con.execute(statement)
    return path


def by_name(result: SuiteResult) -> dict[str, ExpectationOutcome]:
    return {o.name: o for o in result.outcomes}


def failed(result: SuiteResult) -> list[str]:
    return sorted(o.name for o in result.outcomes if not o.success)


def test_good_data_passes(tmp_path: Path) -> None:
    result = run_suite(make_db(tmp_path), SUITE, TABLE)

    assert result.suite == "fct_opportunities"
    assert result.success is True
    assert result.data_docs_path is None
    assert len(result.outcomes) == len(json.loads(SUITE.read_text())["expectations"])
    assert all(o.success for o in result.outcomes), failed(result)
    outcomes = by_name(result)
    assert outcomes["expect_column_value_lengths_to_equal(opportunity_id)"].severity == "error"
    assert outcomes["expect_column_value_lengths_to_equal(opportunity_id)"].unexpected_count == 0
    assert outcomes["unexpected_rows_expectation(won_implies_closed)"].severity == "warning"
    assert outcomes["expect_table_row_count_to_be_between"].unexpected_count is None


@pytest.mark.parametrize(
    ("statements", "expectation", "bad_rows", "bad_value"),
    [
        # (The id's uniqueness and NOT NULL, and the forecast categories, are dbt tests of
        # fct_opportunities: expectations/README.md.)
        pytest.param(
            [
                "UPDATE marts.fct_opportunities SET opportunity_id = '006SHORT'"
                " WHERE opportunity_id = '0060000000000A2'"
            ],
            "expect_column_value_lengths_to_equal(opportunity_id)",
            1,
            "006SHORT",
            id="short-id",
        ),
        pytest.param(
            [
                "UPDATE marts.fct_opportunities SET probability = 150"
                " WHERE opportunity_id IN ('0060000000000A3', '0060000000000A5')"
            ],
            "expect_column_values_to_be_between(probability)",
            2,
            150.0,
            id="probability-150",
        ),
        pytest.param(
            [
                "UPDATE marts.fct_opportunities SET amount = -5"
                " WHERE opportunity_id = '0060000000000A3'"
            ],
            "expect_column_values_to_be_between(amount)",
            1,
            -5.0,
            id="negative-amount",
        ),
    ],
)
def test_error_expectation_fails_suite(
    tmp_path: Path, statements: list[str], expectation: str, bad_rows: int, bad_value: object
) -> None:
    result = run_suite(make_db(tmp_path, *statements), SUITE, TABLE)

    assert result.success is False
    assert failed(result) == [expectation]
    outcome = by_name(result)[expectation]
    assert outcome.severity == "error"
    assert outcome.unexpected_count == bad_rows
    assert bad_value in outcome.unexpected_sample
    assert outcome.details["exception"] is None
    assert result.errors == [outcome]
    # The suite declares row_id_columns, so the failing rows are identified too.
    failing_ids = {row["opportunity_id"] for row in outcome.details["unexpected_rows"]}
    assert len(failing_ids) == bad_rows


def test_negative_cycle_days_is_only_a_warning(tmp_path: Path) -> None:
    db = make_db(
        tmp_path,
        "UPDATE marts.fct_opportunities SET cycle_days = -3"
        " WHERE opportunity_id = '0060000000000A2'",
    )
    result = run_suite(db, SUITE, TABLE)

    assert result.success is True
    assert failed(result) == ["expect_column_values_to_be_between(cycle_days)"]
    outcome = result.warnings[0]
    assert (outcome.severity, outcome.unexpected_count, outcome.unexpected_sample) == (
        "warning",
        1,
        [-3],
    )


def test_won_but_open_is_a_warning_with_sample_rows(tmp_path: Path) -> None:
    db = make_db(
        tmp_path,
        "UPDATE marts.fct_opportunities SET is_won = true WHERE opportunity_id = '0060000000000A4'",
    )
    result = run_suite(db, SUITE, TABLE)

    assert result.success is True
    outcome = by_name(result)["unexpected_rows_expectation(won_implies_closed)"]
    assert (outcome.success, outcome.severity, outcome.unexpected_count) == (False, "warning", 1)
    assert [row["opportunity_id"] for row in outcome.unexpected_sample] == ["0060000000000A4"]


def test_missing_column_is_an_error_even_for_warning_checks(tmp_path: Path) -> None:
    db = make_db(tmp_path, "ALTER TABLE marts.fct_opportunities DROP COLUMN cycle_days")
    result = run_suite(db, SUITE, TABLE)

    assert result.success is False
    outcomes = by_name(result)
    assert outcomes["expect_table_columns_to_match_set"].blocking
    cycle = outcomes["expect_column_values_to_be_between(cycle_days)"]
    assert not cycle.success and cycle.severity == "warning" and cycle.details["exception"]


def test_data_docs_site_is_built(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    result = run_suite(make_db(tmp_path), SUITE, TABLE, docs_dir=docs)

    assert result.data_docs_path == str(docs.resolve() / "index.html")
    index = Path(result.data_docs_path)
    assert index.is_file()
    assert "fct_opportunities" in index.read_text()
    assert list((docs / "validations").rglob("*.html")), "the validation result page is rendered"


def test_checks_run_as_sql_in_duckdb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pandas(*args: object, **kwargs: object) -> None:
        raise AssertionError("the table must not be read into pandas")

    for reader in ("read_sql", "read_sql_query", "read_sql_table"):
        monkeypatch.setattr(pandas, reader, no_pandas)

    engines: list[type] = []
    original_execute = DuckDBExecutionEngine.execute_query

    def spy_execute(self: DuckDBExecutionEngine, query: Any) -> Any:
        engines.append(type(self))
        return original_execute(self, query)

    monkeypatch.setattr(DuckDBExecutionEngine, "execute_query", spy_execute)
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        result = run_suite(make_db(tmp_path), SUITE, TABLE)
    finally:
        event.remove(Engine, "before_cursor_execute", record)

    assert result.success is True
    assert engines and all(issubclass(e, SqlAlchemyExecutionEngine) for e in engines)
    on_table = [s for s in statements if TABLE in s]
    assert len(on_table) >= 10
    aggregates = [s for s in on_table if re.search(r"\b(count|sum)\(", s, re.IGNORECASE)]
    assert aggregates, "metrics are computed by DuckDB"
    # Every read of the table is an aggregate, LIMITed, or the suite's own filtered row query.
    for statement in on_table:
        assert (
            re.search(r"\b(count|sum|max|min|avg)\(|\bLIMIT\b", statement, re.IGNORECASE)
            or "WHERE is_won AND NOT is_closed" in statement
        ), statement


def test_file_is_released_and_never_write_locked(tmp_path: Path) -> None:
    db = make_db(tmp_path)
    # A read-write connection held elsewhere in this process would conflict with a read-only
    # one, so run_suite opening the file read-only and closing it is what lets this work.
    result = run_suite(db, SUITE, TABLE)
    assert result.success is True
    with duckdb.connect(str(db)) as con:  # read-write, right after
        con.execute(f"INSERT INTO {TABLE} {ROW_A1.replace('A1', 'A2')}")
        assert con.execute(f"SELECT count(*) FROM {TABLE}").fetchone() == (6,)


def test_reads_while_another_process_reads(tmp_path: Path) -> None:
    # Read-only opens share DuckDB's file lock: a BI reader in another process does not block us.
    db = make_db(tmp_path)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True);"
            " print('open', flush=True); sys.stdin.read()",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
        assert run_suite(db, SUITE, TABLE).success is True
    finally:
        reader.communicate("", timeout=30)


def test_no_network_access(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network disabled in test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    result = run_suite(make_db(tmp_path), SUITE, TABLE, docs_dir=tmp_path / "docs")

    assert result.success is True
    assert attempts == []


def test_suite_file_is_loaded_strictly(tmp_path: Path) -> None:
    suite = load_suite(SUITE)
    assert len(suite.expectations) == len(json.loads(SUITE.read_text())["expectations"])
    for expectation in json.loads(SUITE.read_text())["expectations"]:
        assert expectation["meta"]["severity"] in ("error", "warning")
        assert expectation["meta"]["purpose"]

    bad_severity = {
        "name": "s",
        "expectations": [
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "a"},
                "meta": {"severity": "fatal"},
            }
        ],
    }
    unknown_type = {"name": "s", "expectations": [{"type": "expect_nonsense", "kwargs": {}}]}
    for i, content in enumerate([bad_severity, unknown_type]):
        path = tmp_path / f"suite{i}.json"
        path.write_text(json.dumps(content))
        with pytest.raises(SuiteFileError):
            load_suite(path)


def test_missing_database_or_table_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        run_suite(tmp_path / "absent.duckdb", SUITE, TABLE)
    assert not (tmp_path / "absent.duckdb").exists()

    db = make_db(tmp_path)
    with pytest.raises(LookupError, match="marts.fct_opportunity"):
        run_suite(db, SUITE, "marts.fct_opportunity")
    duckdb.connect(str(db)).close()  # released after the failure too
