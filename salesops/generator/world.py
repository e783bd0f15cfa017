"""Shared state of one generation run: timeline, random streams, people and their CRM users."""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass

import numpy as np

from salesops.generator.ids import PREFIX, IdAllocator, month_index
from salesops.generator.presets import Preset
from salesops.generator.timeutil import (
    DAY_MS,
    HOUR_MS,
    add_months,
    date_of,
    day_number,
    month_start,
    months_between,
    ym_of_day,
)
from salesops.generator.workforce import REGIONS, Workforce, hr_start_for

FAR_DAY = 10**7  # "no end" for employment spells
SYSTEM_USERS = (
    ("Integration", "User", "integration.user@example.com", "Integration User"),
    ("Salesforce", "Admin", "sfdc.admin@example.com", "System Administrator"),
)


def stream(seed: int, *names: object) -> np.random.Generator:
    """An independent, reproducible random stream for one part of the simulation."""
    keys = [seed & 0xFFFFFFFF] + [zlib.crc32(str(n).encode()) for n in names]
    return np.random.default_rng(np.random.SeedSequence(keys))


def py_stream(seed: int, *names: object) -> random.Random:
    return random.Random(int(stream(seed, *names).integers(2**62)))


@dataclass(frozen=True)
class Timeline:
    go_live: int  # first day of CRM/LMS history (epoch day)
    hr_start: int
    drop_days: tuple[int, ...]

    @classmethod
    def for_preset(cls, p: Preset) -> Timeline:
        last = day_number(p.last_drop)
        first_drop = last - p.deltas
        y, m = add_months(*ym_of_day(first_drop), -p.crm_months)
        go_live = month_start(y, m)
        return cls(go_live, hr_start_for(go_live, p.hr_years),
                   tuple(range(first_drop, last + 1)))

    @property
    def horizon_ms(self) -> int:
        """Cutoff of the last drop: nothing at or after it is ever exported."""
        return self.drop_days[-1] * DAY_MS

    @property
    def first_cutoff_ms(self) -> int:
        return self.drop_days[0] * DAY_MS

    def cutoff_ms(self, drop: int) -> int:
        return self.drop_days[drop] * DAY_MS

    @property
    def crm_months(self) -> list[tuple[int, int]]:
        return months_between(ym_of_day(self.go_live), ym_of_day(self.drop_days[-1] - 1))

    @property
    def drop_dates(self) -> list[dt.date]:
        return [date_of(d) for d in self.drop_days]


class People:
    """Workers plus CRM-only system users, as arrays indexed by person for vectorised use."""

    def __init__(self, wf: Workforce, tl: Timeline, ids: dict[str, IdAllocator]) -> None:
        self.wf = wf
        self.tl = tl
        self.workers = wf.workers
        nw = len(self.workers)
        self.n_workers = nw
        self.n = nw + len(SYSTEM_USERS)
        self.integration = nw
        self.admin = nw + 1
        self.spell_start = np.full((self.n, 3), FAR_DAY, np.int64)
        self.spell_end = np.full((self.n, 3), -1, np.int64)
        for w in self.workers:
            for k, s in enumerate(w.spells[:3]):
                self.spell_start[w.idx, k] = s.hire
                self.spell_end[w.idx, k] = s.term if s.term is not None else FAR_DAY
        for i in (self.integration, self.admin):  # system users: always there
            self.spell_start[i, 0] = tl.go_live - 90
            self.spell_end[i, 0] = FAR_DAY
        # CRM users: everyone employed at some point since go-live
        self.user_num = np.full(self.n, -1, np.int64)
        self.user_created_ms = np.full(self.n, -1, np.int64)
        user_ids = ids["User"]
        go_live_ms = tl.go_live * DAY_MS
        for i in (self.integration, self.admin):
            created = go_live_ms - (120 - i + nw) * DAY_MS + 10 * HOUR_MS
            self.user_created_ms[i] = created
        for w in self.workers:
            relevant = [s for s in w.spells
                        if (s.term is None or s.term >= tl.go_live) and s.hire < tl.drop_days[-1]]
            if not relevant:
                continue
            hire = relevant[0].hire
            if hire <= tl.go_live:
                created = go_live_ms - 2 * DAY_MS + 9 * HOUR_MS + w.idx * 7_000
            else:
                created = (hire - 3) * DAY_MS + 16 * HOUR_MS + (w.idx % 600) * 1000
            self.user_created_ms[w.idx] = created
        order = np.argsort(self.user_created_ms, kind="stable")
        for i in order.tolist():
            if self.user_created_ms[i] >= 0:
                y, m = ym_of_day(int(self.user_created_ms[i] // DAY_MS))
                self.user_num[i] = user_ids.one(month_index(y, m))
        names = ["skill", "activity", "deal_size", "persistence", "response_min", "p_never",
                 "adoption", "push_lag", "training", "diligence", "speed"]
        self.param = {k: np.zeros(self.n) for k in names}
        for w in self.workers:
            for k in names:
                self.param[k][w.idx] = w.params[k]
        self.successor: dict[tuple[int, int], int] = {}
        for w in self.workers:
            for s in w.spells:
                if s.term is not None:
                    self.successor[(w.idx, s.term)] = s.successor

    # -- employment ------------------------------------------------------------------------------
    def has_user(self) -> np.ndarray:
        return self.user_num >= 0

    def active_matrix(self, days: np.ndarray) -> np.ndarray:
        """(person, day): employed that day and already a CRM user."""
        d = days[None, None, :]
        emp = ((self.spell_start[:, :, None] <= d) & (d <= self.spell_end[:, :, None])).any(1)
        user_day = np.where(self.user_num >= 0, self.user_created_ms // DAY_MS, FAR_DAY)
        return emp & (user_day[:, None] <= days[None, :])

    def end_of_employment_ms(self, person: int, ms: int) -> int:
        """End (exclusive, ms) of the employment spell that contains `ms`, or -1 if none."""
        day = ms // DAY_MS
        for k in range(3):
            if self.spell_start[person, k] <= day <= self.spell_end[person, k]:
                end = int(self.spell_end[person, k])
                return (end + 1) * DAY_MS if end < FAR_DAY else 2**62
        return -1

    def month_view(self, day: int) -> dict[str, np.ndarray]:
        """Per-person job facts as of `day`: is a rep, tz, region, hire day of current spell."""
        is_rep = np.zeros(self.n, bool)
        tz = np.zeros(self.n, np.int64)
        region = np.zeros(self.n, np.int64)
        hire = np.full(self.n, FAR_DAY, np.int64)
        for w in self.workers:
            j = w.job_at(day)
            is_rep[w.idx] = j.role == "rep"
            region[w.idx] = j.region
            tz[w.idx] = REGIONS[j.region].tz_hours
            s = w.spell_at(day) or (w.spells[-1] if w.spells[-1].hire > day else None)
            if s is not None:
                hire[w.idx] = s.hire
        return {"is_rep": is_rep, "tz": tz, "region": region, "hire": hire}

    def hire_day(self, person: int, day: int) -> int:
        """Hire day of the spell that contains `day` (or the latest one before it)."""
        starts = [int(s) for s in self.spell_start[person] if s <= day]
        return max(starts) if starts else day

    def owner_at(self, person: int, ms: int) -> int:
        """Who owns a record of `person` at `ms`: the person, or the successor chain after they
        left (the deals and accounts of a leaver are reassigned to a teammate)."""
        seen = 0
        while seen < 10:
            end = self.end_of_employment_ms(person, ms)
            if end > ms:
                return person
            term = self._last_term_before(person, ms // DAY_MS)
            nxt = self.successor.get((person, term), -1) if term is not None else -1
            if nxt < 0 or nxt == person:
                return person
            person = nxt
            seen += 1
        return person

    def _last_term_before(self, person: int, day: int) -> int | None:
        ends = [int(e) for e in self.spell_end[person] if 0 <= e < FAR_DAY and e < day]
        return max(ends) if ends else None

    def user_ref(self, person: int) -> int:
        return int(self.user_num[person])

    def tz_of(self, person: int, day: int) -> int:
        if person >= self.n_workers:
            return 0
        return REGIONS[self.workers[person].job_at(day).region].tz_hours

    def currency_of(self, person: int, day: int) -> str:
        if person >= self.n_workers:
            return "USD"
        return REGIONS[self.workers[person].job_at(day).region].currency


def allocators() -> dict[str, IdAllocator]:
    return {name: IdAllocator() for name in PREFIX}


def employment_end_ms(people: People, person: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Exclusive end (ms) of each person's employment spell containing `day`; 0 if none;
    a huge value while still employed."""
    ss, se = people.spell_start[person], people.spell_end[person]
    inside = (ss <= day[:, None]) & (day[:, None] <= se)
    end_day = np.where(inside, se, -1).max(1)
    return np.where(end_day >= FAR_DAY, 2**62, (end_day + 1) * DAY_MS)
