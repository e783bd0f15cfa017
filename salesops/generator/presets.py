"""Size presets: how many reps, how much history, how busy they are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    name: str
    reps: int  # steady-state number of sales reps (account executives)
    team_size: int  # reps per manager
    crm_months: int  # whole months of CRM history before the month of the first drop
    deltas: int  # nightly delta drops after the first (full) drop
    last_drop: dt.date  # fixed anchor: the newest extract date
    hr_years: int  # HR history (org build-up) before the CRM go-live
    leads_per_rep_month: float
    sourced_opps_per_rep_month: float  # opportunities reps open themselves (not from leads)
    general_tasks_per_rep_day: float  # calls/e-mails/to-dos on accounts, besides leads and deals
    deal_tasks_per_day: float  # activity on each open opportunity per day
    accounts_per_rep: int  # book of accounts imported at go-live


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("tiny", reps=6, team_size=3, crm_months=2, deltas=5,
               last_drop=dt.date(2026, 10, 31), hr_years=1, leads_per_rep_month=14,
               sourced_opps_per_rep_month=3, general_tasks_per_rep_day=2.0,
               deal_tasks_per_day=0.3, accounts_per_rep=8),
        Preset("demo", reps=50, team_size=8, crm_months=12, deltas=14,
               last_drop=dt.date(2026, 10, 31), hr_years=3, leads_per_rep_month=22,
               sourced_opps_per_rep_month=3, general_tasks_per_rep_day=3.0,
               deal_tasks_per_day=0.3, accounts_per_rep=20),
        Preset("medium", reps=500, team_size=8, crm_months=24, deltas=14,
               last_drop=dt.date(2026, 10, 31), hr_years=3, leads_per_rep_month=40,
               sourced_opps_per_rep_month=4, general_tasks_per_rep_day=11.0,
               deal_tasks_per_day=0.45, accounts_per_rep=30),
        Preset("large", reps=2000, team_size=9, crm_months=24, deltas=14,
               last_drop=dt.date(2026, 10, 31), hr_years=3, leads_per_rep_month=40,
               sourced_opps_per_rep_month=4, general_tasks_per_rep_day=10.0,
               deal_tasks_per_day=0.4, accounts_per_rep=30),
    )
}
