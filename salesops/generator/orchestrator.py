"""generate(): runs the simulation month by month and writes every drop of every system."""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field

import numpy as np

from salesops.contract import spec_for
from salesops.generator import activities, leads, opportunities
from salesops.generator.accounts import Accounts, company_names
from salesops.generator.crm_users import emit_logins, emit_users_and_roles
from salesops.generator.finance import emit_conversion_rates, emit_quotas
from salesops.generator.ids import IdAllocator, month_index
from salesops.generator.landing import Landing
from salesops.generator.leads import OppSeed
from salesops.generator.lms import Lms
from salesops.generator.presets import PRESETS, Preset
from salesops.generator.timeutil import (
    DAY_MS,
    HOUR_MS,
    SECOND_MS,
    fmt_date,
    month_end,
    month_start,
)
from salesops.generator.workforce import Workforce
from salesops.generator.world import People, Timeline, allocators, stream


@dataclass
class Ctx:
    """What the monthly generators share."""

    preset: Preset
    seed: int
    tl: Timeline
    people: People
    land: Landing
    ids: dict[str, IdAllocator]
    accounts: Accounts
    seeds: dict[int, list[OppSeed]] = field(default_factory=dict)
    view: dict[str, np.ndarray] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)

    def count(self, name: str, n: int) -> None:
        self.records[name] = self.records.get(name, 0) + n


def _import_accounts(ctx: Ctx) -> None:
    """The go-live data migration: each rep's book, imported by the integration user."""
    people, tl = ctx.people, ctx.tl
    rng = stream(ctx.seed, "import")
    view = people.month_view(tl.go_live)
    active = people.active_matrix(np.array([tl.go_live]))[:, 0] & view["is_rep"]
    t0 = (tl.go_live - 1) * DAY_MS + 2 * HOUR_MS
    k = 0
    for person in np.nonzero(active)[0].tolist():
        n = ctx.preset.accounts_per_rep
        for name in company_names(rng, n):
            ctx.accounts.create(name, person, t0 + k * SECOND_MS, int(view["region"][person]), 0,
                                rng.random() < 0.4, people.integration)
            k += 1


def generate(preset: str, out: pathlib.Path, seed: int = 42) -> dict:
    """Write the landing drops of a preset under `out`; returns a summary (drop dates, rows per
    file and drop). Same preset and seed: byte-identical files."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    p = PRESETS[preset]
    out = pathlib.Path(out)
    tl = Timeline.for_preset(p)
    ids = allocators()
    wf = Workforce(p, stream(seed, "hr"), tl.hr_start, tl.go_live, tl.drop_days[-1])
    wf.simulate()
    people = People(wf, tl, ids)
    land = Landing(out, tl.drop_dates)
    ctx = Ctx(p, seed, tl, people, land, ids, Accounts(people, ids["Account"],
                                                         stream(seed, "accounts")))
    emit_users_and_roles(land, people, tl, ids)
    _import_accounts(ctx)
    for y, m in tl.crm_months:
        first = max(month_start(y, m), tl.go_live)
        last = min(month_end(month_start(y, m)), tl.drop_days[-1] - 1)
        ctx.view = people.month_view((first + last) // 2)
        ctx.accounts.reassign_until(first * DAY_MS)
        leads.run_month(ctx, y, m)
        ctx.seeds.setdefault(month_index(y, m), []).extend(opportunities.sourced_seeds(ctx, y, m))
        opportunities.run_month(ctx, y, m, opportunities.scripted_seeds(ctx, y, m))
        activities.run_month(ctx, y, m)
        emit_logins(land, people, tl, ids, seed, first, last)
    ctx.accounts.reassign_until(tl.horizon_ms)
    ctx.accounts.emit(land)
    emit_quotas(land, people, tl, ids, seed)
    emit_conversion_rates(land, tl, ids, seed)
    hr_header = [f.name for f in spec_for("hr", "workers.csv").fields]
    for d, day in enumerate(tl.drop_days):
        land.write_rows("hr", d, "workers.csv", hr_header, wf.hr_rows(day))
    lms = Lms(people, tl, seed)
    lms.simulate()
    lms.write(land)
    summary = land.finish()
    reps_now = sum(1 for w in wf.workers
                   if w.employed(tl.drop_days[-1] - 1)
                   and w.job_at(tl.drop_days[-1] - 1).role == "rep")
    return {
        "preset": p.name,
        "seed": seed,
        "out": str(out),
        "first_drop": summary["drop_dates"][0],
        "last_drop": summary["drop_dates"][-1],
        "crm_go_live": fmt_date(tl.go_live),
        "workers": len(wf.workers),
        "reps_at_last_drop": reps_now,
        "crm_users": int((people.user_num >= 0).sum()),
        **summary,
    }

