"""LMS: course catalog, assignments and xAPI 1.0.3 statements.

Assignments: onboarding courses at hire, compliance campaigns every January (and at go-live),
product launch courses to everyone in sales, skills courses managers assign to weaker reps. Reps
also take skills courses on their own, more so the better ones (so training hours line up with
results). Statements go registered -> attempted -> completed (or passed/failed with a score,
retried after a fail). The LRS export of each drop re-delivers the last statement of the previous
export (same id: count once), some statements arrive days late, and an admin voids a wrong one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import numpy as np

from salesops.contract import XAPI_VERBS, spec_for
from salesops.generator.landing import Landing
from salesops.generator.timeutil import (
    DAY_MS,
    HOUR_MS,
    MINUTE_MS,
    SECOND_MS,
    day_number,
    fmt_date,
    fmt_datetime,
    snap_business,
    ym_of_day,
)
from salesops.generator.workforce import REGIONS
from salesops.generator.world import People, Timeline, stream

IRI_BASE = "https://lms.example.com/xapi/activities/course/"
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
LMS_ADMIN = ("LMS Administrator", "mailto:lms-admin@example.com")


@dataclass(frozen=True)
class Course:
    slug: str
    title: str
    category: str
    hours: float
    assessed: bool

    @property
    def iri(self) -> str:
        return IRI_BASE + self.slug


COURSES: tuple[Course, ...] = (
    Course("onboarding-welcome", "Welcome to the Sales Team", "onboarding", 1.0, False),
    Course("onboarding-crm-basics", "CRM Basics: Logging Activities", "onboarding", 1.5, False),
    Course("onboarding-product-overview", "Product Overview", "onboarding", 3.0, True),
    Course("compliance-code-of-conduct", "Code of Conduct", "compliance", 1.0, True),
    Course("compliance-data-privacy", "Data Privacy & GDPR", "compliance", 1.5, True),
    Course("compliance-anti-bribery", "Anti-Bribery and Corruption", "compliance", 0.75, True),
    Course("product-analytics-addon", "Analytics Add-on: Positioning", "product", 2.0, True),
    Course("product-platform-release", "Platform Release, \"What's New\"", "product", 2.5, True),
    Course("product-ai-assistant", "AI Assistant Launch", "product", 1.5, True),
    Course("skills-discovery", "Discovery Questioning", "sales_skills", 4.0, False),
    Course("skills-negotiation", "Negotiation Fundamentals", "sales_skills", 6.0, False),
    Course("skills-objection-handling", "Objection Handling", "sales_skills", 3.0, False),
    Course("skills-forecasting", "Forecasting with Confidence", "sales_skills", 2.0, False),
    Course("skills-cold-calling", "Cold Calling That Works", "sales_skills", 2.5, False),
)


def _duration(minutes: int) -> str:
    h, m = divmod(max(1, int(minutes)), 60)
    return "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "")


class Lms:
    def __init__(self, people: People, tl: Timeline, seed: int) -> None:
        self.people, self.tl, self.seed = people, tl, seed
        self.rng = stream(seed, "lms")
        self.ns = uuid.uuid5(uuid.NAMESPACE_URL, f"https://lms.example.com/generator/{seed}")
        self.n_ids = 0
        self.statements: list[tuple[int, dict]] = []  # (stored ms, statement)
        self.assignments: dict[tuple[str, str, int], int] = {}  # key -> due day
        by_cat = {}
        for c in COURSES:
            by_cat.setdefault(c.category, []).append(c)
        self.by_cat = by_cat
        # launches: product courses spread over the history, the last one just after the first drop
        products = by_cat["product"]
        span = tl.drop_days[0] - tl.go_live
        self.launch = {c.slug: tl.go_live - 200 for c in COURSES}
        for i, c in enumerate(products[:-1]):
            self.launch[c.slug] = tl.go_live + int(span * (i + 1) / len(products))
        self.launch[products[-1].slug] = tl.drop_days[0] + min(3, len(tl.drop_days) - 2)

    # -- statements -------------------------------------------------------------------------------
    def _email(self, person: int) -> str:
        w = self.people.workers[person]
        return w.crm_email if w.idx % 29 == 5 else w.email  # the odd mixed-case address

    def _statement(self, person: int, verb: str, course: Course, ms: int,
                   result: dict | None = None) -> dict:
        self.n_ids += 1
        w = self.people.workers[person]
        st = {
            "id": str(uuid.uuid5(self.ns, f"statement/{self.n_ids}")),
            "actor": {"objectType": "Agent", "name": w.name, "mbox": "mailto:" + self._email(
                person)},
            "verb": {"id": XAPI_VERBS[verb], "display": {"en-US": verb}},
            "object": {"objectType": "Activity", "id": course.iri,
                       "definition": {"name": {"en-US": course.title}, "type": COURSE_TYPE}},
        }
        if result is not None:
            st["result"] = result
        st["context"] = {"platform": "Example LMS", "language": "en-US"}
        st["timestamp"] = fmt_datetime(ms)
        stored = ms + int(self.rng.integers(2, 180)) * SECOND_MS
        if self.rng.random() < 0.02:  # synced late from the mobile app
            stored += int(self.rng.integers(1, 5)) * DAY_MS
        st["stored"] = fmt_datetime(stored)
        st["authority"] = {"objectType": "Agent", "name": "Example LMS",
                           "mbox": "mailto:lms@example.com"}
        st["version"] = "1.0.3"
        self.statements.append((stored, st))
        return st

    def _take(self, person: int, course: Course, start_ms: int, end_ms: int,
              register_ms: int | None) -> None:
        """Statements of one person taking one course, cut at the end of their employment."""
        rng = self.rng
        tz = REGIONS[self.people.workers[person].job_at(start_ms // DAY_MS).region].tz_hours
        cutoff = min(end_ms, self.tl.horizon_ms)
        if register_ms is not None and register_ms < cutoff:
            self._statement(person, "registered", course, register_ms)
        t = snap_business(max(start_ms, (register_ms or 0) + MINUTE_MS), tz)
        skill = self.people.param["skill"][person]
        for attempt in range(3):
            if t >= cutoff:
                return
            self._statement(person, "attempted", course, t)
            minutes = int(course.hours * 60 * rng.uniform(0.6, 1.5))
            done = t + minutes * MINUTE_MS
            if done >= cutoff:
                return
            if not course.assessed:
                self._statement(person, "completed", course, done,
                                {"completion": True, "duration": _duration(minutes)})
                return
            score = float(np.clip(rng.normal(0.74 + 0.06 * skill + 0.08 * attempt, 0.1), 0.2, 1))
            passed = score >= 0.7
            self._statement(person, "passed" if passed else "failed", course, done, {
                "completion": True, "success": passed,
                "score": {"scaled": round(score, 2), "raw": round(score * 100), "min": 0,
                          "max": 100},
                "duration": _duration(minutes)})
            if passed:
                return
            t = snap_business(done + int(rng.uniform(1, 7) * DAY_MS), tz)

    def _assign(self, person: int, course: Course, day: int, due: int) -> None:
        w = self.people.workers[person]
        key = (w.email, course.slug, day)
        if key in self.assignments:
            return
        self.assignments[key] = due
        rng = self.rng
        diligence = self.people.param["diligence"][person]
        p_done = 0.5 + 0.45 * diligence + (0.1 if course.category == "compliance" else 0.0)
        if rng.random() >= p_done:
            return  # never done: overdue
        stretch = (due - day) * rng.uniform(0.05, 1.0) * (1.6 - diligence)
        start = day * DAY_MS + int(stretch * DAY_MS) + 9 * HOUR_MS
        end = self._employment_end(person, day)
        self._take(person, course, start, end, day * DAY_MS + 8 * HOUR_MS
                   + int(rng.integers(0, 36000)) * SECOND_MS)

    def _employment_end(self, person: int, day: int) -> int:
        return self.people.end_of_employment_ms(person, day * DAY_MS)

    # -- simulation -------------------------------------------------------------------------------
    def simulate(self) -> None:
        tl, people, rng = self.tl, self.people, self.rng
        last = tl.drop_days[-1]
        workers = [w for w in people.workers if people.user_num[w.idx] >= 0]
        campaigns = [tl.go_live + 14]
        y0 = ym_of_day(tl.go_live)[0]
        for y in range(y0 + 1, ym_of_day(last)[0] + 1):
            campaigns.append(day_number(dt.date(y, 1, 15)))
        for w in workers:
            for s in w.spells:
                end = s.term if s.term is not None else last
                if end < tl.go_live or s.hire >= last:
                    continue
                if s.hire >= tl.go_live:
                    for c in self.by_cat["onboarding"] + self.by_cat["compliance"]:
                        self._assign(w.idx, c, s.hire, s.hire + 30)
                for day in campaigns:
                    if s.hire <= day <= end and day < last:
                        for c in self.by_cat["compliance"]:
                            self._assign(w.idx, c, day, day + 45)
                for c in self.by_cat["product"]:
                    day = self.launch[c.slug]
                    if tl.go_live <= day < last and s.hire <= day <= end:
                        self._assign(w.idx, c, day, day + 30)
                # quarterly: manager-assigned skills courses and self-directed learning
                q = max(s.hire, tl.go_live)
                while q < min(end, last):
                    job = w.job_at(q)
                    if job.role == "rep":
                        skills = self.by_cat["sales_skills"]
                        if people.param["skill"][w.idx] < -0.3 and rng.random() < 0.35:
                            day = q + int(rng.integers(0, 80))
                            if day < min(end, last):
                                c = skills[int(rng.integers(len(skills)))]
                                self._assign(w.idx, c, day, day + 30)
                        for _ in range(int(rng.poisson(1.6 * people.param["training"][w.idx]))):
                            c = skills[int(rng.integers(len(skills)))]
                            start = (q + int(rng.integers(0, 90))) * DAY_MS + 10 * HOUR_MS
                            self._take(w.idx, c, start, self._employment_end(w.idx, q),
                                       start - 5 * MINUTE_MS)
                    q += 91
        self._void_one()

    def _void_one(self) -> None:
        """An admin voids a `passed` recorded by mistake (e.g. a test run on a real account)."""
        tl = self.tl
        first = tl.first_cutoff_ms
        cands = [(stored, st) for stored, st in self.statements
                 if st["verb"]["id"] == XAPI_VERBS["passed"] and stored < first]
        if not cands:
            return
        _, target = max(cands, key=lambda c: c[0])
        when = tl.cutoff_ms(min(1, len(tl.drop_days) - 1)) + 10 * HOUR_MS
        self.n_ids += 1
        st = {
            "id": str(uuid.uuid5(self.ns, f"statement/{self.n_ids}")),
            "actor": {"objectType": "Agent", "name": LMS_ADMIN[0], "mbox": LMS_ADMIN[1]},
            "verb": {"id": XAPI_VERBS["voided"], "display": {"en-US": "voided"}},
            "object": {"objectType": "StatementRef", "id": target["id"]},
            "timestamp": fmt_datetime(when),
            "stored": fmt_datetime(when + 3 * SECOND_MS),
            "authority": {"objectType": "Agent", "name": "Example LMS",
                          "mbox": "mailto:lms@example.com"},
            "version": "1.0.3",
        }
        self.statements.append((when + 3 * SECOND_MS, st))

    # -- output -----------------------------------------------------------------------------------
    def write(self, land: Landing) -> None:
        tl = self.tl
        per_drop: list[list[tuple[int, dict]]] = [[] for _ in tl.drop_days]
        for stored, st in self.statements:
            d = land.drop_of(stored)
            if d is not None:
                per_drop[d].append((stored, st))
        for items in per_drop:
            items.sort(key=lambda x: (x[0], x[1]["id"]))
        course_header = spec_for("lms", "courses.csv").required_columns
        assign_header = spec_for("lms", "assignments.csv").required_columns
        assignments = sorted(self.assignments.items(), key=lambda kv: (kv[0][2], kv[0][0],
                                                                       kv[0][1]))
        iri = {c.slug: c.iri for c in COURSES}
        for d, day in enumerate(tl.drop_days):
            records = [st for _, st in per_drop[d]]
            if d > 0 and per_drop[d - 1]:
                # the export window overlaps the previous one: its last statement comes again
                records.insert(0, per_drop[d - 1][-1][1])
            land.write_jsonl("lms", d, "statements.jsonl", records)
            land.write_rows("lms", d, "courses.csv", course_header, [
                [c.iri, c.title, c.category, f"{c.hours:g}"]
                for c in COURSES if self.launch[c.slug] < day])
            land.write_rows("lms", d, "assignments.csv", assign_header, [
                [email, iri[slug], fmt_date(a_day), fmt_date(due)]
                for (email, slug, a_day), due in assignments if a_day < day])
