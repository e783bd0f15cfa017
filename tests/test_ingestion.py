"""Ingestion against the contract: real files, a real DuckDB warehouse, asserted rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from landing_kit import csv_text, drop_dir, opportunity, write_csv, write_jsonl

from salesops.ingest.loader import load_landing

USER = {
    "Id": "005000000000001AAA", "Name": "Ada Rep", "Email": "ada@example.com", "IsActive": "true",
    "ManagerId": "", "CreatedDate": "2025-01-01T00:00:00.000Z",
    "SystemModstamp": "2025-01-01T00:00:00.000Z",
}


def rows(wh: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    return tmp_path / "landing"


@pytest.fixture
def wh(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


def test_good_drop_loads_with_lineage_and_ignores_extra_columns(landing, wh):
    header = ["Id", "Name", "Email", "IsActive", "ManagerId", "CreatedDate", "SystemModstamp",
              "LastModifiedDate", "Department"]
    write_csv(landing, "crm", "2026-01-01", "User.csv", [USER | {"Department": "Sales"}],
              header=header)
    write_csv(landing, "crm", "2026-01-01", "Opportunity.csv",
              [opportunity("006000000000001AAA"), opportunity("006000000000002AAA", Amount="")])
    report = load_landing(landing, wh)
    assert [r.status for r in report.results] == ["loaded"]
    assert report.results[0].rows_loaded == 3
    got = rows(wh, "select Id, Amount, Probability, IsClosed, CloseDate, CreatedDate, _drop_date, "
                   "_file, _line, _load_id is not null from raw.crm_opportunity order by Id")
    assert [g[:4] for g in got] == [
        ("006000000000001AAA", 1000.0, 10.0, False), ("006000000000002AAA", None, 10.0, False)]
    assert str(got[0][4]) == "2026-03-31" and str(got[0][5]) == "2026-01-05 09:00:00"
    assert [(str(g[6]), g[7], g[8], g[9]) for g in got] == [
        ("2026-01-01", "crm/2026-01-01/Opportunity.csv", 2, True),
        ("2026-01-01", "crm/2026-01-01/Opportunity.csv", 3, True)]
    # the extra columns are not loaded; the optional contract column is there, empty
    cols = [r[0] for r in rows(wh, "select column_name from information_schema.columns "
                                   "where table_name = 'crm_user'")]
    assert "Department" not in cols and "Title" in cols
    assert rows(wh, "select Title, IsActive from raw.crm_user") == [(None, True)]
    assert rows(wh, "select system, cast(drop_date as varchar), files, rows_loaded, "
                    "rows_quarantined from raw.load_drops") == [("crm", "2026-01-01", 2, 3, 0)]


def _failing(landing: Path, wh: Path) -> str:
    """Load; assert exactly one failed drop and that nothing of it reached the warehouse."""
    report = load_landing(landing, wh)
    assert len(report.failures) == 1, report
    assert rows(wh, "select count(*) from raw.crm_user") == [(0,)]
    assert rows(wh, "select count(*) from raw.crm_opportunity") == [(0,)]
    assert rows(wh, "select count(*) from raw.quarantine") == [(0,)]
    assert rows(wh, "select count(*) from raw.load_drops") == [(0,)]
    return report.failures[0].message


def _with_good_user(landing: Path) -> None:
    write_csv(landing, "crm", "2026-01-01", "User.csv", [USER])


def test_missing_required_column_fails_the_drop_naming_file_and_column(landing, wh):
    _with_good_user(landing)
    header = [c for c in opportunity("x") if c != "StageName"]
    write_csv(landing, "crm", "2026-01-01", "Opportunity.csv",
              [opportunity("006000000000001AAA")], header=header)
    msg = _failing(landing, wh)
    assert msg == "crm/2026-01-01/Opportunity.csv, column 'StageName': missing required column 'StageName'"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "crm/2026-01-01/Opportunity.csv, line 1: file is empty: no header row"),
        (b"\n\n", "crm/2026-01-01/Opportunity.csv, line 1: file is empty: no header row"),
        (b"Id,AccountId\n" + b"\xff\xfe,x\n",
         "crm/2026-01-01/Opportunity.csv, column 'OwnerId': missing required column 'OwnerId'"),
    ],
)
def test_unreadable_file_fails_the_drop(landing, wh, content, expected):
    _with_good_user(landing)
    (drop_dir(landing, "crm", "2026-01-01") / "Opportunity.csv").write_bytes(content)
    assert _failing(landing, wh) == expected


def _opportunity_file_with(landing: Path, tail: bytes) -> None:
    _with_good_user(landing)
    header = list(opportunity("x"))
    good = csv_text(header, [list(opportunity("006000000000001AAA").values())]).encode()
    (drop_dir(landing, "crm", "2026-01-01") / "Opportunity.csv").write_bytes(good + tail)


def test_non_utf8_fails_the_drop_with_the_line(landing, wh):
    row = csv_text(list(opportunity("x")), [list(opportunity("006000000000002AAA").values())])
    bad = row.splitlines()[1].replace("Prospecting", "Prosp\udcffecting")
    _opportunity_file_with(landing, bad.encode("utf-8", "surrogateescape") + b"\n")
    msg = _failing(landing, wh)
    assert msg == ("crm/2026-01-01/Opportunity.csv, line 3, column 'StageName': "
                   "not valid UTF-8 (byte 0xff)")


def test_truncated_file_fails_the_drop(landing, wh):
    _opportunity_file_with(landing, b'006000000000002AAA,001000000000001AAA,"unterminated')
    msg = _failing(landing, wh)
    assert msg == "crm/2026-01-01/Opportunity.csv, line 3: truncated: a quoted value is never closed"


def test_row_with_wrong_field_count_fails_the_drop(landing, wh):
    _opportunity_file_with(landing, b"006000000000002AAA,too,few\n")
    msg = _failing(landing, wh)
    assert msg == "crm/2026-01-01/Opportunity.csv, line 3: a row has 3 fields where the header has 13"


def _multiline_opportunity_file_with(landing: Path, tail: bytes) -> None:
    """A good row whose StageName spans lines 2-4, then `tail` from line 5 on."""
    _with_good_user(landing)
    header = list(opportunity("x"))
    good = csv_text(header, [list(opportunity("006000000000001AAA", StageName="A\nB\nC").values())])
    (drop_dir(landing, "crm", "2026-01-01") / "Opportunity.csv").write_bytes(good.encode() + tail)


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        (b'006000000000002AAA,001000000000001AAA,"unterminated\nstill open',
         "line 5: truncated: a quoted value is never closed"),
        (b"006000000000002AAA,too,few\n", "line 5: a row has 3 fields where the header has 13"),
        (b"006000000000002AAA,001000000000001AAA,005000000000001AAA,Prosp\xe9cting,1000,10,"
         b"Pipeline,false,false,2026-03-31,2026-01-05T09:00:00.000Z,2026-01-05T09:00:00.000Z,false\n",
         "line 5, column 'StageName': not valid UTF-8 (byte 0xe9)"),
        (b'006000000000002AAA,001000000000001AAA,005000000000001AAA,"Say "hi"",1000,10,Pipeline,'
         b"false,false,2026-03-31,2026-01-05T09:00:00.000Z,2026-01-05T09:00:00.000Z,false\n",
         "line 5: a quoted value has text after its closing quote (a quote inside it that is not "
         "doubled?)"),
    ],
)
def test_a_failure_names_the_physical_line_after_a_multiline_value(landing, wh, tail, expected):
    _multiline_opportunity_file_with(landing, tail)
    assert _failing(landing, wh) == f"crm/2026-01-01/Opportunity.csv, {expected}"


def test_a_file_holding_only_a_byte_order_mark_is_empty(landing, wh):
    _with_good_user(landing)
    (drop_dir(landing, "crm", "2026-01-01") / "Opportunity.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    assert _failing(landing, wh) == "crm/2026-01-01/Opportunity.csv, line 1: file is empty: no header row"


def test_a_record_over_the_line_limit_fails_the_drop_and_one_under_loads(landing, wh):
    from salesops.ingest.read_errors import MAX_LINE_BYTES

    # 1 Mi characters of 3-byte UTF-8 (over DuckDB's default 2,000,000-byte line limit) load
    big = "\u8a18" * (1 << 20)
    write_csv(landing, "crm", "2026-01-01", "Opportunity.csv",
              [opportunity("006000000000001AAA", StageName=big)])
    load_landing(landing, wh)
    assert rows(wh, "select length(StageName) from raw.crm_opportunity") == [(1 << 20,)]
    # a record longer than the limit fails its drop, naming the line
    write_csv(landing, "crm", "2026-01-02", "Opportunity.csv",
              [opportunity("006000000000002AAA"),
               opportunity("006000000000003AAA", StageName="x" * MAX_LINE_BYTES)])
    report = load_landing(landing, wh)
    assert report.failures[0].message.startswith(
        "crm/2026-01-02/Opportunity.csv, line 3: a record of 16,777,")
    assert report.failures[0].message.endswith("bytes is longer than the 16,777,216-byte limit")


def test_an_id_in_its_15_and_18_character_forms_is_one_record(landing, wh):
    write_csv(landing, "crm", "2026-01-01", "Opportunity.csv", [
        opportunity("006000000000001AAA", Amount="1"), opportunity("006000000000001", Amount="2")])
    load_landing(landing, wh)
    assert rows(wh, "select count(*) from raw.crm_opportunity") == [(0,)]
    assert rows(wh, "select line, reason from raw.quarantine order by line") == [
        (2, "duplicate Id, SystemModstamp in this file (ambiguous)"),
        (3, "duplicate Id, SystemModstamp in this file (ambiguous)"),
    ]


def test_non_utf8_in_json_lines_names_the_line(landing, wh):
    d = drop_dir(landing, "lms", "2026-01-01")
    (d / "statements.jsonl").write_bytes(b'{"id": "a"}\n{"id": "b", "actor": "Ren\xe9e"}\n')
    report = load_landing(landing, wh, systems=("lms",))
    assert report.failures[0].message == (
        "lms/2026-01-01/statements.jsonl, line 2: not valid UTF-8 (byte 0xe9)")


def test_duplicate_header_column_fails_the_drop(landing, wh):
    _with_good_user(landing)
    header = [*opportunity("x"), "Amount"]
    write_csv(landing, "crm", "2026-01-01", "Opportunity.csv", [], header=header)
    msg = _failing(landing, wh)
    assert msg == "crm/2026-01-01/Opportunity.csv, line 1, column 'Amount': header has a duplicate column"


def test_bad_values_are_quarantined_with_file_line_and_reason(landing, wh):
    opps = [
        opportunity("006000000000001AAA"),
        opportunity("006000000000002AAA", CloseDate="2026-02-30"),
        opportunity("006000000000003AAA", Amount="-5"),
        opportunity("006000000000004AAA", Probability="150"),
        opportunity("006000000000005AAA", ForecastCategory="Commit"),
        opportunity("006000000000006AAA", IsWon="yes"),
        opportunity("006000000000007AAA", CreatedDate="yesterday"),
        opportunity(""),
        opportunity("006000000000009AAA", StageName="Closed\nLost", IsClosed="true"),
        opportunity("006000000000010AAA", Amount="abc"),
    ]
    write_csv(landing, "crm", "2026-01-01", "Opportunity.csv", opps)
    report = load_landing(landing, wh)
    fr = report.results[0].files[0]
    assert (fr.rows_read, fr.rows_loaded, fr.rows_quarantined) == (10, 2, 8)
    got = rows(wh, "select file, line, reason from raw.quarantine order by line")
    assert got == [
        ("crm/2026-01-01/Opportunity.csv", 3, "CloseDate is not a valid YYYY-MM-DD date: 2026-02-30"),
        ("crm/2026-01-01/Opportunity.csv", 4, "Amount is negative: -5"),
        ("crm/2026-01-01/Opportunity.csv", 5, "Probability is outside 0-100: 150"),
        ("crm/2026-01-01/Opportunity.csv", 6,
         "ForecastCategory is not one of Pipeline, BestCase, Forecast, Omitted, Closed: Commit"),
        ("crm/2026-01-01/Opportunity.csv", 7, "IsWon is not true/false: yes"),
        ("crm/2026-01-01/Opportunity.csv", 8, "CreatedDate is not an ISO 8601 datetime: yesterday"),
        ("crm/2026-01-01/Opportunity.csv", 9, "Id is empty"),
        # line 10 holds a value with an embedded newline (loaded): the next row is on line 12
        ("crm/2026-01-01/Opportunity.csv", 12, "Amount is not a number: abc"),
    ]
    assert rows(wh, "select Id, _line, StageName from raw.crm_opportunity order by Id") == [
        ("006000000000001AAA", 2, "Prospecting"), ("006000000000009AAA", 10, "Closed\nLost")]


def test_same_id_and_modstamp_twice_in_a_file_quarantines_both(landing, wh):
    write_csv(landing, "crm", "2026-01-01", "Opportunity.csv", [
        opportunity("006000000000001AAA", Amount="1"),
        opportunity("006000000000001AAA", Amount="2"),
        opportunity("006000000000001AAA", Amount="3", SystemModstamp="2026-01-06T09:00:00.000Z"),
    ])
    load_landing(landing, wh)
    assert rows(wh, "select Amount from raw.crm_opportunity") == [(3.0,)]
    assert rows(wh, "select line, reason from raw.quarantine order by line") == [
        (2, "duplicate Id, SystemModstamp in this file (ambiguous)"),
        (3, "duplicate Id, SystemModstamp in this file (ambiguous)"),
    ]


def test_redelivered_drop_loads_once(landing, wh, tmp_path):
    write_csv(landing, "crm", "2026-01-01", "Opportunity.csv", [opportunity("006000000000001AAA")])
    first = load_landing(landing, wh)
    assert [r.status for r in first.results] == ["loaded"]
    # the same drop delivered again: copied over itself, byte for byte
    copy = tmp_path / "copy"
    shutil.copytree(landing / "crm" / "2026-01-01", copy)
    shutil.rmtree(landing / "crm" / "2026-01-01")
    shutil.copytree(copy, landing / "crm" / "2026-01-01")
    again = load_landing(landing, wh)
    assert [r.status for r in again.results] == ["skipped"] and again.warnings == []
    # delivered once more with different content: still not doubled, and the report says so
    write_csv(landing, "crm", "2026-01-01", "Opportunity.csv",
              [opportunity("006000000000001AAA"), opportunity("006000000000002AAA")])
    changed = load_landing(landing, wh)
    assert [r.status for r in changed.results] == ["skipped"]
    assert "delivered again with different content" in changed.warnings[0]
    assert rows(wh, "select count(*) from raw.crm_opportunity") == [(1,)]
    assert rows(wh, "select count(*) from raw.load_drops") == [(1,)]


def test_incomplete_drop_is_not_read_and_drops_load_in_date_order(landing, wh):
    write_csv(landing, "crm", "2026-01-02", "Opportunity.csv", [opportunity("006000000000002AAA")])
    write_csv(landing, "crm", "2026-01-01", "Opportunity.csv", [opportunity("006000000000001AAA")])
    write_csv(landing, "crm", "2026-01-03", "Opportunity.csv", [opportunity("006000000000003AAA")],
              complete=False)
    report = load_landing(landing, wh)
    assert [str(r.drop_date) for r in report.loaded] == ["2026-01-01", "2026-01-02"]
    assert report.pending == [(landing / "crm" / "2026-01-03").as_posix()]
    assert rows(wh, "select Id, cast(_drop_date as varchar) from raw.crm_opportunity order by 1") == [
        ("006000000000001AAA", "2026-01-01"), ("006000000000002AAA", "2026-01-02")]


def test_a_failed_drop_stops_the_later_drops_of_its_system(landing, wh):
    write_csv(landing, "crm", "2026-01-01", "Opportunity.csv", [opportunity("006000000000001AAA")])
    write_csv(landing, "crm", "2026-01-02", "Opportunity.csv", [], header=["Id"])
    write_csv(landing, "crm", "2026-01-03", "Opportunity.csv", [opportunity("006000000000003AAA")])
    report = load_landing(landing, wh)
    assert [(str(r.drop_date), r.status) for r in report.results] == [
        ("2026-01-01", "loaded"), ("2026-01-02", "failed")]
    assert rows(wh, "select count(*) from raw.crm_opportunity") == [(1,)]


def test_bom_and_crlf_are_accepted(landing, wh):
    text = csv_text(list(opportunity("x")), [list(opportunity("006000000000001AAA").values())],
                    newline="\r\n")
    (drop_dir(landing, "crm", "2026-01-01") / "Opportunity.csv").write_bytes(
        b"\xef\xbb\xbf" + text.encode())
    load_landing(landing, wh)
    assert rows(wh, "select Id, IsDeleted from raw.crm_opportunity") == [
        ("006000000000001AAA", False)]


WORKER = {
    "employee_id": "E1", "work_email": "Ada@Example.com", "full_name": "Ada Rep",
    "department": "Sales", "job_title": "AE", "job_level": "P2", "manager_employee_id": "E0",
    "region": "EMEA", "hire_date": "2024-01-01", "termination_date": "",
    "termination_type": "", "regrettable": "", "effective_date": "2024-01-01",
    "annual_salary": "90000",
}


def test_hr_columns_are_mapped_by_config(landing, wh):
    mapping = {"Employee ID": "employee_id", "Work Email": "work_email", "Sales Region": "region"}
    source = {k: v for k, v in WORKER.items()}
    header = [next((s for s, c in mapping.items() if c == k), k) for k in source]
    write_csv(landing, "hr", "2026-01-01", "workers.csv", [
        {h: source[mapping.get(h, h)] for h in header}], header=header)
    load_landing(landing, wh, systems=("hr",), hr_column_map=mapping)
    assert rows(wh, "select employee_id, work_email, region, hire_date is not null, annual_salary "
                    "from raw.hr_workers") == [("E1", "Ada@Example.com", "EMEA", True, 90000.0)]
    # without the mapping, the report's own names are missing columns of the contract
    landing2 = landing.parent / "landing2"
    shutil.copytree(landing, landing2)
    report = load_landing(landing2, wh.with_name("w2.duckdb"), systems=("hr",), hr_column_map={})
    assert report.failures[0].message == (
        "hr/2026-01-01/workers.csv, column 'employee_id': missing required column 'employee_id'")


def test_hr_bad_values_are_quarantined(landing, wh):
    write_csv(landing, "hr", "2026-01-01", "workers.csv", [
        WORKER, WORKER | {"employee_id": "E2", "termination_type": "fired"},
        WORKER | {"employee_id": "E3", "hire_date": "2024-13-01"}])
    load_landing(landing, wh, systems=("hr",), hr_column_map={})
    assert rows(wh, "select line, reason from raw.quarantine order by line") == [
        (3, "termination_type is not one of voluntary, involuntary: fired"),
        (4, "hire_date is not a valid YYYY-MM-DD date: 2024-13-01"),
    ]


STATEMENT = {
    "id": "6f1c1a52-8d0c-4b59-9d3e-2d2a3f6b7c01",
    "actor": {"mbox": "mailto:ada@example.com", "name": "Ada"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
    "object": {"id": "https://lms.example.com/courses/negotiation"},
    "result": {"completion": True, "success": True, "score": {"scaled": 0.9},
               "duration": "PT1H30M"},
    "timestamp": "2026-01-01T10:00:00.000Z",
}


def test_xapi_statements_load_and_bad_lines_are_quarantined(landing, wh):
    write_jsonl(landing, "2026-01-01", [
        STATEMENT,
        "{not json",
        STATEMENT | {"id": "6f1c1a52-8d0c-4b59-9d3e-2d2a3f6b7c03", "verb": {}},
        STATEMENT | {"id": "6f1c1a52-8d0c-4b59-9d3e-2d2a3f6b7c04",
                     "result": {"score": {"scaled": 1.5}}},
        STATEMENT | {"id": "6f1c1a52-8d0c-4b59-9d3e-2d2a3f6b7c05",
                     "result": {"duration": "P1DT2H3M4.5S"}},
        STATEMENT | {"id": "6f1c1a52-8d0c-4b59-9d3e-2d2a3f6b7c06", "result": {"completion": True}},
    ])
    load_landing(landing, wh, systems=("lms",))
    assert rows(wh, "select line, reason from raw.quarantine order by line") == [
        (2, "line is not valid JSON"),
        (3, "verb.id is empty"),
        (4, "result.score.scaled is outside -1..1: 1.5"),
    ]
    assert rows(wh, "select id, actor_mbox, verb_id, result_completion, result_score_scaled, "
                    "result_duration_seconds, cast(statement_timestamp as varchar), _line "
                    "from raw.lms_statements order by _line") == [
        ("6f1c1a52-8d0c-4b59-9d3e-2d2a3f6b7c01", "mailto:ada@example.com",
         "http://adlnet.gov/expapi/verbs/completed", True, 0.9, 5400.0, "2026-01-01 10:00:00", 1),
        ("6f1c1a52-8d0c-4b59-9d3e-2d2a3f6b7c05", "mailto:ada@example.com",
         "http://adlnet.gov/expapi/verbs/completed", None, None, 93784.5, "2026-01-01 10:00:00", 5),
        # no duration: unknown (NULL), not 0 seconds; training hours fall back to expected hours
        ("6f1c1a52-8d0c-4b59-9d3e-2d2a3f6b7c06", "mailto:ada@example.com",
         "http://adlnet.gov/expapi/verbs/completed", True, None, None, "2026-01-01 10:00:00", 6),
    ]


def test_the_duckdb_memory_limit_is_set_and_validated(tmp_path, monkeypatch):
    from salesops.ingest.loader import connect

    monkeypatch.setenv("SALESOPS_DUCKDB_MEMORY_LIMIT", "512MB")
    con = connect(tmp_path / "wh.duckdb")
    limit = con.execute("select current_setting('memory_limit')").fetchone()[0]
    con.close()
    assert limit in ("488.2 MiB", "512.0 MB"), limit  # DuckDB prints it in binary units
    monkeypatch.setenv("SALESOPS_DUCKDB_MEMORY_LIMIT", "lots")
    with pytest.raises(ValueError, match="SALESOPS_DUCKDB_MEMORY_LIMIT='lots'"):
        connect(tmp_path / "other.duckdb")
