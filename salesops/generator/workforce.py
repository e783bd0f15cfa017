"""HR simulation: a sales organisation built up team by team, then kept staffed.

Month by month from the HR start: teams open (a manager, then reps), people leave (voluntary or
involuntary, some regrettable; new hires more often), reps move teams, get promoted and merit
raises, managers who leave are replaced by promoting a rep, and a few regretted leavers come
back (rehires: the same employee_id with a new hire_date). A handful of scripted events make sure
every preset shows each case (a rehire, a team change, both termination types, a quick leaver).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from salesops.contract import TERMINATION_TYPES
from salesops.generator.names import FIRST_NAMES, LAST_NAMES, ascii_slug
from salesops.generator.presets import Preset
from salesops.generator.timeutil import (
    add_months,
    date_of,
    day_number,
    fmt_date,
    month_end,
    month_start,
    weekday,
    ym_of_day,
)

VOLUNTARY, INVOLUNTARY = TERMINATION_TYPES
EMAIL_DOMAIN = "example.com"


@dataclass(frozen=True)
class Region:
    name: str
    currency: str
    tz_hours: int  # UTC offset used for business hours


REGIONS: tuple[Region, ...] = (
    Region("NA East", "USD", -5),
    Region("NA West", "USD", -8),
    Region("EMEA", "EUR", 1),
    Region("APAC", "USD", 8),
)
_TEAM_REGION_CYCLE = (0, 2, 1, 0, 3, 2, 1, 0)

REP_LEVELS = ("IC1", "IC2", "IC3", "IC4")
REP_TITLES = {
    "IC1": "Account Executive",
    "IC2": "Account Executive",
    "IC3": "Senior Account Executive",
    "IC4": "Principal Account Executive",
}
LEADER_TITLES = {"manager": "Sales Manager", "director": "Regional Sales Director",
                 "vp": "VP Sales"}
LEADER_LEVELS = {"manager": "M1", "director": "M2", "vp": "M3"}
BASE_SALARY = {"IC1": 68000, "IC2": 82000, "IC3": 102000, "IC4": 128000, "M1": 150000,
               "M2": 185000, "M3": 240000}
REGION_PAY = {"NA East": 1.0, "NA West": 1.05, "EMEA": 0.9, "APAC": 0.8}
DEPARTMENT = "Sales"


@dataclass
class Job:
    effective: int  # epoch day
    role: str  # rep / manager / director / vp
    level: str
    manager: int  # worker index, -1 at the top
    region: int
    salary: float
    team: int = -1  # for reps and managers

    @property
    def title(self) -> str:
        return REP_TITLES[self.level] if self.role == "rep" else LEADER_TITLES[self.role]


@dataclass
class Spell:
    hire: int
    term: int | None = None
    term_type: str | None = None
    regrettable: bool | None = None
    successor: int = -1  # who takes over the leaver's accounts and deals


@dataclass
class Worker:
    idx: int
    employee_id: str
    first: str
    last: str
    email: str  # canonical: lower-case, trimmed
    hr_email: str  # as the HR system has it
    crm_email: str  # as the CRM user has it
    params: dict[str, float]
    jobs: list[Job] = field(default_factory=list)
    spells: list[Spell] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    def job_at(self, day: int) -> Job:
        cur = self.jobs[0]
        for j in self.jobs:
            if j.effective <= day:
                cur = j
            else:
                break
        return cur

    def employed(self, day: int) -> bool:
        return any(s.hire <= day and (s.term is None or day <= s.term) for s in self.spells)

    def spell_at(self, day: int) -> Spell | None:
        for s in self.spells:
            if s.hire <= day and (s.term is None or day <= s.term):
                return s
        return None

    def add_job(self, job: Job) -> None:
        # one row per effective date: a second change the same day replaces the first
        if self.jobs and self.jobs[-1].effective >= job.effective:
            job.effective = max(job.effective, self.jobs[-1].effective)
            if self.jobs[-1].effective == job.effective:
                self.jobs[-1] = job
                return
        self.jobs.append(job)


def _rep_params(rng: np.random.Generator) -> dict[str, float]:
    skill = float(rng.normal())
    training = 1 / (1 + math.exp(-(0.7 * skill + 0.8 * rng.normal())))
    return {
        "skill": skill,
        "activity": float(math.exp(0.35 * rng.normal() + 0.12 * skill)),
        "deal_size": float(math.exp(math.log(22000) + 0.45 * rng.normal() + 0.2 * skill)),
        "persistence": float(min(14.0, max(1.5, math.exp(math.log(4.5) + 0.5 * rng.normal())))),
        "response_min": float(math.exp(math.log(40) + 1.4 * rng.normal() - 0.3 * skill)),
        "p_never": float(0.02 + 0.45 * rng.random() ** 4),
        "adoption": float(min(0.99, max(0.3, 0.55 + 0.4 * rng.random() + 0.05 * skill))),
        "push_lag": float(rng.choice([2, 5, 10, 21, 45], p=[0.2, 0.25, 0.25, 0.15, 0.15])),
        "training": float(training),
        "diligence": float(min(1.0, 0.5 * training + 0.5 * rng.random())),
        "speed": float(math.exp(0.2 * rng.normal())),
    }


@dataclass
class Team:
    idx: int
    region: int
    target: int
    open_day: int
    manager: int = -1


class Workforce:
    """Runs the simulation; holds the workers and what happened to them."""

    def __init__(self, preset: Preset, rng: np.random.Generator, hr_start: int, go_live: int,
                 last_day: int) -> None:
        self.p = preset
        self.rng = rng
        self.hr_start = hr_start
        self.go_live = go_live
        self.last_day = last_day  # last drop date: nothing is simulated after it
        self.workers: list[Worker] = []
        self._emails: set[str] = set()
        n_teams = max(2, math.ceil(preset.reps / preset.team_size))
        self.use_directors = n_teams >= 6
        span = go_live - hr_start
        self.teams = [
            Team(t, _TEAM_REGION_CYCLE[t % len(_TEAM_REGION_CYCLE)],
                 preset.reps // n_teams + (1 if t < preset.reps % n_teams else 0),
                 hr_start + int(span * 0.6 * t / n_teams) + (0 if t == 0 else 14))
            for t in range(n_teams)
        ]
        self.directors: dict[int, int] = {}
        self.vp = -1
        self._rehires: list[tuple[int, int, int]] = []  # (day, worker, team)
        self.members: dict[int, set[int]] = {t.idx: set() for t in self.teams}  # current reps
        self.forced = {
            "team_change": go_live + 20,
            "rehire_leave": last_day - 210,
            "rehire_back": last_day - 90,
            "involuntary": last_day - 150,
            "quick_hire": last_day - 120,
            "quick_leave": last_day - 60,
        }

    # -- people ---------------------------------------------------------------------------------
    def _new_worker(self) -> Worker:
        rng = self.rng
        i = len(self.workers)
        first = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
        last = LAST_NAMES[int(rng.integers(len(LAST_NAMES)))]
        local = f"{ascii_slug(first)}.{ascii_slug(last)}"
        email = f"{local}@{EMAIL_DOMAIN}"
        k = 2
        while email in self._emails:
            email = f"{local}{k}@{EMAIL_DOMAIN}"
            k += 1
        self._emails.add(email)
        # Messy but matching e-mails: the join is case-insensitive and trimmed.
        u = rng.random()
        crm_email, hr_email = email, email
        if u < 0.05 or i == 3:
            crm_email = ".".join(p[:1].upper() + p[1:] for p in local.split(".")) + email[
                len(local):]
        elif u < 0.09 or i == 4:
            hr_email = email + " "
        elif u < 0.11:
            hr_email = email.upper()
        w = Worker(i, f"E{10001 + i}", first, last, email, hr_email, crm_email, _rep_params(rng))
        self.workers.append(w)
        return w

    def _salary(self, level: str, region: int) -> float:
        base = BASE_SALARY[level] * REGION_PAY[REGIONS[region].name]
        return float(round(base * (0.9 + 0.2 * self.rng.random()) / 500) * 500)

    def _leader_of_team(self, team: Team) -> int:
        if self.use_directors:
            return self.directors[team.region]
        return self.vp

    def _hire(self, day: int, role: str, region: int, team: int = -1, manager: int = -1) -> Worker:
        w = self._new_worker()
        level = "IC1" if role == "rep" and self.rng.random() < 0.6 else (
            "IC2" if role == "rep" else LEADER_LEVELS[role])
        if role == "rep" and day < self.hr_start + 200 and self.rng.random() < 0.4:
            level = "IC3"  # founding reps are experienced
        w.spells.append(Spell(day))
        w.add_job(Job(day, role, level, manager, region, self._salary(level, region), team))
        self._sync(w)
        return w

    def reps_of(self, team: int) -> list[int]:
        """Reps currently in the team (hired, possibly starting later, and not terminated)."""
        return sorted(self.members[team])

    def _sync(self, w: Worker) -> None:
        for members in self.members.values():
            members.discard(w.idx)
        j = w.jobs[-1]
        if j.role == "rep" and w.spells[-1].term is None:
            self.members[j.team].add(w.idx)

    def _terminate(self, w: Worker, day: int, term_type: str, regrettable: bool) -> None:
        spell = w.spells[-1]
        day = max(day, w.jobs[-1].effective + 1, spell.hire + 1)
        spell.term, spell.term_type, spell.regrettable = day, term_type, regrettable
        job = w.jobs[-1]
        if job.role == "rep":
            mates = [r for r in self.reps_of(job.team)
                     if r != w.idx and self.workers[r].employed(day + 1)]
            spell.successor = mates[int(self.rng.integers(len(mates)))] if mates else job.manager
        elif job.role == "manager":
            self._replace_manager(w, day)
            spell.successor = self.teams[job.team].manager
        self._sync(w)

    def _replace_manager(self, old: Worker, day: int) -> None:
        team = self.teams[old.jobs[-1].team]
        reps = [self.workers[r] for r in self.reps_of(team.idx)
                if self.workers[r].employed(day + 1) and self.workers[r].jobs[-1].effective <= day]
        eff = day + 1
        if reps:
            new = max(reps, key=lambda r: (REP_LEVELS.index(r.jobs[-1].level), r.params["skill"]))
            new.add_job(Job(eff, "manager", "M1", self._leader_of_team(team), team.region,
                            self._salary("M1", team.region), team.idx))
        else:
            new = self._hire(eff, "manager", team.region, team.idx, self._leader_of_team(team))
        team.manager = new.idx
        self._sync(new)
        for r in self.reps_of(team.idx):
            rw = self.workers[r]
            j = rw.jobs[-1]
            rw.add_job(Job(max(eff, j.effective + 1), "rep", j.level, new.idx, j.region,
                           j.salary, team.idx))

    def _move(self, w: Worker, day: int, team: Team) -> None:
        j = w.jobs[-1]
        w.add_job(Job(max(day, j.effective + 1), "rep", j.level, team.manager, team.region,
                      j.salary, team.idx))
        self._sync(w)

    # -- simulation -----------------------------------------------------------------------------
    def simulate(self) -> None:
        vp = self._hire(self.hr_start, "vp", 0)
        self.vp = vp.idx
        months = []
        y, m = ym_of_day(self.hr_start)
        while month_start(y, m) <= self.last_day:
            months.append((y, m))
            y, m = add_months(y, m, 1)
        for y, m in months:
            first, last = month_start(y, m), min(month_end(month_start(y, m)), self.last_day)
            self._open_teams(first, last)
            self._attrition(first, last)
            self._moves_and_promotions(y, m, first, last)
            self._forced(first, last)
            self._do_rehires(first, last)
            self._hire_to_target(first, last)

    def _open_teams(self, first: int, last: int) -> None:
        for team in self.teams:
            if first <= team.open_day <= last or (team.open_day < first and team.manager < 0):
                day = max(team.open_day, self.hr_start)
                if self.use_directors and team.region not in self.directors:
                    dr = self._hire(max(self.hr_start, day - 10), "director", team.region,
                                    manager=self.vp)
                    self.directors[team.region] = dr.idx
                mgr = self._hire(day, "manager", team.region, team.idx,
                                 self._leader_of_team(team))
                team.manager = mgr.idx

    def _attrition(self, first: int, last: int) -> None:
        rng = self.rng
        for w in list(self.workers):
            spell = w.spells[-1]
            if spell.term is not None or spell.hire > last:
                continue
            job = w.jobs[-1]
            if job.role in ("vp", "director"):
                continue
            tenure = first - spell.hire
            if job.role == "manager":
                hazard = 0.008
            else:
                hazard = 0.017 + (0.012 if w.params["skill"] < -0.8 else 0.0)
                if tenure < 90:
                    hazard += 0.03
            if rng.random() >= hazard:
                continue
            day = int(rng.integers(max(first, spell.hire + 7), last + 1)) if max(
                first, spell.hire + 7) <= last else last
            if day <= spell.hire or day >= self.last_day:
                continue
            invol_p = 0.25 + (0.3 if w.params["skill"] < -0.5 else 0.0)
            if rng.random() < invol_p:
                self._terminate(w, day, INVOLUNTARY, False)
            else:
                regret = rng.random() < 0.25 + (0.35 if w.params["skill"] > 0.5 else 0.0)
                self._terminate(w, day, VOLUNTARY, bool(regret))
                if regret and job.role == "rep" and rng.random() < 0.12:
                    back = day + int(rng.integers(120, 400))
                    if back < self.last_day - 5:
                        self._rehires.append((back, w.idx, job.team))

    def _moves_and_promotions(self, y: int, m: int, first: int, last: int) -> None:
        rng = self.rng
        for w in list(self.workers):
            spell = w.spells[-1]
            if spell.term is not None or spell.hire > first:
                continue
            job = w.jobs[-1]
            tenure = first - spell.hire
            if job.role == "rep" and tenure > 180 and len(self.teams) > 1 and rng.random() < 0.007:
                others = [t for t in self.teams if t.idx != job.team and t.manager >= 0]
                team = others[int(rng.integers(len(others)))]
                self._move(w, first + (15 if rng.random() < 0.5 else 0), team)
                continue
            if (job.role == "rep" and tenure > 365 and job.level != "IC4"
                    and rng.random() < 0.02):
                level = REP_LEVELS[REP_LEVELS.index(job.level) + 1]
                w.add_job(Job(max(first, job.effective + 1), "rep", level, job.manager,
                              job.region, round(job.salary * 1.12 / 500) * 500, job.team))
                continue
            if m == 4 and spell.hire < month_start(y, 1):
                w.add_job(Job(max(first, job.effective + 1), job.role, job.level, job.manager,
                              job.region, round(job.salary * 1.03 / 100) * 100, job.team))

    def _active_reps(self, day: int) -> list[Worker]:
        return [w for w in self.workers
                if w.employed(day) and w.jobs[-1].role == "rep" and w.spells[-1].hire < day - 180]

    def _forced(self, first: int, last: int) -> None:
        f = self.forced
        if first <= f["team_change"] <= last:
            reps = self._active_reps(f["team_change"])
            if reps:
                w = reps[len(reps) // 2]
                cur = w.jobs[-1].team
                target = next(t for t in self.teams if t.idx != cur and t.manager >= 0)
                self._move(w, f["team_change"], target)
        if first <= f["rehire_leave"] <= last:
            reps = self._active_reps(f["rehire_leave"])
            if reps:
                w = reps[0]
                team = w.jobs[-1].team
                self._terminate(w, f["rehire_leave"], VOLUNTARY, True)
                self._rehires.append((f["rehire_back"], w.idx, team))
        if first <= f["involuntary"] <= last:
            reps = self._active_reps(f["involuntary"])
            if reps:
                w = min(reps, key=lambda r: r.params["skill"])
                self._terminate(w, f["involuntary"], INVOLUNTARY, False)
        if first <= f["quick_hire"] <= last:
            team = self.teams[-1]
            w = self._hire(f["quick_hire"], "rep", team.region, team.idx, team.manager)
            self._quick = w.idx
        if first <= f["quick_leave"] <= last and hasattr(self, "_quick"):
            w = self.workers[self._quick]
            if w.spells[-1].term is None:
                self._terminate(w, f["quick_leave"], VOLUNTARY, False)

    def _do_rehires(self, first: int, last: int) -> None:
        for day, wi, team_idx in sorted(self._rehires):
            if not first <= day <= last:
                continue
            w = self.workers[wi]
            if w.spells[-1].term is None or w.spells[-1].term >= day - 30:
                continue
            while weekday(day) >= 5:
                day += 1
            team = self.teams[team_idx]
            j = w.jobs[-1]
            w.spells.append(Spell(day))
            w.add_job(Job(max(day, j.effective + 1), "rep", j.level, team.manager, team.region,
                          round(j.salary * 1.05 / 500) * 500, team.idx))
            self._sync(w)

    def _hire_to_target(self, first: int, last: int) -> None:
        rng = self.rng
        for team in self.teams:
            if team.manager < 0:
                continue
            current = len(self.members[team.idx])
            for _ in range(max(0, team.target - current)):
                day = first + int(rng.integers(0, max(1, last - first + 1)))
                day = max(day, team.open_day)
                while weekday(day) >= 5:
                    day += 1
                if day >= self.last_day:
                    continue
                self._hire(day, "rep", team.region, team.idx, team.manager)

    # -- outputs --------------------------------------------------------------------------------
    def hr_rows(self, before_day: int) -> list[list[str]]:
        """workers.csv rows known at an extract on `before_day` (effective before that day)."""
        rows: list[list[str]] = []
        for w in self.workers:
            per_day: dict[int, list[str]] = {}
            for s in w.spells:
                for j in w.jobs:
                    end = s.term if s.term is not None else 10**9
                    if not (s.hire <= j.effective <= end):
                        continue
                    per_day[j.effective] = self._row(w, j, s, j.effective, terminated=False)
                if s.term is not None:
                    j = w.job_at(s.term)
                    per_day[s.term] = self._row(w, j, s, s.term, terminated=True)
            for day in sorted(per_day):
                if day < before_day:
                    rows.append(per_day[day])
        return rows

    def _row(self, w: Worker, j: Job, s: Spell, eff: int, terminated: bool) -> list[str]:
        mgr = self.workers[j.manager].employee_id if j.manager >= 0 else ""
        return [
            w.employee_id, w.hr_email, w.name, DEPARTMENT, j.title, j.level, mgr,
            REGIONS[j.region].name, fmt_date(s.hire),
            fmt_date(s.term) if terminated and s.term is not None else "",
            (s.term_type or "") if terminated else "",
            ("true" if s.regrettable else "false") if terminated else "",
            fmt_date(eff), _fmt_salary(j.salary),
        ]


def _fmt_salary(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}"


def hr_start_for(go_live: int, years: int) -> int:
    d = date_of(go_live)
    return day_number(d.replace(year=d.year - years))
