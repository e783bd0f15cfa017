"""Progress lines of ingestion: per drop (n/N, files, rows, quarantined, seconds, rows/s) and a
closing line per system, as a user watching a run reads them."""

from __future__ import annotations

import re

from landing_kit import opportunity, write_csv

from salesops.ingest.loader import connect, load_system

USER = {
    "Id": "005000000000001AAA", "Name": "Ada Rep", "Email": "ada@example.com", "IsActive": "true",
    "ManagerId": "", "CreatedDate": "2025-01-01T00:00:00.000Z",
    "SystemModstamp": "2025-01-01T00:00:00.000Z",
}
SECONDS = r"\d+\.\d s"
RATE = r"\((?:[\d,]+|-) rows/s\)"


def test_load_system_logs_each_drop_and_a_closing_line(tmp_path):
    landing = tmp_path / "landing"
    write_csv(landing, "crm", "2026-01-01", "User.csv", [USER])
    write_csv(landing, "crm", "2026-01-01", "Opportunity.csv",
              [opportunity("006000000000001AAA"), opportunity("006000000000002AAA", Amount="-5")])
    write_csv(landing, "crm", "2026-01-02", "Opportunity.csv", [opportunity("006000000000003AAA")])
    write_csv(landing, "crm", "2026-01-03", "Opportunity.csv", [], header=["Id"])  # fails
    con = connect(tmp_path / "warehouse.duckdb")
    try:
        lines: list[str] = []
        load_system(con, landing, "crm", log=lines.append)
        again: list[str] = []
        load_system(con, landing, "crm", log=again.append)
    finally:
        con.close()

    text = "\n".join(lines)
    assert re.search(
        rf"^drop 1/3 crm/2026-01-01: 2 files, 2 rows loaded, 1 quarantined in {SECONDS} {RATE}$",
        text, re.M), text
    assert re.search(
        rf"^drop 2/3 crm/2026-01-02: 1 files, 1 rows loaded, 0 quarantined in {SECONDS} {RATE}$",
        text, re.M), text
    assert not re.search(r"^drop 3/3", text, re.M)  # the failed drop has its FAILED line
    assert any(line.startswith("crm/2026-01-03: FAILED: ") for line in lines)
    # the per-file lines are still there, before their drop's line
    file_line = lines.index(next(x for x in lines if x.startswith("crm/2026-01-02/Opportunity.csv")))
    drop_line = lines.index(next(x for x in lines if x.startswith("drop 2/3 ")))
    assert file_line < drop_line
    assert re.fullmatch(
        rf"crm: 2/3 drop\(s\) loaded, 3 files, 3 rows loaded, 1 quarantined in {SECONDS} {RATE}"
        r"; stopped at the failed drop crm/2026-01-03, nothing of it loaded", lines[-1]), lines[-1]
    # A second pass: the loaded drops are skipped, the failed one is tried (and fails) again.
    assert again[-1].startswith("crm: 0/1 drop(s) loaded, 0 files, 0 rows loaded"), again


def test_a_system_with_nothing_new_says_so(tmp_path):
    landing = tmp_path / "landing"
    write_csv(landing, "crm", "2026-01-01", "Opportunity.csv", [opportunity("006000000000001AAA")])
    write_csv(landing, "crm", "2026-01-02", "Opportunity.csv", [], complete=False)
    con = connect(tmp_path / "warehouse.duckdb")
    try:
        load_system(con, landing, "crm")
        lines: list[str] = []
        load_system(con, landing, "crm", log=lines.append)
    finally:
        con.close()
    assert lines[-1] == "crm: no new complete drop to load (1 already loaded, 1 without _SUCCESS)"
