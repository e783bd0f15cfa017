"""Activity KPIs recomputed in plain Python straight from the landing files.

Deliberately independent of the pipeline: no DuckDB, no dbt, no salesops code; only the csv
module (through `recompute`'s reader helpers) and the rules of CONTRACT.md and METRICS.md
(sections 8 and 9, "Precise readings"), plus the choices documented in
models/marts/activity/_activity__models.yml:

- a touch is a completed Task (CompletedDateTime set or Status Completed) of subtype Call /
  Email / ListEmail / Cadence, or an Event, whose WhoId starts with 00Q (lead) or 003 (contact);
  its time is the Task's CompletedDateTime, else its CreatedDate; an Event's CreatedDate;
- a lead's first response is its earliest touch at or after its CreatedDate;
- "now" is the end of the newest extract date (any system): that date + 1 day at 00:00.

CRM usage days (METRICS section 3 and its precise reading of 2026-12-04): an active day is a day
with a successful login (LoginHistory Status = Success) or a live record (Task, Event, Lead,
Opportunity, Account; latest version not deleted) owned by the rep (current OwnerId) created
that day, up to the newest extract date; working days are Monday to Friday of the calendar
month; adoption = active working days (active days Monday to Friday) / working days.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

from recompute import _drops, latest_by_id

TOUCH_SUBTYPES = {"Call", "Email", "ListEmail", "Cadence"}


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def _ts(value: str | None) -> dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def _id15(value: str | None) -> str | None:
    value = (value or "").strip()
    return value[:15] or None


def _live(landing: Path, file_name: str) -> list[dict[str, str]]:
    return [r for r in latest_by_id(landing, file_name).values() if not _true(r.get("IsDeleted"))]


def user_emails(landing: Path) -> dict[str, str | None]:
    return {uid: ((u.get("Email") or "").strip().lower() or None)
            for uid, u in latest_by_id(landing, "User.csv").items()}


def as_of_date(landing: Path) -> dt.date | None:
    dates = [dt.date.fromisoformat(d.name) for system in ("crm", "hr", "lms")
             for d in _drops(landing, system)]
    return max(dates) if dates else None


def touches(landing: Path) -> list[dict]:
    """Every live touch: owner e-mail, WhoId (15), lead or contact, touch time."""
    emails = user_emails(landing)
    out = []
    for task in _live(landing, "Task.csv"):
        who = _id15(task.get("WhoId"))
        completed = bool((task.get("CompletedDateTime") or "").strip()) \
            or (task.get("Status") or "").strip() == "Completed"
        subtype = (task.get("TaskSubtype") or "").strip()
        if who and who[:3] in ("00Q", "003") and completed and subtype in TOUCH_SUBTYPES:
            out.append({"owner": emails.get(_id15(task["OwnerId"])), "who": who,
                        "is_lead": who.startswith("00Q"),
                        "at": _ts(task.get("CompletedDateTime")) or _ts(task["CreatedDate"])})
    for event in _live(landing, "Event.csv"):
        who = _id15(event.get("WhoId"))
        if who and who[:3] in ("00Q", "003"):
            out.append({"owner": emails.get(_id15(event["OwnerId"])), "who": who,
                        "is_lead": who.startswith("00Q"), "at": _ts(event["CreatedDate"])})
    return out


def touches_by_rep_month(landing: Path) -> dict[tuple[dt.date, str | None], dict[str, int]]:
    """kpi_outreach touches / lead_touches / leads_touched per (month of the touch, owner)."""
    out: dict[tuple, dict] = {}
    leads: dict[tuple, set] = defaultdict(set)
    for touch in touches(landing):
        key = (touch["at"].date().replace(day=1), touch["owner"])
        m = out.setdefault(key, {"touches": 0, "lead_touches": 0})
        m["touches"] += 1
        if touch["is_lead"]:
            m["lead_touches"] += 1
            leads[key].add(touch["who"])
    for key, m in out.items():
        m["leads_touched"] = len(leads[key])
    return out


def percentile_cont(values: list[float], p: float) -> float | None:
    """Continuous percentile, linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    pos = p * (len(ordered) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def lead_response_by_rep_month(landing: Path, sla_minutes: int = 60
                               ) -> dict[tuple[dt.date, str | None], dict]:
    """kpi_lead_response measures per (month of lead creation, owner e-mail)."""
    emails = user_emails(landing)
    as_of = as_of_date(landing)
    now = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()) if as_of else None
    lead_touch_times: dict[str, list[dt.datetime]] = defaultdict(list)
    for touch in touches(landing):
        if touch["is_lead"]:
            lead_touch_times[touch["who"]].append(touch["at"])
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for lead in _live(landing, "Lead.csv"):
        created = _ts(lead["CreatedDate"])
        if created is None:
            continue
        after = [t for t in lead_touch_times.get(_id15(lead["Id"]), []) if t >= created]
        response = (min(after) - created).total_seconds() / 60 if after else None
        pending = response is None and created + dt.timedelta(minutes=sla_minutes) > now
        groups[(created.date().replace(day=1), emails.get(_id15(lead["OwnerId"])))].append(
            {"response": response, "pending": pending})
    out = {}
    for key, leads in groups.items():
        answered = [x["response"] for x in leads if x["response"] is not None]
        judged = [x for x in leads if not x["pending"]]
        within = sum(1 for x in judged if x["response"] is not None and x["response"] <= sla_minutes)
        never = sum(1 for x in judged if x["response"] is None)
        out[key] = {
            "leads_created": len(leads),
            "median_response_minutes": percentile_cont(answered, 0.5),
            "p90_response_minutes": percentile_cont(answered, 0.9),
            "within_sla_share": within / len(judged) if judged else None,
            "never_answered_share": never / len(judged) if judged else None,
        }
    return out


# -- CRM usage: active days, active working days, working days, adoption ---------------------------
USAGE_RECORD_FILES = ("Task.csv", "Event.csv", "Lead.csv", "Opportunity.csv", "Account.csv")


def _logins(landing: Path) -> list[dict[str, str]]:
    out = []
    for drop in _drops(landing, "crm"):
        path = drop / "LoginHistory.csv"
        if path.exists():
            with open(path, newline="", encoding="utf-8-sig") as fh:
                out.extend(csv.DictReader(fh))
    return out


def weekdays_of_month(month: dt.date) -> int:
    day, n = month, 0
    while day.month == month.month:
        n += day.weekday() < 5
        day += dt.timedelta(days=1)
    return n


def crm_usage_days_by_rep_month(landing: Path) -> dict[tuple[dt.date, str], dict]:
    """active_days, active_working_days, working_days and adoption_rate per (month, rep e-mail)
    for every rep (CRM User with an e-mail) with at least one active day that month."""
    emails = user_emails(landing)
    now = as_of_date(landing)
    active: dict[str, set[dt.date]] = defaultdict(set)
    for login in _logins(landing):
        if (login.get("Status") or "").strip() == "Success":
            email = emails.get(_id15(login.get("UserId")))
            at = _ts(login.get("LoginTime"))
            if email and at is not None:
                active[email].add(at.date())
    for file_name in USAGE_RECORD_FILES:
        for record in _live(landing, file_name):
            email = emails.get(_id15(record.get("OwnerId")))
            created = _ts(record.get("CreatedDate"))
            if email and created is not None:
                active[email].add(created.date())
    out: dict[tuple[dt.date, str], dict] = {}
    for email, days in active.items():
        for day in days:
            if now is not None and day > now:
                continue
            m = out.setdefault((day.replace(day=1), email), {
                "active_days": 0, "active_working_days": 0,
                "working_days": weekdays_of_month(day.replace(day=1))})
            m["active_days"] += 1
            m["active_working_days"] += day.weekday() < 5
    for m in out.values():
        m["adoption_rate"] = m["active_working_days"] / m["working_days"]
    return out
