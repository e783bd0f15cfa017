"""Leads, one month at a time: inbound leads assigned to the reps on duty, each rep answering at
their own pace (some within minutes, some never), touching a lead a rep-specific number of times,
and converting it (into an account and an opportunity) at a rate that depends on the source, the
rep and the touches. Untouched leads are partly closed by an admin clean-up; a few spam leads
are deleted."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesops.generator.accounts import company_names
from salesops.generator.activities import (
    CADENCE,
    CALL,
    EMAIL,
    LIST_EMAIL,
    EventBatch,
    TaskBatch,
    emit_events,
    emit_tasks,
    group_positions,
    meeting_minutes,
    random_subtypes,
)
from salesops.generator.crm_users import header
from salesops.generator.formats import Codes, day_col, ms_col, refs
from salesops.generator.ids import PREFIX, month_index
from salesops.generator.names import (
    COUNTRIES_BY_REGION,
    FIRST_NAMES,
    LAST_NAMES,
    LEAD_TITLES,
    ascii_slug,
)
from salesops.generator.timeutil import (
    DAY_MS,
    HOUR_MS,
    MINUTE_MS,
    NULL_DAY,
    NULL_MS,
    SECOND_MS,
    local_time_v,
    month_end,
    month_start,
    snap_business_v,
    ym_of_day,
)
from salesops.generator.world import FAR_DAY, stream

LEAD_STATUS = ("Open - Not Contacted", "Working - Contacted", "Closed - Converted",
               "Closed - Not Converted")
OPEN, WORKING, CONVERTED, NOT_CONVERTED = range(4)
# source: (share of leads, conversion base rate, created by the web integration)
LEAD_SOURCES: dict[str, tuple[float, float]] = {
    "Web": (0.30, 0.13),
    "Webinar": (0.12, 0.10),
    "Trade Show": (0.10, 0.09),
    "Partner Referral": (0.10, 0.28),
    "Employee Referral": (0.05, 0.34),
    "Purchased List": (0.18, 0.03),
    "Phone Inquiry": (0.07, 0.24),
    "Advertisement": (0.08, 0.07),
}
SOURCE_NAMES = tuple(LEAD_SOURCES)
WEB_SOURCES = {SOURCE_NAMES.index(s) for s in ("Web", "Webinar", "Advertisement")}
IMPORT_SOURCES = {SOURCE_NAMES.index(s) for s in ("Purchased List", "Trade Show")}
COUNTRIES = tuple(sorted({c for cs in COUNTRIES_BY_REGION.values() for c in cs}))
_REGION_COUNTRIES = [np.array([COUNTRIES.index(c) for c in cs])
                     for cs in COUNTRIES_BY_REGION.values()]


@dataclass
class OppSeed:
    created: int  # ms
    num: int  # Opportunity record number
    owner: int  # person
    account: int  # index in Accounts
    source: int  # index in opportunities.OPP_SOURCES (lead sources, then Outbound); -1: none
    new_business: bool
    from_lead: bool


def run_month(ctx, y: int, m: int) -> None:
    """Generate and emit the leads created in month (y, m) and their touches."""
    p, people, tl = ctx.preset, ctx.people, ctx.tl
    rng = stream(ctx.seed, "leads", y, m)
    first = max(month_start(y, m), tl.go_live)
    last = min(month_end(month_start(y, m)), tl.drop_days[-1] - 1)
    days = np.arange(first, last + 1, dtype=np.int64)
    if len(days) == 0:
        return
    view = people.month_view(int(days[len(days) // 2]))
    act = people.active_matrix(days) & view["is_rep"][:, None]
    tenure = days[None, :] - view["hire"][:, None]
    weight = act * np.where(tenure < 30, 0.3, np.where(tenure < 90, 0.7, 1.0))
    workday = ((days + 3) % 7) < 5
    rate = p.leads_per_rep_month * 12 / 365 * np.where(workday, 1.25, 0.4) * weight.sum(0)
    per_day = rng.poisson(rate)
    owner_parts, day_parts = [], []
    for d in range(len(days)):
        if per_day[d] == 0:
            continue
        w = weight[:, d]
        owner_parts.append(rng.choice(people.n, size=per_day[d], p=w / w.sum()))
        day_parts.append(np.full(per_day[d], days[d]))
    if not owner_parts:
        return
    owner = np.concatenate(owner_parts)
    day = np.concatenate(day_parts)
    n = len(owner)
    tz = view["tz"][owner]
    hour = np.where(rng.random(n) < 0.7, 7 + rng.random(n) * 13, rng.random(n) * 24)
    created = local_time_v(day, hour, tz)
    order = np.argsort(created, kind="stable")
    owner, day, tz, created = owner[order], day[order], tz[order], created[order]
    to_queue = rng.random(n) < 0.03  # parked with the integration user, never worked
    owner = np.where(to_queue, people.integration, owner)
    shares = np.array([v[0] for v in LEAD_SOURCES.values()])
    source = rng.choice(len(SOURCE_NAMES), size=n, p=shares / shares.sum())
    skill = people.param["skill"][owner]

    # employment end of the owner (touches stop when the rep leaves)
    ss, se = people.spell_start[owner], people.spell_end[owner]
    inside = (ss <= day[:, None]) & (day[:, None] <= se)
    end_day = np.where(inside, se, -1).max(1)
    end_ms = np.where(end_day >= FAR_DAY, 2**62, (end_day + 1) * DAY_MS)
    horizon = tl.horizon_ms

    # touches
    touched = (rng.random(n) >= people.param["p_never"][owner]) & ~to_queue
    persistence = people.param["persistence"][owner]
    n_touch = np.where(touched, np.minimum(1 + rng.poisson(np.maximum(persistence - 1, 0.1)), 25),
                       0)
    response = np.exp(rng.normal(np.log(np.maximum(people.param["response_min"][owner], 1)),
                                 0.9)) * MINUTE_MS
    first_touch = snap_business_v(created + response.astype(np.int64) + SECOND_MS, tz)
    lead_of = np.repeat(np.arange(n), n_touch)
    pos = group_positions(n_touch)
    gap = np.where(pos == 0, 0, (rng.exponential(2.2, len(pos)) * DAY_MS + HOUR_MS)).astype(
        np.int64)
    cum = np.cumsum(gap)
    cum -= cum[np.repeat(np.cumsum(n_touch) - n_touch, n_touch)]
    t_touch = snap_business_v(first_touch[lead_of] + cum, tz[lead_of])
    keep = (t_touch < end_ms[lead_of]) & (t_touch < horizon)
    last_idx = np.cumsum(n_touch) - 1
    last_touch = np.where(n_touch > 0, t_touch[np.maximum(last_idx, 0)] if len(t_touch) else 0,
                          NULL_MS)
    kept_count = np.bincount(lead_of[keep], minlength=n)

    # outcome
    base = np.array([v[1] for v in LEAD_SOURCES.values()])[source]
    factor = np.minimum(1.0, n_touch / 4.0) ** 0.8 * np.where(n_touch > 12, 0.6, 1.0)
    p_conv = np.clip(base * np.exp(0.45 * skill) * factor * 1.6, 0, 0.9)
    converted = touched & (rng.random(n) < p_conv)
    meeting = converted & (rng.random(n) < 0.6)
    meet_start = snap_business_v(last_touch + (rng.uniform(1, 4, n) * DAY_MS).astype(np.int64),
                                 tz)
    meet_min = meeting_minutes(rng, n)
    conv_t = np.where(
        meeting,
        snap_business_v(meet_start + meet_min * MINUTE_MS
                        + (rng.uniform(1, 6, n) * HOUR_MS).astype(np.int64), tz),
        snap_business_v(last_touch + (rng.uniform(0.1, 2, n) * DAY_MS).astype(np.int64), tz))
    final_lost = touched & ~converted & (rng.random(n) < 0.75)
    lost_t = snap_business_v(last_touch + (rng.uniform(3, 21, n) * DAY_MS).astype(np.int64), tz)
    cleanup = ~touched & ~to_queue & (rng.random(n) < 0.4)
    cleanup_t = ((day + rng.integers(30, 61, n)) * DAY_MS + 9 * HOUR_MS
                 + rng.integers(0, 3600, n) * SECOND_MS)
    deleted = ~touched & (rng.random(n) < 0.01)
    delete_t = created + (rng.uniform(2, 72, n) * HOUR_MS).astype(np.int64) // SECOND_MS * SECOND_MS
    valid_conv = converted & (conv_t < end_ms) & (conv_t < horizon) & (kept_count == n_touch)

    # conversions: account (new, or an existing customer) + opportunity number
    nums = ctx.ids["Lead"].alloc(month_index(y, m), n)
    opp_num = np.full(n, -1, np.int64)
    acc_num = np.full(n, -1, np.int64)
    companies = company_names(rng, n)
    for i in np.nonzero(valid_conv)[0].tolist():
        t = int(conv_t[i])
        o = int(owner[i])
        existing = ctx.accounts.pick(o, rng, customers_only=True, before=t) \
            if rng.random() < 0.15 else -1
        if existing < 0:
            acc = ctx.accounts.create(companies[i], o, t, int(view["region"][o]), 1, False, o)
        else:
            acc = existing
            companies[i] = ctx.accounts.name[acc]
        acc_num[i] = ctx.accounts.num[acc]
        mi = month_index(*ym_of_day(t // DAY_MS))
        opp_num[i] = ctx.ids["Opportunity"].one(mi)
        ctx.seeds.setdefault(mi, []).append(
            OppSeed(t, int(opp_num[i]), o, acc, int(source[i]), existing < 0, True))

    # versions: created -> working (first touch) -> final (converted / closed / deleted)
    first_kept = keep[np.minimum(np.cumsum(n_touch) - n_touch, max(len(keep) - 1, 0))] \
        if len(keep) else np.zeros(n, bool)
    v_lead = [np.arange(n)]
    v_stamp = [created]
    v_status = [np.full(n, OPEN)]
    v_conv = [np.zeros(n, bool)]
    v_del = [np.zeros(n, bool)]
    w = np.nonzero(touched & (n_touch > 0) & first_kept)[0]
    v_lead.append(w)
    v_stamp.append(first_touch[w])
    v_status.append(np.full(len(w), WORKING))
    v_conv.append(np.zeros(len(w), bool))
    v_del.append(np.zeros(len(w), bool))
    c = np.nonzero(valid_conv)[0]
    v_lead.append(c)
    v_stamp.append(conv_t[c])
    v_status.append(np.full(len(c), CONVERTED))
    v_conv.append(np.ones(len(c), bool))
    v_del.append(np.zeros(len(c), bool))
    lost = np.nonzero(final_lost & ~valid_conv & (lost_t < end_ms))[0]
    lost = lost[kept_count[lost] == n_touch[lost]]
    v_lead.append(lost)
    v_stamp.append(lost_t[lost])
    v_status.append(np.full(len(lost), NOT_CONVERTED))
    v_conv.append(np.zeros(len(lost), bool))
    v_del.append(np.zeros(len(lost), bool))
    cl = np.nonzero(cleanup & ~deleted)[0]
    v_lead.append(cl)
    v_stamp.append(cleanup_t[cl])
    v_status.append(np.full(len(cl), NOT_CONVERTED))
    v_conv.append(np.zeros(len(cl), bool))
    v_del.append(np.zeros(len(cl), bool))
    dl = np.nonzero(deleted)[0]
    v_lead.append(dl)
    v_stamp.append(delete_t[dl])
    v_status.append(np.full(len(dl), OPEN))
    v_conv.append(np.zeros(len(dl), bool))
    v_del.append(np.ones(len(dl), bool))
    vl = np.concatenate(v_lead)
    stamp = np.concatenate(v_stamp)
    status = np.concatenate(v_status)
    conv = np.concatenate(v_conv)
    first_name = rng.integers(len(FIRST_NAMES), size=n)
    last_name = rng.integers(len(LAST_NAMES), size=n)
    emails = np.array([f"{ascii_slug(FIRST_NAMES[a])}.{ascii_slug(LAST_NAMES[b])}@"
                       f"{ascii_slug(comp, '-') or 'company'}.example"
                       for a, b, comp in zip(first_name.tolist(), last_name.tolist(), companies,
                                             strict=True)], dtype=object)
    region = view["region"][owner]
    country = np.array([rc[k % len(rc)] for rc, k in
                        zip((_REGION_COUNTRIES[r] for r in region.tolist()),
                            rng.integers(0, 100, n).tolist(), strict=True)], np.int64)
    creator = np.where(np.isin(source, list(WEB_SOURCES)), people.integration,
                       np.where(np.isin(source, list(IMPORT_SOURCES)), people.admin, owner))
    creator = np.where(to_queue, people.integration, creator)
    user = people.user_num
    frame = {
        "Id": refs(PREFIX["Lead"], nums[vl]),
        "OwnerId": refs(PREFIX["User"], user[owner[vl]]),
        "CreatedDate": ms_col(created[vl]),
        "Status": Codes(LEAD_STATUS, status),
        "IsConverted": conv,
        "SystemModstamp": ms_col(stamp),
        "IsDeleted": np.concatenate(v_del),
        "LeadSource": Codes(SOURCE_NAMES, source[vl]),
        "ConvertedDate": day_col(np.where(conv, conv_t[vl] // DAY_MS, NULL_DAY)),
        "ConvertedOpportunityId": refs(PREFIX["Opportunity"], np.where(conv, opp_num[vl], -1)),
        "ConvertedAccountId": refs(PREFIX["Account"], np.where(conv, acc_num[vl], -1)),
        "Email": emails[vl],
        "Company": np.array(companies, dtype=object)[vl],
        "FirstName": Codes(FIRST_NAMES, first_name[vl]),
        "LastName": Codes(LAST_NAMES, last_name[vl]),
        "Title": Codes(LEAD_TITLES, rng.integers(len(LEAD_TITLES), size=n)[vl]),
        "Country": Codes(COUNTRIES, country[vl]),
        "CreatedById": refs(PREFIX["User"], user[creator[vl]]),
    }
    frame["LastModifiedDate"] = frame["SystemModstamp"]
    ctx.land.emit("Lead.csv", header("Lead.csv"), frame, nums[vl], stamp)

    # touch tasks (WhoId = the lead; a task on a lead has no WhatId)
    ti = np.nonzero(keep)[0]
    tl_lead = lead_of[ti]
    t_pos = pos[ti]
    nt = len(ti)
    sub = np.where(t_pos == 0, np.where(rng.random(nt) < 0.55, CALL, EMAIL),
                   random_subtypes(rng, nt, {CALL: 0.4, EMAIL: 0.35, CADENCE: 0.2,
                                             LIST_EMAIL: 0.05}))
    t_done = t_touch[ti]
    t_created = np.where(sub == CADENCE,
                         np.maximum(created[tl_lead] + SECOND_MS,
                                    (t_done // DAY_MS) * DAY_MS + 6 * HOUR_MS), t_done)
    t_created = np.minimum(t_created, t_done)
    emit_tasks(ctx, TaskBatch(owner[tl_lead], refs(PREFIX["Lead"], nums[tl_lead]),
                              refs(PREFIX["Opportunity"], np.full(nt, -1)), sub, t_created,
                              t_done, t_done // DAY_MS), rng)
    # discovery meetings booked with converting leads
    mi = np.nonzero(meeting & valid_conv)[0]
    emit_events(ctx, EventBatch(owner[mi], refs(PREFIX["Lead"], nums[mi]),
                                refs(PREFIX["Opportunity"], np.full(len(mi), -1)),
                                meet_start[mi], meet_min[mi], last_touch[mi]), rng)
