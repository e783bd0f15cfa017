"""Tasks and Events: built in vectorised batches (lead touches, deal activity, daily account
work) and routed to drops. A logged call or e-mail is one version (created completed); a
scheduled step (cadence, to-do) is created `Not Started` and completed later (two versions);
some to-dos are never done."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesops.contract import TASK_SUBTYPES
from salesops.generator.crm_users import header
from salesops.generator.formats import Codes, Refs, const, day_col, ms_col, refs
from salesops.generator.ids import PREFIX
from salesops.generator.names import (
    CADENCE_SUBJECTS,
    CALL_SUBJECTS,
    EMAIL_SUBJECTS,
    LIST_EMAIL_SUBJECTS,
    MEETING_SUBJECTS,
    TASK_SUBJECTS,
)
from salesops.generator.timeutil import (
    DAY_MS,
    NULL_MS,
    SECOND_MS,
    local_time_v,
    month_end,
    month_index_v,
    month_start,
    snap_business_v,
)
from salesops.generator.world import stream

SUBTYPE = {name: i for i, name in enumerate(TASK_SUBTYPES)}
CALL, EMAIL, TODO, LIST_EMAIL, CADENCE = (SUBTYPE[s] for s in
                                          ("Call", "Email", "Task", "ListEmail", "Cadence"))
TASK_STATUS = ("Not Started", "Completed")
TASK_TYPES = ("Call", "Email", "Other")
DISPOSITIONS = ("Connected", "Left Voicemail", "No Answer", "Meeting Booked")
PRIORITIES = ("Normal", "High")
LOCATIONS = ("Zoom", "Microsoft Teams", "Customer office", "Phone")
_SUBJECT_LISTS = {CALL: CALL_SUBJECTS, EMAIL: EMAIL_SUBJECTS, TODO: TASK_SUBJECTS,
                  LIST_EMAIL: LIST_EMAIL_SUBJECTS, CADENCE: CADENCE_SUBJECTS}
SUBJECTS: tuple[str, ...] = tuple(s for k in sorted(_SUBJECT_LISTS) for s in _SUBJECT_LISTS[k])
_SUBJECT_OFFSET = {}
_off = 0
for _k in sorted(_SUBJECT_LISTS):
    _SUBJECT_OFFSET[_k] = _off
    _off += len(_SUBJECT_LISTS[_k])


@dataclass
class TaskBatch:
    owner: np.ndarray  # person index
    who: Refs
    what: Refs
    subtype: np.ndarray
    created: np.ndarray  # ms
    completed: np.ndarray  # ms or NULL_MS (never completed)
    due_day: np.ndarray  # ActivityDate (epoch day)


@dataclass
class EventBatch:
    owner: np.ndarray
    who: Refs
    what: Refs
    start: np.ndarray  # ms
    minutes: np.ndarray
    created: np.ndarray  # ms


def random_subtypes(rng: np.random.Generator, n: int, weights: dict[int, float]) -> np.ndarray:
    keys = np.array(sorted(weights))
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def emit_tasks(ctx, b: TaskBatch, rng: np.random.Generator) -> None:
    n = len(b.owner)
    if n == 0:
        return
    order = np.argsort(b.created, kind="stable")
    nums = np.empty(n, np.int64)
    nums[order] = ctx.ids["Task"].alloc_by_month(month_index_v(b.created[order]))
    done = b.completed != NULL_MS
    logged = done & (b.completed == b.created)  # one version, created completed
    # version table: open versions of scheduled tasks, then completed versions
    v_open = np.nonzero(~logged)[0]
    v_done = np.nonzero(done)[0]
    v = np.concatenate([v_open, v_done])
    status = np.concatenate([np.zeros(len(v_open), np.int64), np.ones(len(v_done), np.int64)])
    stamp = np.concatenate([b.created[v_open], b.completed[v_done]])
    completed_at = np.concatenate([np.full(len(v_open), NULL_MS), b.completed[v_done]])
    sub = b.subtype
    is_call = sub == CALL
    disp = np.where(is_call, rng.choice(4, size=n, p=[0.35, 0.35, 0.2, 0.1]), -1)
    secs = np.where(disp == 0, np.exp(rng.normal(5.6, 0.6, n)),
                    np.where(disp == 1, rng.uniform(20, 60, n),
                             np.where(disp == 2, rng.uniform(0, 20, n),
                                      rng.uniform(400, 1500, n))))
    secs = np.where(is_call, secs.astype(np.int64), -1)
    subj_lists = np.array([len(_SUBJECT_LISTS[int(s)]) for s in range(len(TASK_SUBTYPES))])
    subj_off = np.array([_SUBJECT_OFFSET[int(s)] for s in range(len(TASK_SUBTYPES))])
    subject = subj_off[sub] + (rng.random(n) * subj_lists[sub]).astype(np.int64)
    ttype = np.where(is_call | ((sub == CADENCE) & (rng.random(n) < 0.4)), 0,
                     np.where(sub == TODO, 2, 1))
    priority = (rng.random(n) < 0.1).astype(np.int64)
    people = ctx.people
    owner_user = people.user_num[b.owner]
    frame = {
        "Id": refs(PREFIX["Task"], nums[v]),
        "OwnerId": refs(PREFIX["User"], owner_user[v]),
        "WhoId": b.who.take(v),
        "WhatId": b.what.take(v),
        "TaskSubtype": Codes(TASK_SUBTYPES, sub[v]),
        "Status": Codes(TASK_STATUS, status),
        "ActivityDate": day_col(b.due_day[v]),
        "CreatedDate": ms_col(b.created[v]),
        "SystemModstamp": ms_col(stamp),
        "IsDeleted": const(False, len(v)),
        "Type": Codes(TASK_TYPES, ttype[v]),
        "CompletedDateTime": ms_col(completed_at),
        "CallDurationInSeconds": np.where(status == 1, secs[v], -1),
        "CallDisposition": Codes(DISPOSITIONS, np.where(status == 1, disp[v], -1)),
        "Subject": Codes(SUBJECTS, subject[v]),
        "Priority": Codes(PRIORITIES, priority[v]),
        "CreatedById": refs(PREFIX["User"], owner_user[v]),
    }
    frame["LastModifiedDate"] = frame["SystemModstamp"]
    ctx.land.emit("Task.csv", header("Task.csv"), frame, nums[v], stamp)
    ctx.count("Task", n)


def emit_events(ctx, b: EventBatch, rng: np.random.Generator) -> None:
    n = len(b.owner)
    if n == 0:
        return
    order = np.argsort(b.created, kind="stable")
    nums = np.empty(n, np.int64)
    nums[order] = ctx.ids["Event"].alloc_by_month(month_index_v(b.created[order]))
    owner_user = ctx.people.user_num[b.owner]
    end = b.start + b.minutes * 60 * SECOND_MS
    frame = {
        "Id": refs(PREFIX["Event"], nums),
        "OwnerId": refs(PREFIX["User"], owner_user),
        "WhoId": b.who,
        "WhatId": b.what,
        "StartDateTime": ms_col(b.start),
        "EndDateTime": ms_col(end),
        "CreatedDate": ms_col(b.created),
        "SystemModstamp": ms_col(b.created),
        "IsDeleted": const(False, n),
        "Type": const("Meeting", n),
        "DurationInMinutes": b.minutes.astype(np.int64),
        "Subject": Codes(MEETING_SUBJECTS, rng.integers(len(MEETING_SUBJECTS), size=n)),
        "Location": Codes(LOCATIONS, rng.choice(len(LOCATIONS), size=n, p=[.45, .3, .15, .1])),
        "ShowAs": const("Busy", n),
        "IsAllDayEvent": const(False, n),
        "CreatedById": refs(PREFIX["User"], owner_user),
    }
    frame["LastModifiedDate"] = frame["SystemModstamp"]
    ctx.land.emit("Event.csv", header("Event.csv"), frame, nums, b.created)
    ctx.count("Event", n)


def meeting_minutes(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(np.array([30, 45, 60, 90]), size=n, p=[0.45, 0.2, 0.3, 0.05])


def group_positions(counts: np.ndarray) -> np.ndarray:
    """0..count-1 within each group of a `np.repeat(..., counts)` expansion."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total) - starts


def run_month(ctx, y: int, m: int) -> None:
    """The daily grind on the rep's book of accounts: calls, e-mails, list e-mails and to-dos,
    plus customer check-in meetings, on working days."""
    people, tl, p = ctx.people, ctx.tl, ctx.preset
    rng = stream(ctx.seed, "general", y, m)
    first = max(month_start(y, m), tl.go_live)
    last = min(month_end(month_start(y, m)), tl.drop_days[-1] - 1)
    days = np.arange(first, last + 1, dtype=np.int64)
    if len(days) == 0:
        return
    view = ctx.view
    workday = ((days + 3) % 7) < 5
    act = people.active_matrix(days) & view["is_rep"][:, None] & workday[None, :]
    tenure = days[None, :] - view["hire"][:, None]
    ramp = np.where(tenure < 30, 0.5, np.where(tenure < 90, 0.8, 1.0))
    activity = people.param["activity"][:, None]
    # each rep's book: accounts created before the month
    month_ms = first * DAY_MS
    book_arr, book_off, book_len = [], np.zeros(people.n, np.int64), np.zeros(people.n, np.int64)
    pos = 0
    for person in range(people.n):
        accs = [a for a in ctx.accounts.book.get(person, []) if ctx.accounts.created[a] < month_ms]
        book_off[person], book_len[person] = pos, len(accs)
        book_arr.extend(accs)
        pos += len(accs)
    book = np.array(book_arr, np.int64)
    has_book = book_len > 0
    act &= has_book[:, None]

    def expand(lam: np.ndarray):
        cnt = np.where(act, rng.poisson(lam), 0)
        person = np.repeat(np.repeat(np.arange(people.n), len(days)), cnt.ravel())
        day = np.repeat(np.tile(days, people.n), cnt.ravel())
        t = local_time_v(day, 8.3 + rng.random(len(person)) * 9.5, view["tz"][person])
        acc = book[book_off[person] + (rng.random(len(person)) * book_len[person]).astype(
            np.int64)]
        return person, day, t, acc

    person, day, t, acc = expand(p.general_tasks_per_rep_day * activity * ramp)
    n = len(person)
    sub = random_subtypes(rng, n, {EMAIL: 0.4, CALL: 0.35, LIST_EMAIL: 0.1, TODO: 0.15})
    who = ctx.accounts.contact_num(acc, rng.integers(0, 4, n))
    is_todo = sub == TODO
    who = np.where(is_todo & (rng.random(n) < 0.5), -1, who)
    what = np.where(sub == LIST_EMAIL, -1, ctx.accounts.num_array()[acc])
    done = np.where(is_todo, np.where(
        rng.random(n) < 0.8,
        snap_business_v(t + (rng.uniform(0.3, 5, n) * DAY_MS).astype(np.int64), view["tz"][person]),
        NULL_MS), t)
    due = np.where(is_todo, day + rng.integers(1, 6, n), day)
    emit_tasks(ctx, TaskBatch(person, refs(PREFIX["Contact"], who), refs(PREFIX["Account"], what),
                              sub, t, done, due), rng)
    # customer check-ins
    person, day, start, acc = expand(0.12 * activity * ramp)
    ne = len(person)
    booked = start - (rng.uniform(1, 10, ne) * DAY_MS).astype(np.int64)
    booked = booked - booked % SECOND_MS
    ok = (booked > people.user_created_ms[person]) & (
        booked > np.array(ctx.accounts.created, np.int64)[acc])
    person, start, acc, booked = person[ok], start[ok], acc[ok], booked[ok]
    ne = len(person)
    emit_events(ctx, EventBatch(person, refs(PREFIX["Contact"],
                                             ctx.accounts.contact_num(acc, rng.integers(0, 4, ne))),
                                refs(PREFIX["Account"], ctx.accounts.num_array()[acc]), start,
                                meeting_minutes(rng, ne), booked), rng)
