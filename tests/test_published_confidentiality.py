"""Confidential source data never reaches what BI tools read: salaries, lead e-mails and
companies stay in the warehouse. Scans every published table and Parquet file."""

from __future__ import annotations

import csv

import duckdb


def _landing_values(landing, system: str, file_name: str, column: str) -> set[str]:
    values: set[str] = set()
    for path in sorted((landing / system).glob(f"*/{file_name}")):
        with open(path, newline="", encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                if row.get(column):
                    values.add(row[column].strip().lower())
    return values


def _published_text(con: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    cols = [r[0] for r in con.execute(f"describe select * from {relation}").fetchall()
            if r[1] == "VARCHAR"]
    found: set[str] = set()
    for col in cols:
        found |= {str(v).strip().lower() for (v,) in con.execute(
            f'select distinct "{col}" from {relation} where "{col}" is not null').fetchall()}
    return found


def test_no_confidential_column_or_value_is_published(demo_run):
    db = demo_run.publish_dir / "salesops.duckdb"
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables").fetchall()]
        columns = {r[0].lower() for r in con.execute(
            "select column_name from information_schema.columns").fetchall()}
        assert not [c for c in columns if "salary" in c or "phone" in c]
        lead_emails = _landing_values(demo_run.landing_dir, "crm", "Lead.csv", "Email")
        companies = _landing_values(demo_run.landing_dir, "crm", "Lead.csv", "Company")
        assert lead_emails and companies
        published = set()
        for table in tables:
            published |= _published_text(con, table)
        parquet_dir = demo_run.publish_dir / "parquet"
        for path in sorted(parquet_dir.glob("*.parquet")):
            published |= _published_text(con, f"read_parquet('{path}')")
    finally:
        con.close()
    assert not published & lead_emails
    assert not published & companies
