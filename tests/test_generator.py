"""Tests of the sample-data generator (salesops.generator): real files in tmp_path."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from salesops.contract import (
    FILES,
    FORECAST_CATEGORIES,
    SUCCESS_MARKER,
    SYSTEMS,
    XAPI_VERBS,
    FileSpec,
    spec_for,
)
from salesops.generator import PRESETS, generate

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
SF_ID = re.compile(r"^[0-9A-Za-z]{15}([0-9A-Za-z]{3})?$")
KEY_PREFIX = {
    "User.csv": "005", "UserRole.csv": "00E", "Account.csv": "001", "Lead.csv": "00Q",
    "Opportunity.csv": "006", "OpportunityHistory.csv": "008", "Task.csv": "00T",
    "Event.csv": "00U", "ForecastingQuota.csv": "0J9", "DatedConversionRate.csv": "04w",
}


# -- helpers ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("tiny")
    return out, generate("tiny", out, seed=42)


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def drops(root: Path, system: str) -> list[Path]:
    return sorted(p for p in (root / system).iterdir() if p.is_dir())


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def read_all(root: Path, system: str, file_name: str) -> list[tuple[str, dict[str, str]]]:
    """Rows of a file over all drops, oldest drop first, with the drop date."""
    out = []
    for d in drops(root, system):
        if (d / file_name).exists():
            out += [(d.name, row) for row in read_csv(d / file_name)[1]]
    return out


def latest(root: Path, file_name: str) -> dict[str, dict[str, str]]:
    """Latest version of each CRM record by Id over all drops."""
    best: dict[str, dict[str, str]] = {}
    for _, row in read_all(root, "crm", file_name):
        cur = best.get(row["Id"])
        if cur is None or row["SystemModstamp"] >= cur["SystemModstamp"]:
            best[row["Id"]] = row
    return best


def valid_value(ftype: str, value: str, values: tuple[str, ...] = ()) -> bool:
    if ftype in ("string",):
        return True
    if ftype in ("id", "ref"):
        return bool(SF_ID.match(value)) if ftype == "id" else (value == "" or bool(
            SF_ID.match(value)))
    if ftype == "bool":
        return value.lower() in ("true", "false")
    if ftype == "datetime":
        if not DATETIME.match(value):
            return False
        dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")
        return True
    if ftype == "date":
        try:
            dt.date.fromisoformat(value)
            return len(value) == 10
        except ValueError:
            return False
    if ftype == "enum":
        return value in values
    if ftype == "email":
        return "@" in value.strip() and " " not in value.strip()
    if ftype == "uuid":
        return str(uuid.UUID(value)) == value.lower()
    if ftype == "mbox":
        return value.startswith("mailto:") and "@" in value
    if ftype == "duration":
        return re.fullmatch(r"PT(\d+H)?(\d+M)?(\d+S)?", value) is not None and value != "PT"
    number = float(value)
    return {
        "amount": number >= 0, "percent": 0 <= number <= 100, "number": True,
        "positive": number > 0, "scaled": -1 <= number <= 1, "integer": number >= 0 and number == int(number)
        and re.fullmatch(r"\d+", value) is not None,
    }[ftype]


def check_csv(path: Path, spec: FileSpec) -> int:
    header, rows = read_csv(path)
    missing = [c for c in spec.required_columns if c not in header]
    assert not missing, f"{path}: missing {missing}"
    assert len(set(header)) == len(header), f"{path}: duplicate columns"
    seen = Counter()
    for i, row in enumerate(rows, start=2):
        for f in spec.fields:
            if f.name not in row:
                continue
            v = row[f.name]
            if v == "":
                assert not f.not_null, f"{path}:{i}: {f.name} empty"
                continue
            assert valid_value(f.type, v, f.values), f"{path}:{i}: {f.name}={v!r} ({f.type})"
        if spec.unique_key:
            seen[tuple(row[c] for c in spec.unique_key)] += 1
    dup = [k for k, n in seen.items() if n > 1]
    assert not dup, f"{path}: rows with the same {spec.unique_key}: {dup[:3]}"
    return len(rows)


def statement_field(st: dict, path: str):
    cur = st
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


# -- determinism -----------------------------------------------------------------------------------
def test_same_seed_gives_identical_bytes(tiny, tmp_path):
    root, _ = tiny
    again = tmp_path / "again"
    generate("tiny", again, seed=42)
    a, b = files_of(root), files_of(again)
    assert a.keys() == b.keys()
    differing = [k for k in a if a[k] != b[k]]
    assert not differing, differing[:5]


def test_other_seed_gives_other_data(tiny, tmp_path):
    root, _ = tiny
    other = tmp_path / "other"
    generate("tiny", other, seed=7)
    a, b = files_of(root), files_of(other)
    common = sorted(set(a) & set(b))
    digest = [k for k in common if k.endswith((".csv", ".jsonl"))
              and hashlib.sha256(a[k]).digest() != hashlib.sha256(b[k]).digest()]
    assert any("Opportunity.csv" in k for k in digest)
    assert any("statements.jsonl" in k for k in digest)
    assert any("workers.csv" in k for k in digest)


def test_unknown_preset_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="unknown preset"):
        generate("huge", tmp_path)


# -- layout ----------------------------------------------------------------------------------------
def test_layout_and_summary(tiny):
    root, summary = tiny
    dates = summary["drop_dates"]
    assert dates == sorted(dates) and len(dates) == PRESETS["tiny"].deltas + 1
    for a, b in zip(dates, dates[1:], strict=False):
        assert dt.date.fromisoformat(b) - dt.date.fromisoformat(a) == dt.timedelta(days=1)
    assert dates[-1] == PRESETS["tiny"].last_drop.isoformat()
    for system in SYSTEMS:
        assert [d.name for d in drops(root, system)] == dates
        for d in drops(root, system):
            marker = d / SUCCESS_MARKER
            assert marker.exists() and marker.stat().st_size == 0
            for f in d.iterdir():
                assert f.name == SUCCESS_MARKER or spec_for(system, f.name) is not None, f
    first = {system: {p.name for p in drops(root, system)[0].iterdir()} for system in SYSTEMS}
    for spec in FILES:
        assert spec.file_name in first[spec.system], f"first drop lacks {spec.file_name}"
    # the summary counts what is on disk
    for name, n in summary["rows"].items():
        system, file_name = name.split("/")
        if file_name.endswith(".csv"):
            assert sum(len(read_csv(d / file_name)[1]) for d in drops(root, system)
                       if (d / file_name).exists()) == n


def test_deltas_hold_only_changed_records(tiny):
    root, summary = tiny
    crm = drops(root, "crm")
    first_users = {r["Id"] for r in read_csv(crm[0] / "User.csv")[1]}
    assert len(first_users) == summary["crm_users"]
    # UserRole never changes: it is only in the full export
    assert not any((d / "UserRole.csv").exists() for d in crm[1:])
    # a delta's rows are stamped within its window, the first drop's before its cutoff
    for i, d in enumerate(crm):
        hi = d.name
        lo = crm[i - 1].name if i else "0000"
        for name in ("Opportunity.csv", "Lead.csv", "Task.csv", "Event.csv", "Account.csv"):
            if (d / name).exists():
                for row in read_csv(d / name)[1]:
                    assert lo <= row["SystemModstamp"][:10] < hi, (d.name, name, row["Id"])
    # HR: a full snapshot every time, growing
    sizes = [len(read_csv(d / "workers.csv")[1]) for d in drops(root, "hr")]
    assert sizes == sorted(sizes) and sizes[0] > 10


# -- contract types and domains ----------------------------------------------------------------------
def test_every_file_matches_the_contract(tiny):
    root, _ = tiny
    checked = Counter()
    for spec in FILES:
        for d in drops(root, spec.system):
            path = d / spec.file_name
            if not path.exists():
                continue
            if spec.format == "jsonl":
                lines = path.read_text(encoding="utf-8").splitlines()
                ids = [json.loads(line)["id"] for line in lines]
                assert len(ids) == len(set(ids)), f"{path}: same id twice in one file"
                for line in lines:
                    st = json.loads(line)
                    for f in spec.fields:
                        v = statement_field(st, f.name)
                        if v is None:
                            assert not f.not_null, f"{path}: {f.name} missing"
                            continue
                        if f.type == "bool":
                            assert isinstance(v, bool), (path, f.name, v)
                        elif f.type in ("number", "scaled"):
                            assert isinstance(v, int | float), (path, f.name, v)
                            assert valid_value(f.type, str(v)), (path, f.name, v)
                        else:
                            assert valid_value(f.type, v, f.values), (path, f.name, v)
                checked[spec.file_name] += len(lines)
            else:
                checked[spec.file_name] += check_csv(path, spec)
    assert all(checked[s.file_name] > 0 for s in FILES), checked


def test_ids_have_their_key_prefix_and_checksum(tiny):
    root, _ = tiny
    for name, prefix in KEY_PREFIX.items():
        rows = read_all(root, "crm", name)
        assert rows
        for _, row in rows:
            rid = row["Id"]
            assert len(rid) == 18 and rid.startswith(prefix), rid
            suffix = ""
            for block in range(3):
                bits = sum(1 << i for i, c in enumerate(rid[block * 5 : block * 5 + 5])
                           if c.isupper())
                suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits]
            assert rid[15:] == suffix


def test_references_are_consistent(tiny):
    root, _ = tiny
    users = latest(root, "User.csv")
    accounts = latest(root, "Account.csv")
    opps = latest(root, "Opportunity.csv")
    leads = latest(root, "Lead.csv")
    for o in opps.values():
        assert o["OwnerId"] in users and o["AccountId"] in accounts
        if o["IsClosed"] == "true":
            assert o["CloseDate"] >= o["CreatedDate"][:10], o["Id"]
    for _, h in read_all(root, "crm", "OpportunityHistory.csv"):
        assert h["OpportunityId"] in opps
    for lead in leads.values():
        assert lead["OwnerId"] in users
        if lead["IsConverted"] == "true":
            assert lead["ConvertedOpportunityId"] in opps
            assert lead["ConvertedAccountId"] in accounts
            assert lead["Status"] == "Closed - Converted" and lead["ConvertedDate"]
    for u in users.values():
        assert u["ManagerId"] == "" or u["ManagerId"] in users
    for name in ("Task.csv", "Event.csv"):
        for _, t in read_all(root, "crm", name):
            assert t["OwnerId"] in users
            assert t["WhoId"] == "" or t["WhoId"][:3] in ("00Q", "003")
            assert t["WhatId"] == "" or t["WhatId"][:3] in ("006", "001")
            if t["WhoId"].startswith("00Q"):
                assert t["WhoId"] in leads and t["WhatId"] == ""
            if t["WhatId"].startswith("006"):
                assert t["WhatId"] in opps
    for _, q in read_all(root, "crm", "ForecastingQuota.csv"):
        assert q["QuotaOwnerId"] in users and q["StartDate"].endswith("-01")
    for _, lh in read_all(root, "crm", "LoginHistory.csv"):
        assert lh["UserId"] in users


# -- the features the marts need -------------------------------------------------------------------
def test_currencies_and_rates(tiny):
    root, _ = tiny
    opps = latest(root, "Opportunity.csv")
    assert {o["CurrencyIsoCode"] for o in opps.values()} == {"USD", "EUR"}
    quotas = {q["CurrencyIsoCode"] for _, q in read_all(root, "crm", "ForecastingQuota.csv")}
    assert quotas == {"USD", "EUR"}
    rates: dict[tuple[str, str], dict] = {}
    for _, r in read_all(root, "crm", "DatedConversionRate.csv"):
        rates[(r["IsoCode"], r["StartDate"])] = r  # later drops win
    for iso in ("USD", "EUR"):
        rows = sorted((r for (i, _), r in rates.items() if i == iso),
                      key=lambda r: r["StartDate"])
        assert len(rows) > 3
        for a, b in zip(rows, rows[1:], strict=False):
            assert a["NextStartDate"] == b["StartDate"]  # contiguous
        assert rows[-1]["NextStartDate"] == "9999-12-31"
        values = {float(r["ConversionRate"]) for r in rows}
        assert values == {1.0} if iso == "USD" else (len(values) > 3 and max(values) < 1.1)


def test_opportunity_lifecycle_cases(tiny):
    root, _ = tiny
    by_drop: dict[str, dict[str, dict]] = defaultdict(dict)
    for drop, row in read_all(root, "crm", "Opportunity.csv"):
        by_drop[row["Id"]][drop] = row
    reopened = [i for i, v in by_drop.items()
                if any(r["IsClosed"] == "true" and any(
                    later > d and v[later]["IsClosed"] == "false" for later in v)
                    for d, r in v.items())]
    assert reopened, "no opportunity closed in one drop and reopened in a later one"
    opps = latest(root, "Opportunity.csv")
    deleted = [o for o in opps.values() if o["IsDeleted"] == "true"]
    assert deleted
    first = drops(root, "crm")[0].name
    assert any(first in by_drop[o["Id"]] and by_drop[o["Id"]][first]["IsDeleted"] == "false"
               for o in deleted), "no opportunity deleted in a delta"
    live = [o for o in opps.values() if o["IsDeleted"] == "false"]
    assert any(o["ForecastCategory"] == "Omitted" and o["IsClosed"] == "false" for o in live)
    assert {o["ForecastCategory"] for o in live} <= set(FORECAST_CATEGORIES)
    assert {"Closed Won", "Closed Lost"} <= {o["StageName"] for o in live}
    assert any(o["Amount"] == "" for o in live) and any(o["NextStep"] == "" for o in live)
    assert any("," in o["Name"] or '"' in o["Name"] for o in opps.values()) or any(
        "," in a["Name"] for a in latest(root, "Account.csv").values())
    for o in live:
        won, closed = o["IsWon"] == "true", o["IsClosed"] == "true"
        assert not won or closed
        assert (o["StageName"] == "Closed Won") == won
        if closed:
            assert o["ForecastCategory"] in ("Closed", "Omitted")
            assert o["Probability"] == ("100" if won else "0")
    # every stage change is in the history
    hist = defaultdict(set)
    for _, h in read_all(root, "crm", "OpportunityHistory.csv"):
        hist[h["OpportunityId"]].add(h["StageName"])
    for o in live:
        assert o["StageName"] in hist[o["Id"]]


def test_leads_and_activities(tiny):
    root, _ = tiny
    leads = latest(root, "Lead.csv")
    statuses = Counter(lead["Status"] for lead in leads.values())
    assert {"Open - Not Contacted", "Working - Contacted", "Closed - Converted",
            "Closed - Not Converted"} <= set(statuses)
    tasks = latest(root, "Task.csv")
    subtypes = Counter(t["TaskSubtype"] for t in tasks.values())
    assert set(subtypes) == {"Call", "Email", "Task", "ListEmail", "Cadence"}
    for t in tasks.values():
        assert (t["Status"] == "Completed") == (t["CompletedDateTime"] != "")
        if t["CallDurationInSeconds"]:
            assert t["TaskSubtype"] == "Call"
    assert any(t["Status"] == "Not Started" for t in tasks.values())
    touched = {t["WhoId"] for t in tasks.values() if t["WhoId"].startswith("00Q")}
    assert touched and len(touched) < len(leads)  # some leads are never touched
    events = latest(root, "Event.csv")
    for e in events.values():
        start = dt.datetime.strptime(e["StartDateTime"], "%Y-%m-%dT%H:%M:%S.%fZ")
        end = dt.datetime.strptime(e["EndDateTime"], "%Y-%m-%dT%H:%M:%S.%fZ")
        assert (end - start).total_seconds() == int(e["DurationInMinutes"]) * 60
    logins = Counter(r["Status"] for _, r in read_all(root, "crm", "LoginHistory.csv"))
    assert logins["Success"] > 10 * (sum(logins.values()) - logins["Success"]) > 0


def test_users_and_hr_join(tiny):
    root, _ = tiny
    users = latest(root, "User.csv")
    last_hr = drops(root, "hr")[-1] / "workers.csv"
    header, workers = read_csv(last_hr)
    assert header == [f.name for f in spec_for("hr", "workers.csv").fields]
    hr_emails = {w["work_email"].strip().lower() for w in workers}
    crm_emails = {u["Email"]: u for u in users.values()}
    unmatched = [e for e in crm_emails if e.strip().lower() not in hr_emails]
    assert len(unmatched) == 2  # the integration user and the admin
    assert any(e != e.lower() for e in crm_emails)  # case differs from HR
    assert any(w["work_email"] != w["work_email"].strip() for w in workers)  # stray whitespace


def test_hr_history_cases(tiny):
    root, _ = tiny
    _, rows = read_csv(drops(root, "hr")[-1] / "workers.csv")
    by_emp = defaultdict(list)
    for r in rows:
        by_emp[r["employee_id"]].append(r)
    rehired = [e for e, rs in by_emp.items() if len({r["hire_date"] for r in rs}) > 1]
    assert rehired
    for e in rehired:
        rs = by_emp[e]
        term = min(r["termination_date"] for r in rs if r["termination_date"])
        assert max(r["hire_date"] for r in rs) > term
    moved = [e for e, rs in by_emp.items()
             if len({(r["manager_employee_id"], r["region"]) for r in rs
                     if r["job_title"].endswith("Account Executive")}) > 1]
    assert moved
    terms = [r for r in rows if r["termination_date"]]
    assert {r["termination_type"] for r in terms} == {"voluntary", "involuntary"}
    assert {r["regrettable"] for r in terms} == {"true", "false"}
    for r in rows:
        assert r["effective_date"] >= r["hire_date"]
        if r["termination_date"]:
            assert r["effective_date"] == r["termination_date"]
    top = [r for r in rows if r["manager_employee_id"] == ""]
    assert top and {r["job_title"] for r in top} == {"VP Sales"}


def test_lms_statements(tiny):
    root, _ = tiny
    seen: dict[str, list[str]] = defaultdict(list)
    statements = {}
    for d in drops(root, "lms"):
        path = d / "statements.jsonl"
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                st = json.loads(line)
                seen[st["id"]].append(d.name)
                statements[st["id"]] = st
    assert any(len(v) > 1 for v in seen.values()), "no statement delivered twice"
    voided = [s for s in statements.values() if s["verb"]["id"] == XAPI_VERBS["voided"]]
    assert voided
    for v in voided:
        assert v["object"]["objectType"] == "StatementRef" and v["object"]["id"] in statements
    verbs = {s["verb"]["id"].rsplit("/", 1)[1] for s in statements.values()}
    assert {"registered", "attempted", "completed", "passed", "failed", "voided"} <= verbs
    _, courses = read_csv(drops(root, "lms")[-1] / "courses.csv")
    iris = {c["course_id"] for c in courses}
    assert {c["category"] for c in courses} == {"product", "sales_skills", "compliance",
                                                 "onboarding"}
    for s in statements.values():
        assert s["actor"]["mbox"].startswith("mailto:")
        if s["verb"]["id"] != XAPI_VERBS["voided"]:
            assert s["object"]["id"] in iris
        dur = statement_field(s, "result.duration")
        if dur is not None:
            assert re.fullmatch(r"PT(\d+H)?(\d+M)?", dur) and dur != "PT"
    _, assignments = read_csv(drops(root, "lms")[-1] / "assignments.csv")
    assert assignments and all(a["due_date"] > a["assigned_date"] for a in assignments)


# -- the demo preset ---------------------------------------------------------------------------------
def test_demo_preset_shape(tmp_path):
    start = time.perf_counter()
    summary = generate("demo", tmp_path, seed=42)
    elapsed = time.perf_counter() - start
    assert elapsed < 30, f"demo took {elapsed:.1f}s"
    assert summary["first_drop"] == "2026-10-17" and summary["last_drop"] == "2026-10-31"
    assert len(summary["drop_dates"]) == 15
    assert 40 <= summary["reps_at_last_drop"] <= 60
    rows = summary["rows"]
    assert rows["crm/Task.csv"] + rows["crm/Event.csv"] > 50_000
    assert rows["crm/Opportunity.csv"] > 2_000 and rows["crm/Lead.csv"] > 5_000
    opps = latest(tmp_path, "Opportunity.csv")
    created = sorted(o["CreatedDate"][:7] for o in opps.values())
    assert created[0] <= "2025-10" and created[-1] == "2026-10"  # a year of history
    # reps differ: win rates spread out
    won, closed = Counter(), Counter()
    for o in opps.values():
        if o["IsClosed"] == "true" and o["IsDeleted"] == "false":
            closed[o["OwnerId"]] += 1
            won[o["OwnerId"]] += o["IsWon"] == "true"
    rates = sorted(won[k] / n for k, n in closed.items() if n >= 20)
    assert len(rates) > 20 and rates[-1] - rates[0] > 0.2
    # more wins in the last two weeks of a quarter than in its first two weeks
    late = early = 0
    for o in opps.values():
        if o["IsWon"] == "true":
            d = dt.date.fromisoformat(o["CloseDate"])
            q_month = (d.month - 1) // 3 * 3 + 1
            q_start = dt.date(d.year, q_month, 1)
            nxt = dt.date(d.year + 1, 1, 1) if q_month == 10 else dt.date(d.year, q_month + 3, 1)
            late += (nxt - d).days <= 14
            early += (d - q_start).days < 14
    assert late > 1.5 * early


def test_ingestion_loads_everything_and_quarantines_nothing(tiny, tmp_path):
    """The generated drops go through the real loader: every row loaded, none quarantined."""
    duckdb = pytest.importorskip("duckdb")
    loader = pytest.importorskip("salesops.ingest.loader")
    root, summary = tiny
    report = loader.load_landing(root, tmp_path / "warehouse.duckdb")
    assert not report.failures
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        quarantined = con.execute("select count(*) from raw.quarantine").fetchone()[0]
        loaded = con.execute("select sum(rows_loaded) from raw.load_drops").fetchone()[0]
    finally:
        con.close()
    assert quarantined == 0
    csv_rows = sum(n for name, n in summary["rows"].items() if name.endswith(".csv"))
    assert loaded >= csv_rows
