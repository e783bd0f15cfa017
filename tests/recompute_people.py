"""Training and retention KPIs recomputed in plain Python straight from the landing files.

Deliberately independent of the pipeline: no DuckDB, no dbt, no salesops code; only the csv and
json modules and the rules of CONTRACT.md and METRICS.md (sections 1 and 2). A training rep is
a learner whose e-mail is a CRM User's (METRICS: rep_email is the CRM User's e-mail); other
learners count nowhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import defaultdict
from pathlib import Path

from recompute import _drops, latest_by_id

VERBS = "http://adlnet.gov/expapi/verbs/"
_DURATION = re.compile(
    r"^P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$")


def duration_seconds(text: str | None) -> float | None:
    """Seconds of an ISO 8601 duration as xAPI writes it (PT1H30M, PT45S, P1D...)."""
    if not text:
        return None
    m = _DURATION.match(text.strip())
    if not m:
        return None
    parts = {k: float(v) if v else 0.0 for k, v in m.groupdict().items()}
    return (parts["w"] * 7 * 86400 + parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60
            + parts["s"])


def _utc_date(timestamp: str) -> dt.date:
    t = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC)
    return t.date()


def _email(text: str | None) -> str | None:
    value = (text or "").strip().lower().replace("mailto:", "").strip()
    return value or None


# -- LMS -------------------------------------------------------------------------------------------
def learning_statements(landing: Path) -> list[dict]:
    """Distinct (first delivery wins), non-voided statements of every complete LMS drop."""
    seen: dict[str, dict] = {}
    for drop in _drops(landing, "lms"):
        path = drop / "statements.jsonl"
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8-sig").splitlines():
            if not line.strip():
                continue
            st = json.loads(line)
            sid = st["id"].strip().lower()
            seen.setdefault(sid, st)
    voided = {st["object"]["id"].strip().lower() for st in seen.values()
              if st["verb"]["id"] == VERBS + "voided"}
    return [st for sid, st in seen.items()
            if sid not in voided and st["verb"]["id"] != VERBS + "voided"]


def expected_hours(landing: Path) -> dict[str, float]:
    """Catalog expected_hours per course: the latest drop's row, then the later line."""
    out: dict[str, float] = {}
    for drop in _drops(landing, "lms"):
        path = drop / "courses.csv"
        if path.exists():
            with open(path, newline="", encoding="utf-8-sig") as fh:
                for row in csv.DictReader(fh):
                    if row.get("expected_hours"):
                        out[row["course_id"].strip()] = float(row["expected_hours"])
    return out


def crm_user_emails(landing: Path) -> set[str]:
    """The e-mails of the CRM Users (latest version of each User), lower-cased and trimmed."""
    return {e for u in latest_by_id(landing, "User.csv").values()
            if (e := _email(u.get("Email")))}


def training_by_rep_month(landing: Path) -> dict[tuple[dt.date, str], dict]:
    """training_hours and courses_completed per (month, rep_email) from completed / passed,
    reps (CRM User e-mails) only."""
    reps = crm_user_emails(landing)
    hours_of_course = expected_hours(landing)
    hours: dict[tuple, float] = defaultdict(float)
    courses: dict[tuple, set] = defaultdict(set)
    for st in learning_statements(landing):
        verb = st["verb"]["id"]
        if verb not in (VERBS + "completed", VERBS + "passed"):
            continue
        day = _utc_date(st["timestamp"])
        key = (day.replace(day=1), _email(st["actor"].get("mbox")))
        if key[1] not in reps:
            continue
        course = st["object"]["id"].strip()
        seconds = duration_seconds((st.get("result") or {}).get("duration"))
        h = seconds / 3600 if seconds is not None else hours_of_course.get(course)
        hours[key] += h or 0.0
        courses[key].add(course)
    return {k: {"training_hours": hours[k], "courses_completed": len(courses[k])} for k in hours}


def as_of_date(landing: Path) -> dt.date:
    """"Now": the newest complete drop of any system."""
    return max(dt.date.fromisoformat(d.name) for system in ("crm", "hr", "lms")
               for d in _drops(landing, system))


def assignments_by_rep_month(landing: Path) -> dict[tuple[dt.date, str], dict]:
    """assignments_due / _completed_on_time / overdue_assignments per (due month, rep_email),
    reps (CRM User e-mails) only.

    Every assignment counts in the month of its due_date; on time = a completed /
    passed statement for the course dated on or before due_date; overdue = no such statement by
    the end of the due month (by "now" for the month still running).
    """
    now = as_of_date(landing)
    reps = crm_user_emails(landing)
    latest: dict[tuple, dict] = {}
    for drop in _drops(landing, "lms"):
        path = drop / "assignments.csv"
        if path.exists():
            with open(path, newline="", encoding="utf-8-sig") as fh:
                for row in csv.DictReader(fh):
                    email = _email(row["work_email"])
                    if email not in reps:
                        continue
                    key = (email, row["course_id"].strip(), row["assigned_date"])
                    latest[key] = row
    done: dict[tuple[str, str], list[dt.date]] = defaultdict(list)
    for st in learning_statements(landing):
        if st["verb"]["id"] in (VERBS + "completed", VERBS + "passed"):
            done[(_email(st["actor"].get("mbox")), st["object"]["id"].strip())].append(
                _utc_date(st["timestamp"]))
    out: dict[tuple, dict] = {}
    for (email, course, _), row in latest.items():
        if not row["due_date"]:
            continue
        due = dt.date.fromisoformat(row["due_date"])
        cutoff = min(_month_end(due.replace(day=1)), now)
        dates = done.get((email, course), [])
        m = out.setdefault((due.replace(day=1), email), {
            "assignments_due": 0, "assignments_completed_on_time": 0, "overdue_assignments": 0})
        m["assignments_due"] += 1
        m["assignments_completed_on_time"] += any(d <= due for d in dates)
        m["overdue_assignments"] += due <= cutoff and not any(d <= cutoff for d in dates)
    return out


# -- HR --------------------------------------------------------------------------------------------
def _newest_hr_rows(landing: Path) -> tuple[dt.date, list[dict]]:
    drops = [d for d in _drops(landing, "hr") if (d / "workers.csv").exists()]
    newest = drops[-1]
    with open(newest / "workers.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    # one row per (employee_id, effective_date): the later line wins
    by_key = {(r["employee_id"].strip(), r["effective_date"]): r for r in rows}
    return dt.date.fromisoformat(newest.name), list(by_key.values())


def employment_spans(landing: Path) -> tuple[dt.date, list[dict]]:
    """(newest HR drop date, spans): one per (employee_id, hire_date), from its latest row."""
    drop_date, rows = _newest_hr_rows(landing)
    latest: dict[tuple, dict] = {}
    for r in rows:
        if not r["hire_date"]:
            continue
        key = (r["employee_id"].strip(), r["hire_date"])
        if key not in latest or r["effective_date"] > latest[key]["effective_date"]:
            latest[key] = r
    spans = []
    for (emp, hire), r in latest.items():
        term = r["termination_date"] or None
        spans.append({
            "employee_id": emp,
            "hire": dt.date.fromisoformat(hire),
            "term": dt.date.fromisoformat(term) if term else None,
            "type": (r["termination_type"] or "").strip().lower() or None,
            "regrettable": (r["regrettable"] or "").strip().lower() == "true",
        })
    return drop_date, spans


def _month_end(month: dt.date) -> dt.date:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def retention_company(landing: Path) -> dict[dt.date, dict]:
    """kpi_retention_company measures per month, earliest hire month .. newest HR drop month."""
    drop_date, spans = employment_spans(landing)

    def employed(day: dt.date) -> int:
        return sum(1 for s in spans if s["hire"] <= day and (s["term"] is None or day <= s["term"]))

    month = min(s["hire"] for s in spans).replace(day=1)
    out: dict[dt.date, dict] = {}
    series: list[dict] = []
    while month <= drop_date:
        end = min(_month_end(month), drop_date)
        leavers = [s for s in spans if s["term"] is not None and month <= s["term"] <= end]
        m = {
            "headcount_start": employed(month),
            "headcount_end": employed(end),
            "separations": len(leavers),
            "voluntary_separations": sum(1 for s in leavers if s["type"] == "voluntary"),
            "involuntary_separations": sum(1 for s in leavers if s["type"] == "involuntary"),
            "regrettable_separations": sum(1 for s in leavers if s["regrettable"]),
        }
        m["avg_headcount"] = (m["headcount_start"] + m["headcount_end"]) / 2
        m["turnover_rate"] = m["separations"] / m["avg_headcount"] if m["avg_headcount"] else None
        m["retention_rate"] = None if m["turnover_rate"] is None else 1 - m["turnover_rate"]
        series.append(m)
        if len(series) >= 12:
            window = series[-12:]
            seps = sum(w["separations"] for w in window)
            avg = sum(w["avg_headcount"] for w in window) / 12
            m["turnover_rate_t12m"] = seps / avg if avg else None
        else:
            m["turnover_rate_t12m"] = None
        out[month] = m
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out
