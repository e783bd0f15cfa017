"""CRM users, roles and login history.

Every worker employed since the CRM go-live has a User (created at go-live or a few days before
the hire date); the user follows HR: manager and role changes, deactivation after the last day,
reactivation on a rehire. Two system users (integration, admin) have no HR record.
"""

from __future__ import annotations

import numpy as np

from salesops.contract import spec_for
from salesops.generator.formats import Codes, ms_col, refs
from salesops.generator.ids import PREFIX, month_index
from salesops.generator.landing import Landing
from salesops.generator.timeutil import (
    DAY_MS,
    HOUR_MS,
    MINUTE_MS,
    local_time_v,
    month_index_v,
    ym_of_day,
)
from salesops.generator.workforce import REGIONS, Job
from salesops.generator.world import SYSTEM_USERS, People, Timeline, stream

EXTRA_COLUMNS = {
    "User.csv": ["Username", "FirstName", "LastName", "TimeZoneSidKey", "Department",
                 "LastModifiedDate", "CreatedById"],
    "UserRole.csv": ["DeveloperName", "RollupDescription"],
    "Account.csv": ["Type", "AccountSource", "Description", "LastModifiedDate", "CreatedById"],
    "Lead.csv": ["FirstName", "LastName", "Title", "Country", "LastModifiedDate", "CreatedById"],
    "Opportunity.csv": ["ExpectedRevenue", "FiscalYear", "FiscalQuarter", "LastModifiedDate",
                        "CreatedById"],
    "OpportunityHistory.csv": ["ExpectedRevenue", "IsDeleted", "SystemModstamp"],
    "Task.csv": ["Priority", "LastModifiedDate", "CreatedById"],
    "Event.csv": ["Location", "ShowAs", "IsAllDayEvent", "LastModifiedDate", "CreatedById"],
    "ForecastingQuota.csv": ["IsQuantity", "CreatedDate", "SystemModstamp"],
    "DatedConversionRate.csv": ["Id", "SystemModstamp"],
    "LoginHistory.csv": ["Id", "LoginType", "SourceIp", "Browser", "Platform"],
}


def header(file_name: str) -> list[str]:
    """Contract columns (required and optional, contract order) plus realistic extras."""
    spec = spec_for("crm", file_name)
    assert spec is not None, file_name
    cols = [f.name for f in spec.fields]
    extras = [c for c in EXTRA_COLUMNS[file_name] if c not in cols]
    return cols + extras


TIME_ZONES = {"NA East": "America/New_York", "NA West": "America/Los_Angeles",
              "EMEA": "Europe/Berlin", "APAC": "Asia/Singapore"}


def _role_key(job: Job) -> tuple[str, int]:
    return (job.role, -1 if job.role == "vp" else job.region)


def emit_users_and_roles(land: Landing, people: People, tl: Timeline, ids) -> None:
    wf = people.wf
    regions = sorted({t.region for t in wf.teams})
    keys: list[tuple[str, int]] = [("vp", -1)]
    for r in regions:
        if wf.use_directors:
            keys.append(("director", r))
        keys += [("manager", r), ("rep", r)]
    role_month = month_index(*ym_of_day(tl.go_live - 120))
    role_num = {k: int(n) for k, n in zip(keys, ids["UserRole"].alloc(role_month, len(keys)),
                                          strict=True)}

    def parent(k: tuple[str, int]) -> int:
        role, r = k
        if role == "vp":
            return -1
        if role == "director" or (role == "manager" and not wf.use_directors):
            return role_num[("vp", -1)]
        if role == "manager":
            return role_num[("director", r)]
        return role_num[("manager", r)]

    def role_name(k: tuple[str, int]) -> str:
        role, r = k
        label = {"vp": "VP Sales", "director": "Sales Director", "manager": "Sales Manager",
                 "rep": "Account Executive"}[role]
        return label if r < 0 else f"{label} - {REGIONS[r].name}"

    names = [role_name(k) for k in keys]
    land.emit("UserRole.csv", header("UserRole.csv"), {
        "Id": refs(PREFIX["UserRole"], [role_num[k] for k in keys]),
        "Name": np.array(names, dtype=object),
        "ParentRoleId": refs(PREFIX["UserRole"], [parent(k) for k in keys]),
        "DeveloperName": np.array([n.replace(" - ", "_").replace(" ", "_") for n in names],
                                  dtype=object),
        "RollupDescription": np.array(names, dtype=object),
    }, np.array([role_num[k] for k in keys]), np.full(len(keys), (tl.go_live - 100) * DAY_MS))

    rows: dict[str, list] = {c: [] for c in header("User.csv")}
    keys_out: list[int] = []
    stamps: list[int] = []
    admin_num = people.user_ref(people.admin)
    for person in range(people.n):
        num = int(people.user_num[person])
        if num < 0:
            continue
        created = int(people.user_created_ms[person])
        if person >= people.n_workers:
            first, last, email, _title = SYSTEM_USERS[person - people.n_workers]
            state = {"Name": f"{first} {last}", "Email": email, "IsActive": True,
                     "ManagerId": -1, "UserRoleId": -1, "Title": _title,
                     "Username": email + ".prod", "FirstName": first, "LastName": last,
                     "TimeZoneSidKey": "GMT", "Department": "Business Systems"}
            events = [(created, {})]
        else:
            w = people.workers[person]
            day = created // DAY_MS

            def job_state(j: Job) -> dict:
                mgr = people.user_ref(j.manager) if j.manager >= 0 else -1
                return {"ManagerId": mgr, "UserRoleId": role_num[_role_key(j)],
                        "Title": j.title, "TimeZoneSidKey": TIME_ZONES[REGIONS[j.region].name]}

            state = {"Name": w.name, "Email": w.crm_email, "IsActive": True,
                     "Username": w.email + ".prod", "FirstName": w.first, "LastName": w.last,
                     "Department": "Sales"}
            state.update(job_state(w.job_at(max(day, w.spells[0].hire))))
            events = [(created, {})]
            for j in w.jobs:
                if j.effective > day:
                    events.append((j.effective * DAY_MS + 14 * HOUR_MS, job_state(j)))
            for s in w.spells:
                if s.hire > day:
                    events.append(((s.hire - 1) * DAY_MS + 16 * HOUR_MS, {"IsActive": True}))
                if s.term is not None and s.term >= day:
                    events.append(((s.term + 1) * DAY_MS + 17 * HOUR_MS, {"IsActive": False}))
            events.sort(key=lambda e: e[0])
        for ms, change in events:
            state.update(change)
            keys_out.append(num)
            stamps.append(ms)
            for c in ("Name", "Email", "IsActive", "Title", "Username", "FirstName", "LastName",
                      "TimeZoneSidKey", "Department"):
                rows[c].append(state[c])
            rows["ManagerId"].append(state["ManagerId"])
            rows["UserRoleId"].append(state["UserRoleId"])
    n = len(keys_out)
    frame = {c: np.array(v, dtype=object) for c, v in rows.items() if v}
    frame["IsActive"] = np.array(rows["IsActive"], dtype=bool)
    frame["Id"] = refs(PREFIX["User"], keys_out)
    frame["ManagerId"] = refs(PREFIX["User"], rows["ManagerId"])
    frame["UserRoleId"] = refs(PREFIX["UserRole"], rows["UserRoleId"])
    frame["CreatedDate"] = ms_col([int(people.user_created_ms[_person_of(people, k)])
                                   for k in keys_out])
    frame["SystemModstamp"] = ms_col(stamps)
    frame["LastModifiedDate"] = frame["SystemModstamp"]
    frame["CreatedById"] = refs(PREFIX["User"], [admin_num] * n)
    land.emit("User.csv", header("User.csv"), frame, np.array(keys_out), np.array(stamps))


def _person_of(people: People, user_num: int) -> int:
    cache = getattr(people, "_by_user", None)
    if cache is None:
        cache = {int(u): i for i, u in enumerate(people.user_num.tolist()) if u >= 0}
        people._by_user = cache
    return cache[user_num]


LOGIN_STATUS = ("Success", "Invalid Password", "Password Lockout")
LOGIN_TYPES = ("Application", "Remote Access 2.0")
BROWSERS = ("Chrome 131", "Safari 18", "Edge 131", "Firefox 133", "Salesforce Mobile")
PLATFORMS = ("Mac OSX", "Windows 10", "Windows 11", "iOS", "Unknown")


def emit_logins(land: Landing, people: People, tl: Timeline, ids, seed: int, first: int,
                last: int) -> None:
    """LoginHistory for the days [first, last]: reps, managers and the admin log in on most
    working days (how often depends on the person), rarely at weekends; some attempts fail;
    the integration user logs in around the clock."""
    rng = stream(seed, "logins", first)
    days = np.arange(max(first, tl.go_live), min(last, tl.drop_days[-1] - 1) + 1, dtype=np.int64)
    if len(days) == 0:
        return
    view = people.month_view(int(days[len(days) // 2]))
    active = people.active_matrix(days)
    active[people.integration] = False
    adoption = np.where(view["is_rep"], people.param["adoption"], 0.9)
    adoption[people.admin] = 0.95
    workday = ((days + 3) % 7) < 5
    p = np.where(workday[None, :], adoption[:, None], 0.06)
    login = active & (rng.random(active.shape) < p)
    count = np.where(login, 1 + rng.poisson(0.6, active.shape), 0)
    person = np.repeat(np.repeat(np.arange(people.n)[:, None], len(days), 1).ravel(),
                       count.ravel())
    day = np.repeat(np.tile(days, people.n), count.ravel())
    hour = 7.5 + rng.random(len(person)) * 10.5
    t = local_time_v(day, hour, view["tz"][person])
    status = np.zeros(len(person), np.int64)
    fail = rng.random(len(person)) < 0.03
    lock = fail & (rng.random(len(person)) < 0.08)
    f_person, f_t = person[fail], t[fail] - rng.integers(20, 200, fail.sum()) * 1000
    f_status = np.where(lock[fail], 2, 1)
    # the integration user: an API session every four hours
    n_int = len(days) * 6
    i_t = np.repeat(days * DAY_MS, 6) + np.tile(np.arange(6) * 4 * HOUR_MS + 15 * MINUTE_MS,
                                                len(days))
    person = np.concatenate([person, f_person, np.full(n_int, people.integration)])
    t = np.concatenate([t, f_t, i_t])
    status = np.concatenate([status, f_status, np.zeros(n_int, np.int64)])
    order = np.lexsort((person, t))
    person, t, status = person[order], t[order], status[order]
    nums = ids["LoginHistory"].alloc_by_month(month_index_v(t))
    api = person == people.integration
    frame = {
        "UserId": refs(PREFIX["User"], people.user_num[person]),
        "LoginTime": ms_col(t),
        "Status": Codes(LOGIN_STATUS, status),
        "Id": refs(PREFIX["LoginHistory"], nums),
        "LoginType": Codes(LOGIN_TYPES, api.astype(np.int64)),
        "SourceIp": np.array([f"198.51.100.{p % 250 + 1}" if a else f"203.0.113.{p % 250 + 1}"
                              for p, a in zip(person.tolist(), api.tolist(), strict=True)],
                             dtype=object),
        "Browser": Codes(BROWSERS, np.where(api, -1, person % len(BROWSERS))),
        "Platform": Codes(PLATFORMS, np.where(api, 4, (person // 3) % 4)),
    }
    land.emit("LoginHistory.csv", header("LoginHistory.csv"), frame, nums, t)

