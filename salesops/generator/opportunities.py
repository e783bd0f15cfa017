"""Opportunities and their OpportunityHistory, one month of creations at a time.

Each deal walks the stages with a win chance set by the rep's skill, the lead source and the type
of business; each stage takes a while (longer for big deals and slow reps); optimistic close dates
get pushed when they pass (sooner or later depending on the rep's hygiene), wins bunch up before
quarter ends, some deals are parked as Omitted, a few get reopened after being lost or deleted as
duplicates; a leaver's open deals go to a teammate. Every change of stage, amount, probability,
close date or forecast category adds an OpportunityHistory row, as Salesforce does.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np

from salesops.contract import FORECAST_CATEGORIES
from salesops.generator.accounts import company_names
from salesops.generator.activities import (
    CALL,
    EMAIL,
    TODO,
    EventBatch,
    TaskBatch,
    emit_events,
    emit_tasks,
    meeting_minutes,
    random_subtypes,
)
from salesops.generator.crm_users import header
from salesops.generator.formats import Codes, day_col, ms_col, refs
from salesops.generator.ids import PREFIX, month_index
from salesops.generator.leads import SOURCE_NAMES, OppSeed
from salesops.generator.names import NEXT_STEPS, OPP_PRODUCTS
from salesops.generator.timeutil import (
    DAY_MS,
    HOUR_MS,
    NULL_MS,
    SECOND_MS,
    month_end,
    month_index_v,
    month_start,
    quarter_end,
    snap_business,
    snap_business_v,
    weekday,
    ym_of_day,
)
from salesops.generator.world import employment_end_ms, py_stream, stream


def _fc(name: str) -> int:
    return FORECAST_CATEGORIES.index(name)


# name, default probability (percent), default forecast category (Salesforce API value)
STAGES: tuple[tuple[str, int, int], ...] = (
    ("Prospecting", 10, _fc("Pipeline")),
    ("Qualification", 10, _fc("Pipeline")),
    ("Needs Analysis", 20, _fc("Pipeline")),
    ("Proposal/Price Quote", 75, _fc("BestCase")),
    ("Negotiation/Review", 90, _fc("Forecast")),
    ("Closed Won", 100, _fc("Closed")),
    ("Closed Lost", 0, _fc("Omitted")),
)
STAGE_NAMES = tuple(s[0] for s in STAGES)
WON, LOST = 5, 6
STAGE_DAYS = (8.0, 10.0, 14.0, 12.0, 10.0)
OMITTED, BEST_CASE, COMMIT = _fc("Omitted"), _fc("BestCase"), _fc("Forecast")
TYPES = ("New Business", "Existing Business")
OPP_SOURCES = (*SOURCE_NAMES, "Outbound")
OUTBOUND = len(SOURCE_NAMES)
SOURCE_WIN = {"Partner Referral": 0.5, "Employee Referral": 0.6, "Phone Inquiry": 0.3,
              "Web": 0.0, "Webinar": -0.1, "Trade Show": -0.2, "Purchased List": -0.5,
              "Advertisement": -0.3, "Outbound": -0.2}
SOURCE_SIZE = {"Partner Referral": 1.3, "Employee Referral": 1.1, "Trade Show": 1.2,
               "Purchased List": 0.7, "Advertisement": 0.8}
CURRENCIES = ("USD", "EUR")


@dataclass
class OppLog:
    """Versions, history rows and per-deal facts of one month's opportunities (columnar)."""

    num: list[int] = field(default_factory=list)
    account: list[int] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    source: list[int] = field(default_factory=list)
    type: list[int] = field(default_factory=list)
    currency: list[int] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    creator: list[int] = field(default_factory=list)
    # versions
    v_opp: list[int] = field(default_factory=list)
    v_stamp: list[int] = field(default_factory=list)
    v_stage: list[int] = field(default_factory=list)
    v_amount: list[float] = field(default_factory=list)
    v_prob: list[float] = field(default_factory=list)
    v_fc: list[int] = field(default_factory=list)
    v_close: list[int] = field(default_factory=list)
    v_owner: list[int] = field(default_factory=list)
    v_step: list[int] = field(default_factory=list)
    v_deleted: list[bool] = field(default_factory=list)
    # history: index into versions
    h_version: list[int] = field(default_factory=list)
    # activity facts: (opp, start, end, owner0, owner1, switch_ms, stages advanced)
    life: list[tuple[int, int, int, int, int, int, int]] = field(default_factory=list)


class Deal:
    """Mutable state of one opportunity while it is simulated."""

    def __init__(self, log: OppLog, idx: int, stage: int, amount: float, prob: float, fc: int,
                 close: int, owner: int, step: int) -> None:
        self.log, self.idx = log, idx
        self.stage, self.amount, self.prob, self.fc = stage, amount, prob, fc
        self.close, self.owner, self.step = close, owner, step
        self.deleted = False
        self.last_ms = -1
        self._hist: tuple | None = None
        self.owners: list[tuple[int, int]] = []

    def record(self, ms: int) -> int:
        ms = max(ms, self.last_ms + SECOND_MS)
        self.last_ms = ms
        lg = self.log
        lg.v_opp.append(self.idx)
        lg.v_stamp.append(ms)
        lg.v_stage.append(self.stage)
        lg.v_amount.append(self.amount)
        lg.v_prob.append(self.prob)
        lg.v_fc.append(self.fc)
        lg.v_close.append(self.close)
        lg.v_owner.append(self.owner)
        lg.v_step.append(self.step)
        lg.v_deleted.append(self.deleted)
        amount = None if self.amount != self.amount else self.amount  # NaN: no amount
        hist = (self.stage, amount, self.prob, self.fc, self.close)
        if hist != self._hist:
            lg.h_version.append(len(lg.v_opp) - 1)
            self._hist = hist
        if not self.owners or self.owners[-1][1] != self.owner:
            self.owners.append((ms, self.owner))
        return ms

    def set_stage(self, stage: int, r: random.Random) -> None:
        self.stage = stage
        _, prob, fc = STAGES[stage]
        self.prob, self.fc = float(prob), fc
        if stage < WON and r.random() < 0.15:
            self.prob = float(min(99, max(1, prob + r.choice((-10, -5, 5, 10)))))
        if stage == 4 and r.random() < 0.15:
            self.fc = BEST_CASE  # sandbagging
        if stage == 3 and r.random() < 0.1:
            self.fc = COMMIT  # happy ears


class Simulator:
    def __init__(self, ctx, y: int, m: int) -> None:
        self.ctx = ctx
        self.people = ctx.people
        self.tl = ctx.tl
        self.horizon = ctx.tl.horizon_ms
        self.r = py_stream(ctx.seed, "opps", y, m)
        self.log = OppLog()

    def _close_estimate(self, day: int, stage: int, size: float, speed: float) -> int:
        r = self.r
        remaining = sum(STAGE_DAYS[min(stage, 4):]) * size / speed * r.uniform(0.45, 0.9)
        est = day + max(3, int(remaining))
        u = r.random()
        if u < 0.4:
            est = month_end(est)
        elif u < 0.6:
            est = quarter_end(est)
        return est

    def _add(self, s: OppSeed) -> int:
        ctx, lg, r = self.ctx, self.log, self.r
        idx = len(lg.num)
        day = s.created // DAY_MS
        lg.num.append(s.num)
        lg.account.append(s.account)
        lg.created.append(s.created)
        lg.source.append(s.source)
        lg.type.append(0 if s.new_business else 1)
        cur = self.people.currency_of(s.owner, day)
        if cur == "EUR" and r.random() < 0.1:
            cur = "USD"
        lg.currency.append(CURRENCIES.index(cur))
        lg.name.append(f"{ctx.accounts.name[s.account]} - {r.choice(OPP_PRODUCTS)}")
        lg.creator.append(s.owner)
        return idx

    def simulate(self, s: OppSeed) -> None:
        people, r = self.people, self.r
        idx = self._add(s)
        p = people.param
        o = s.owner
        skill, speed = p["skill"][o], p["speed"][o]
        source = OPP_SOURCES[s.source] if s.source >= 0 else ""
        size = r.lognormvariate(0, 0.5) * SOURCE_SIZE.get(source, 1.0) * (
            1.0 if s.new_business else 0.45)
        amount = float(max(500, round(p["deal_size"][o] * size, -2)))
        size_factor = min(2.5, max(0.6, size ** 0.5))
        day = s.created // DAY_MS
        ramp = 0.35 if day - people.hire_day(o, day) < 90 else 0.0
        logit = -0.9 + 0.55 * skill + SOURCE_WIN.get(source, 0.0) + (
            0.7 if not s.new_business else 0.0) - ramp
        win_p = 1 / (1 + math.exp(-logit))
        stage = 1 if s.from_lead and r.random() < 0.4 else 0
        p_adv = win_p ** (1 / (5 - stage))
        step = r.randrange(len(NEXT_STEPS)) if r.random() < 0.85 else -1
        d = Deal(self.log, idx, stage, amount if (stage > 0 or r.random() > 0.4) else math.nan,
                 0.0, 0, self._close_estimate(day, stage, size_factor, speed), o, step)
        d.set_stage(stage, r)
        t = d.record(s.created)
        start = t
        if r.random() < 0.004:  # a duplicate, deleted shortly after creation
            d.deleted = True
            d.record(s.created + int(r.uniform(0.5, 5) * DAY_MS))
            return
        reopened = False
        omitted = False
        tz = people.tz_of(o, day)
        lag = p["push_lag"][o]
        while True:
            if d.stage >= WON:
                if d.stage == LOST and not reopened and r.random() < 0.012:
                    t_r = snap_business(t + int(r.uniform(3, 25) * DAY_MS), tz)
                    if t_r >= self.horizon:
                        break
                    reopened = True
                    d.set_stage(r.choice((3, 4)), r)
                    d.close = self._close_estimate(t_r // DAY_MS, d.stage, size_factor, speed)
                    t = d.record(t_r)
                    p_adv = 0.5
                    continue
                break
            dur = r.gammavariate(2.0, STAGE_DAYS[d.stage] / 2) * size_factor / speed
            if omitted:
                dur *= 3
            t_next = snap_business(t + int(dur * DAY_MS) + HOUR_MS, tz)
            # the close date passes: the rep pushes it (quickly or late)
            while d.close < t_next // DAY_MS:
                t_push = snap_business((d.close + int(lag * r.uniform(0.5, 1.5))) * DAY_MS
                                       + 10 * HOUR_MS, tz)
                if t_push >= t_next or t_push >= self.horizon:
                    break
                d.close = max(t_push // DAY_MS + 7,
                              self._close_estimate(t_push // DAY_MS, d.stage, size_factor, speed))
                if r.random() < 0.5:
                    d.close = quarter_end(d.close)
                t = d.record(t_push)
            # the owner leaves: the deal goes to a teammate
            end = int(employment_end_ms(people, np.array([d.owner]), np.array([t // DAY_MS]))[0])
            if end <= t_next:
                t_ra = end + DAY_MS + 15 * HOUR_MS
                if t_ra >= self.horizon:
                    break
                new = people.owner_at(d.owner, t_ra)
                if new != d.owner:
                    d.owner = new
                    t = d.record(max(t_ra, t + SECOND_MS))
                    tz = people.tz_of(new, t // DAY_MS)
                    lag = p["push_lag"][new]
                    if t >= t_next:
                        t_next = snap_business(t + HOUR_MS, tz)
                else:
                    break  # nobody to hand it to: it goes stale
            if t_next >= self.horizon:
                break
            if d.step >= 0 and r.random() < 0.3:  # a next-step update between stage changes
                mid = t + (t_next - t) // 2
                d.step = r.randrange(len(NEXT_STEPS))
                t = d.record(mid)
            if r.random() < p_adv * (0.35 if omitted else 1.0):
                new_stage = d.stage + 1 if d.stage < 4 else WON
            else:
                new_stage = LOST
            t = t_next
            if new_stage == WON:
                qe = quarter_end(t // DAY_MS)
                if qe - t // DAY_MS <= 40 and r.random() < 0.7:  # the quarter-end push
                    target = qe - r.randint(0, 6)
                    while weekday(target) >= 5:
                        target -= 1
                    t = max(t, target * DAY_MS + (15 - tz) * HOUR_MS + r.randint(0, 7200)
                            * SECOND_MS)
                    if t >= self.horizon:
                        break
            d.set_stage(new_stage, r)
            if omitted and new_stage < WON:
                d.fc = OMITTED
            if new_stage in (2, 3) and d.amount != d.amount and r.random() < 0.9:
                d.amount = float(max(500, round(p["deal_size"][o] * size, -2)))
            if new_stage == 3 and d.amount == d.amount:
                d.amount = float(max(500, round(d.amount * r.uniform(0.8, 1.25), -2)))
            if new_stage == WON:
                if d.amount != d.amount:
                    d.amount = float(max(500, round(p["deal_size"][o] * size, -2)))
                elif r.random() < 0.3:
                    d.amount = float(max(500, round(d.amount * r.uniform(0.85, 0.97), -2)))
            if new_stage >= WON:
                d.close = max(t // DAY_MS, s.created // DAY_MS)
            elif r.random() < 0.3:
                d.close = max(d.close, self._close_estimate(t // DAY_MS, new_stage, size_factor,
                                                            speed))
            if new_stage < WON and r.random() < 0.7:
                d.step = r.randrange(len(NEXT_STEPS))
            elif new_stage < WON and r.random() < 0.1:
                d.step = -1
            if new_stage < WON and not omitted and 1 <= new_stage <= 3 and r.random() < 0.04:
                omitted = True  # parked: on hold, out of the forecast
                d.fc = OMITTED
            t = d.record(t)
            if new_stage == WON:
                self.ctx.accounts.won(s.account, t)
        self._life(d, start)

    def _life(self, d: Deal, start: int) -> None:
        if d.deleted:
            return
        end = d.last_ms if d.stage >= WON else self.horizon
        owners = d.owners
        o0 = owners[0][1]
        o1, switch = (owners[1][1], owners[1][0]) if len(owners) > 1 else (o0, 2**62)
        advanced = max(0, d.stage if d.stage < WON else 5)
        self.log.life.append((d.idx, start, end, o0, o1, switch, advanced))

    # -- scripted deals (every preset shows these cases) ------------------------------------------
    def scripted(self, s: OppSeed, kind: str) -> None:
        """`reopen`: lost before the first drop, reopened in the first delta (won later);
        `delete`: open in the first drop, deleted in the second delta;
        `omitted`: parked out of the forecast, still open."""
        r = self.r
        idx = self._add(s)
        tl = self.tl
        c0 = tl.first_cutoff_ms
        o = s.owner
        day = s.created // DAY_MS
        d = Deal(self.log, idx, 0, float(max(500, round(self.people.param["deal_size"][o], -2))),
                 0.0, 0, month_end(day + 30), o, 0)
        d.set_stage(0, r)
        d.prob, d.fc = 10.0, _fc("Pipeline")
        start = d.record(s.created)
        if kind == "reopen":
            d.set_stage(2, r)
            d.record(s.created + 6 * DAY_MS)
            d.set_stage(LOST, r)
            d.close = (c0 - 2 * DAY_MS) // DAY_MS
            d.record(c0 - 2 * DAY_MS + 15 * HOUR_MS)
            d.set_stage(4, r)
            d.prob, d.fc = 90.0, COMMIT
            d.close = month_end(c0 // DAY_MS + 10)
            d.record(c0 + 15 * HOUR_MS)
            if len(tl.drop_days) > 3:
                d.set_stage(WON, r)
                d.close = tl.drop_days[2]
                d.record(tl.cutoff_ms(2) + 14 * HOUR_MS)
                self.ctx.accounts.won(s.account, tl.cutoff_ms(2) + 14 * HOUR_MS)
        elif kind == "delete":
            d.set_stage(1, r)
            d.prob = 10.0
            d.record(s.created + 2 * DAY_MS)
            d.deleted = True
            d.record(tl.cutoff_ms(min(1, len(tl.drop_days) - 1)) + 16 * HOUR_MS)
        elif kind == "omitted":
            d.set_stage(2, r)
            d.prob = 20.0
            d.record(s.created + 7 * DAY_MS)
            d.fc = OMITTED
            d.step = -1
            d.record(s.created + 20 * DAY_MS)
        self._life(d, start)

    # -- output -----------------------------------------------------------------------------------
    def emit(self) -> None:
        ctx, lg = self.ctx, self.log
        if not lg.v_opp:
            return
        people = self.people
        v = np.array(lg.v_opp, np.int64)
        nums = np.array(lg.num, np.int64)
        stage = np.array(lg.v_stage, np.int64)
        amount = np.array(lg.v_amount, float)
        prob = np.array(lg.v_prob, float)
        close = np.array(lg.v_close, np.int64)
        stamp = np.array(lg.v_stamp, np.int64)
        owner_user = people.user_num[np.array(lg.v_owner, np.int64)]
        created = np.array(lg.created, np.int64)
        close_dt = close.view("datetime64[D]")
        cy = close_dt.astype("datetime64[Y]").astype(np.int64) + 1970
        cq = (close_dt.astype("datetime64[M]").astype(np.int64) % 12) // 3 + 1
        frame = {
            "Id": refs(PREFIX["Opportunity"], nums[v]),
            "AccountId": refs(PREFIX["Account"],
                              ctx.accounts.num_array()[np.array(lg.account, np.int64)][v]),
            "OwnerId": refs(PREFIX["User"], owner_user),
            "StageName": Codes(STAGE_NAMES, stage),
            "Amount": amount,
            "Probability": prob,
            "ForecastCategory": Codes(FORECAST_CATEGORIES, np.array(lg.v_fc, np.int64)),
            "IsClosed": stage >= WON,
            "IsWon": stage == WON,
            "CloseDate": day_col(close),
            "CreatedDate": ms_col(created[v]),
            "SystemModstamp": ms_col(stamp),
            "IsDeleted": np.array(lg.v_deleted, bool),
            "LeadSource": Codes(OPP_SOURCES, np.array(lg.source, np.int64)[v]),
            "Type": Codes(TYPES, np.array(lg.type, np.int64)[v]),
            "CurrencyIsoCode": Codes(CURRENCIES, np.array(lg.currency, np.int64)[v]),
            "NextStep": Codes(NEXT_STEPS, np.array(lg.v_step, np.int64)),
            "Name": np.array(lg.name, dtype=object)[v],
            "ExpectedRevenue": np.round(amount * prob / 100, 2),
            "FiscalYear": cy,
            "FiscalQuarter": cq,
            "CreatedById": refs(PREFIX["User"], people.user_num[np.array(lg.creator)][v]),
        }
        frame["LastModifiedDate"] = frame["SystemModstamp"]
        ctx.land.emit("Opportunity.csv", header("Opportunity.csv"), frame, nums[v], stamp)
        ctx.count("Opportunity", len(lg.num))
        # history: one row per change of the tracked fields
        h = np.array(lg.h_version, np.int64)
        h_ms = stamp[h]
        order = np.argsort(h_ms, kind="stable")
        h_nums = np.empty(len(h), np.int64)
        h_nums[order] = ctx.ids["OpportunityHistory"].alloc_by_month(month_index_v(h_ms[order]))
        hist = {
            "Id": refs(PREFIX["OpportunityHistory"], h_nums),
            "OpportunityId": refs(PREFIX["Opportunity"], nums[v[h]]),
            "StageName": Codes(STAGE_NAMES, stage[h]),
            "Amount": amount[h],
            "Probability": prob[h],
            "CloseDate": day_col(close[h]),
            "ForecastCategory": Codes(FORECAST_CATEGORIES, np.array(lg.v_fc, np.int64)[h]),
            "CreatedDate": ms_col(h_ms),
            "CreatedById": refs(PREFIX["User"], owner_user[h]),
            "ExpectedRevenue": np.round(amount[h] * prob[h] / 100, 2),
            "IsDeleted": np.zeros(len(h), bool),
            "SystemModstamp": ms_col(h_ms),
        }
        ctx.land.emit("OpportunityHistory.csv", header("OpportunityHistory.csv"), hist, h_nums,
                      h_ms)
        self._activities()

    def _activities(self) -> None:
        """Calls, e-mails, to-dos and meetings on each deal while it is open."""
        ctx, lg, people = self.ctx, self.log, self.people
        if not lg.life:
            return
        rng = stream(ctx.seed, "deal-activity", lg.num[0])
        life = np.array(lg.life, np.int64)
        opp, start, end, o0, o1, switch, adv = life.T
        end = np.minimum(end, self.horizon)
        days = np.maximum(end - start, 0) / DAY_MS
        act = people.param["activity"][o0]
        n_t = rng.poisson(ctx.preset.deal_tasks_per_day * act * days)
        k = np.repeat(np.arange(len(opp)), n_t)
        t = start[k] + (rng.random(len(k)) * (end[k] - start[k])).astype(np.int64)
        owner = np.where(t < switch[k], o0[k], o1[k])
        t = snap_business_v(t, self._tz(owner))
        ok = (t < employment_end_ms(people, owner, t // DAY_MS)) & (t < self.horizon)
        k, t, owner = k[ok], t[ok], owner[ok]
        n = len(k)
        sub = random_subtypes(rng, n, {CALL: 0.45, EMAIL: 0.45, TODO: 0.1})
        acc = np.array(lg.account, np.int64)[opp[k]]
        who = ctx.accounts.contact_num(acc, rng.integers(0, 4, n))
        is_todo = sub == TODO
        done = np.where(is_todo,
                        np.where(rng.random(n) < 0.85,
                                 snap_business_v(t + (rng.uniform(0.5, 6, n) * DAY_MS).astype(
                                     np.int64), self._tz(owner)), NULL_MS), t)
        due = np.where(is_todo, t // DAY_MS + rng.integers(1, 6, n), t // DAY_MS)
        nums = np.array(lg.num, np.int64)
        emit_tasks(ctx, TaskBatch(owner, refs(PREFIX["Contact"], np.where(
            is_todo & (rng.random(n) < 0.5), -1, who)), refs(PREFIX["Opportunity"],
                                                                 nums[opp[k]]),
            sub, t, done, due), rng)
        # meetings
        n_e = rng.poisson(0.5 + 0.6 * adv)
        k = np.repeat(np.arange(len(opp)), n_e)
        lo = start[k] + DAY_MS
        st = lo + (rng.random(len(k)) * np.maximum(end[k] - lo, 0)).astype(np.int64)
        owner = np.where(st < switch[k], o0[k], o1[k])
        st = snap_business_v(st, self._tz(owner))
        booked = np.maximum(start[k] + HOUR_MS,
                            st - (rng.uniform(1, 8, len(k)) * DAY_MS).astype(np.int64))
        booked = booked - booked % SECOND_MS
        ok = (booked < employment_end_ms(people, owner, booked // DAY_MS)) & (
            booked < self.horizon) & (st < end[k] + 7 * DAY_MS)
        k, st, owner, booked = k[ok], st[ok], owner[ok], booked[ok]
        acc = np.array(lg.account, np.int64)[opp[k]]
        who = ctx.accounts.contact_num(acc, rng.integers(0, 4, len(k)))
        emit_events(ctx, EventBatch(owner, refs(PREFIX["Contact"], who),
                                    refs(PREFIX["Opportunity"], nums[opp[k]]), st,
                                    meeting_minutes(rng, len(k)), booked), rng)

    def _tz(self, owner: np.ndarray) -> np.ndarray:
        """UTC offset of each owner (their region this month: close enough for timestamps)."""
        return self.ctx.view["tz"][owner]


def run_month(ctx, y: int, m: int, scripted: list[tuple[OppSeed, str]]) -> None:
    sim = Simulator(ctx, y, m)
    seeds = sorted(ctx.seeds.pop(month_index(y, m), []), key=lambda s: (s.created, s.num))
    for s in seeds:
        sim.simulate(s)
    for s, kind in scripted:
        sim.scripted(s, kind)
    sim.emit()


def sourced_seeds(ctx, y: int, m: int) -> list[OppSeed]:
    """Deals reps open themselves: upsells on customers of their book, or outbound prospects
    (a new account created just before the deal)."""
    people, tl, p = ctx.people, ctx.tl, ctx.preset
    rng = stream(ctx.seed, "sourced", y, m)
    first = max(month_start(y, m), tl.go_live)
    last = min(month_end(month_start(y, m)), tl.drop_days[-1] - 1)
    days = np.arange(first, last + 1, dtype=np.int64)
    if len(days) == 0:
        return []
    view = ctx.view
    act = people.active_matrix(days) & view["is_rep"][:, None] & (((days + 3) % 7) < 5)[None, :]
    share = act.sum(1) / 21.0
    n = rng.poisson(p.sourced_opps_per_rep_month * people.param["activity"] * share)
    out = []
    for person in np.nonzero(n)[0].tolist():
        active_days = days[act[person]]
        for _ in range(int(n[person])):
            day = int(active_days[rng.integers(len(active_days))])
            t = int(day * DAY_MS + (9 + rng.random() * 8 - view["tz"][person]) * HOUR_MS)
            t -= t % SECOND_MS
            acc = ctx.accounts.pick(person, rng, before=t) if rng.random() < 0.6 else -1
            new_business = acc < 0 or acc not in ctx.accounts.customer
            if acc < 0:
                name = company_names(rng, 1)[0]
                acc = ctx.accounts.create(name, person, t - int(rng.integers(300, 1800)) * 1000,
                                          int(view["region"][person]), 2, False, person)
            num = ctx.ids["Opportunity"].one(month_index(*ym_of_day(day)))
            out.append(OppSeed(t, num, person, acc, OUTBOUND if new_business else -1,
                               new_business, False))
    return out


def scripted_seeds(ctx, y: int, m: int) -> list[tuple[OppSeed, str]]:
    """The guaranteed cases, created in the months their timelines need."""
    tl, people = ctx.tl, ctx.people
    c0 = tl.first_cutoff_ms
    out = []
    for kind, offset_days in (("reopen", 25), ("delete", 10), ("omitted", 40)):
        created = c0 - offset_days * DAY_MS + 14 * HOUR_MS
        if ym_of_day(created // DAY_MS) != (y, m) or created < tl.go_live * DAY_MS:
            continue
        day = created // DAY_MS
        horizon_day = tl.drop_days[-1]
        reps = [w.idx for w in people.workers if people.user_num[w.idx] >= 0
                and w.job_at(day).role == "rep" and w.employed(day) and w.employed(horizon_day)
                and people.user_created_ms[w.idx] < created]
        if not reps:
            continue
        owner = reps[len(reps) // 3]
        acc = ctx.accounts.pick(owner, np.random.default_rng(0), before=created)
        if acc < 0:
            acc = ctx.accounts.create(f"Scripted {kind.title()} Ltd", owner, created - 60_000,
                                      int(ctx.view["region"][owner]), 2, False, owner)
        num = ctx.ids["Opportunity"].one(month_index(y, m))
        out.append((OppSeed(created, num, owner, acc, OUTBOUND, True, False), kind))
    return out
