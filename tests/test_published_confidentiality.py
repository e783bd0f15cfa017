"""Confidential source data never reaches what BI tools read: salaries, phone numbers, lead and
contact e-mails, companies and names stay in the warehouse (CONTRACT.md: annual_salary "may be
loaded, never published"). Scans every column of every published table and Parquet file of the
demo run, against the values of the landing files themselves.

Rep names are the published interface (METRICS.md: every mart has `rep_name`, `team` is the
manager's name), so HR full names of the sales organisation may appear; lead and contact names
may not.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
# The interface as the project documents it for its users (docs/metrics.md, in every clone).
INTERFACE_DOCS = (ROOT / "docs" / "metrics.md",)

# Columns that must not exist in a published table, whatever their content.
FORBIDDEN_COLUMN = re.compile(
    r"salary|compensation|(^|_)pay($|_)|phone|mobile|fax"
    r"|(^|_)(first|last|full|middle)_?name$|^(lead|contact|account)_?(e_?mail|name|company)"
    r"|^company(_name)?$|^e_?mail$"
)
ALLOWED_EMAIL_COLUMNS = {"rep_email"}  # the CRM User's e-mail: the grain of the interface
# Currency measures: a deal, a quota or a velocity may equal a salary by chance.
CURRENCY_COLUMN = re.compile(r"amount|bookings|forecast|quota|pipeline|velocity")
NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                 "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Not inside a word: a UUID (publish_log.run_id, '4b677e61-4680-486c-...') holds digit groups
# that would look like one.
PHONE = re.compile(r"(?<![\w-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])"
                   r"\d{3,4}[ .-]\d{3,4}(?![\w-])")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _rows(landing: Path, system: str, file_name: str) -> Iterator[dict[str, str]]:
    for path in sorted((landing / system).glob(f"*/{file_name}")):
        with open(path, newline="", encoding="utf-8-sig") as fh:
            yield from csv.DictReader(fh)


def _norm(value: str) -> str:
    return " ".join(value.split()).lower()


@dataclass
class Secrets:
    """What the landing files hold that must not be published."""

    lead_emails: set[str] = field(default_factory=set)
    companies: set[str] = field(default_factory=set)
    person_names: set[str] = field(default_factory=set)  # leads' and contacts', not reps'
    phones: set[str] = field(default_factory=set)  # digits only
    salaries: set[float] = field(default_factory=set)
    hr_names: set[str] = field(default_factory=set)
    user_emails: set[str] = field(default_factory=set)  # may be published (rep_email)


def read_secrets(landing: Path) -> Secrets:
    s = Secrets()
    rep_names = set()
    for row in _rows(landing, "crm", "User.csv"):
        s.user_emails.add(_norm(row.get("Email") or ""))
        rep_names.add(_norm(row.get("Name") or ""))
    for row in _rows(landing, "hr", "workers.csv"):
        rep_names.add(_norm(row.get("full_name") or ""))
        s.hr_names.add(_norm(row.get("full_name") or ""))
        for col, value in row.items():
            if col and "salary" in col.lower() and value:
                s.salaries.add(float(value))
    for file_name in ("Lead.csv", "Contact.csv"):
        for row in _rows(landing, "crm", file_name):
            if row.get("Email"):
                s.lead_emails.add(_norm(row["Email"]))
            if row.get("Company"):
                s.companies.add(_norm(row["Company"]))
            names = [row.get("Name"), " ".join(filter(None, (row.get("FirstName"),
                                                              row.get("LastName"))))]
            s.person_names |= {_norm(n) for n in names if n}
            for col, value in row.items():
                if col and ("phone" in col.lower() or col == "Fax") and value:
                    s.phones.add(re.sub(r"\D", "", value))
    s.person_names -= rep_names  # a lead may share a rep's name; the rep's is published
    s.user_emails.discard("")
    s.hr_names.discard("")
    return s


def rep_names_are_published() -> bool:
    doc = next(p for p in INTERFACE_DOCS if p.is_file())
    text = doc.read_text(encoding="utf-8")
    section = re.search(r"^## (Published interface|The published marts).*?(?=^## |\Z)", text,
                        re.M | re.S)
    return section is not None and "rep_name" in section.group(0)


def findings(con: duckdb.DuckDBPyConnection, relation: str, secrets: Secrets,
             *, names_allowed: bool) -> list[str]:
    """Everything confidential in one relation (a table or a read_parquet(...))."""
    cols = con.execute(f"describe select * from {relation}").fetchall()
    found = []
    for col, _type, *_ in cols:
        name = col.lower()
        if FORBIDDEN_COLUMN.search(name) or ("mail" in name and name not in
                                             ALLOWED_EMAIL_COLUMNS):
            found.append(f"{relation}: confidential column {col!r}")
    person_grain = any(c[0].lower() == "rep_email" for c in cols)
    for col, col_type, *_ in cols:
        q = '"' + col.replace('"', '""') + '"'
        if col_type == "VARCHAR":
            values = {str(v) for (v,) in con.execute(
                f"select distinct {q} from {relation} where {q} is not null").fetchall()}
            for value in values:
                found += [f"{relation}.{col}: {what} {value!r}"
                          for what in _text_findings(value, secrets, names_allowed)]
        elif person_grain and col_type.startswith(NUMERIC_TYPES) and not CURRENCY_COLUMN.search(
                col.lower()):
            hits = con.execute(
                f"select distinct cast({q} as double) from {relation} "
                f"where list_contains(?, cast({q} as double))", [sorted(secrets.salaries)]
            ).fetchall()
            found += [f"{relation}.{col}: a salary value {v}" for (v,) in hits]
    return found


def _text_findings(value: str, s: Secrets, names_allowed: bool) -> Iterator[str]:
    v = _norm(value)
    if v in s.companies:
        yield "a lead's company"
    if v in s.person_names:
        yield "a lead's or contact's name"
    if not names_allowed and v in s.hr_names:
        yield "an HR worker's name"
    for email in EMAIL.findall(v):
        if email in s.lead_emails:
            yield "a lead's e-mail"
        elif email not in s.user_emails:
            yield "an e-mail that is not a CRM user's"
    if PHONE.search(value) or (re.sub(r"\D", "", value) in s.phones and s.phones - {""}):
        yield "a phone number"
    for number in NUMBER.findall(value):
        if float(number.replace(",", "")) in s.salaries:
            yield "a salary"


def published_relations(publish_dir: Path) -> Iterator[str]:
    """Every table of the published database (attached as pub) and every current Parquet file."""
    yield from (f"pub.main.{t}" for t in _tables(publish_dir))
    for path in sorted((publish_dir / "parquet").glob("*.parquet")):
        yield f"read_parquet('{path}')"


def _tables(publish_dir: Path) -> list[str]:
    con = duckdb.connect(str(publish_dir / "salesops.duckdb"), read_only=True)
    try:
        return [r[0] for r in con.execute(
            "select table_name from information_schema.tables order by 1").fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="module")
def secrets(demo_run) -> Secrets:
    s = read_secrets(demo_run.landing_dir)
    # the scan is only meaningful if the landing files hold what it looks for
    assert s.lead_emails and s.companies and s.person_names and s.salaries and s.user_emails
    return s


def test_the_scanner_finds_a_planted_leak(secrets):
    """The checks below can fail: a table holding one of each finding is reported in full."""
    email, company, name = (sorted(x)[0] for x in (secrets.lead_emails, secrets.companies,
                                                    secrets.person_names))
    salary = sorted(secrets.salaries)[0]
    con = duckdb.connect()
    con.execute("""create table leak as select 'a@example.com' as rep_email, ? as note,
        ? as account, ? as lead_label, ? as won_count, 'call +1 (415) 555-0100' as memo,
        ? as phone, cast(? as varchar) as pay_text""",
                [f"owner: {email}", company.upper(), name.title(), int(salary), "x",
                 f"{salary:,.0f}"])
    found = findings(con, "leak", secrets, names_allowed=True)
    for expected in ("confidential column 'phone'", "a lead's e-mail", "a lead's company",
                     "a lead's or contact's name", "won_count: a salary value", "a phone number",
                     "pay_text: a salary"):
        assert any(expected in f for f in found), (expected, found)


def test_no_confidential_column_or_value_is_published(demo_run, secrets):
    names_allowed = rep_names_are_published()
    con = duckdb.connect()
    con.execute(f"attach '{demo_run.publish_dir / 'salesops.duckdb'}' as pub (read_only)")
    try:
        relations = list(published_relations(demo_run.publish_dir))
        assert sum(r.startswith("read_parquet") for r in relations) >= 50  # every mart
        found = []
        for relation in relations:
            found += findings(con, relation, secrets, names_allowed=names_allowed)
        person_grain = con.execute(
            "select count(distinct table_name) from information_schema.columns "
            "where table_catalog = 'pub' and column_name = 'rep_email'").fetchone()[0]
    finally:
        con.close()
    assert person_grain >= 10  # the salary check on numbers ran on the rep-grain marts
    assert not found, "\n".join(found[:50])


def test_rep_names_are_in_the_interface():
    """HR full names are allowed in the published marts only because the interface publishes
    rep names (rep_name; team is the manager's name). If that changes, so does the check."""
    assert rep_names_are_published()
