"""ForecastingQuota (per rep and month) and DatedConversionRate (USD corporate, EUR monthly)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from salesops.generator.crm_users import header
from salesops.generator.formats import Codes, const, day_col, ms_col, refs
from salesops.generator.ids import PREFIX, month_index
from salesops.generator.landing import Landing
from salesops.generator.timeutil import (
    DAY_MS,
    HOUR_MS,
    add_months,
    day_number,
    month_start,
    months_between,
    weekday,
    ym_of_day,
)
from salesops.generator.workforce import REGIONS
from salesops.generator.world import People, Timeline, stream

CURRENCIES = ("USD", "EUR")  # USD is the corporate currency
MONTHLY_QUOTA = {"IC1": 45000, "IC2": 60000, "IC3": 80000, "IC4": 100000}
OPEN_END = day_number(dt.date(9999, 12, 31))  # Salesforce's NextStartDate of the newest rate


def _planning_ms(year: int, go_live: int) -> int:
    """When a year's quotas are entered: early January, or just after go-live in its year."""
    y0, _ = ym_of_day(go_live)
    day = go_live + 3 if year == y0 else day_number(dt.date(year, 1, 5))
    return day * DAY_MS + 15 * HOUR_MS


def emit_quotas(land: Landing, people: People, tl: Timeline, ids, seed: int) -> None:
    rng = stream(seed, "quotas")
    last_year = ym_of_day(tl.drop_days[-1])[0]
    y0, m0 = ym_of_day(tl.go_live)
    seen: set[tuple[int, int]] = set()
    rows: list[tuple[int, int, int, float, int, int]] = []  # owner, month day, created, amt, cur
    adjust = {}
    for w in people.workers:
        if people.user_num[w.idx] < 0:
            continue
        adjust[w.idx] = 1.0 + (rng.choice([-0.1, 0.1]) if rng.random() < 0.15 else 0.0)
        for s in w.spells:
            term = s.term if s.term is not None else 10**7
            for year in range(max(y0, ym_of_day(s.hire)[0]), last_year + 1):
                plan = _planning_ms(year, tl.go_live)
                created = max(plan, (s.hire + 7) * DAY_MS + 15 * HOUR_MS)
                if created // DAY_MS > term:
                    continue
                job = w.job_at(created // DAY_MS)
                if job.role != "rep":
                    continue
                start = (year, 1) if year > y0 else (y0, m0)
                if created > plan:  # joined during the year: from the hire month on
                    start = max(start, ym_of_day(s.hire))
                for y, m in months_between(start, (year, 12)):
                    key = (w.idx, month_start(y, m))
                    if key in seen:
                        continue
                    seen.add(key)
                    months_in = (y * 12 + m) - (ym_of_day(s.hire)[0] * 12 + ym_of_day(s.hire)[1])
                    ramp = min(1.0, 0.25 * (months_in + 1))
                    cur = REGIONS[job.region].currency
                    amt = MONTHLY_QUOTA[job.level] * ramp * (0.9 if cur == "EUR" else 1.0)
                    rows.append((w.idx, key[1], created, float(round(amt / 1000) * 1000),
                                 CURRENCIES.index(cur), y))
    rows.sort(key=lambda r: (r[2], r[0], r[1]))
    nums = ids["ForecastingQuota"].alloc_by_month(
        np.array([month_index(*ym_of_day(r[2] // DAY_MS)) for r in rows], np.int64))
    # versions: as created, and a mid-year adjustment for some reps (from July on)
    v_idx, v_amt, v_ms = [], [], []
    for i, r in enumerate(rows):
        v_idx.append(i)
        v_amt.append(r[3])
        v_ms.append(r[2])
        factor = adjust[r[0]]
        july = day_number(dt.date(r[5], 7, 3)) * DAY_MS + 11 * HOUR_MS
        if factor != 1.0 and ym_of_day(r[1])[1] >= 7 and july > r[2]:
            v_idx.append(i)
            v_amt.append(float(round(r[3] * factor / 1000) * 1000))
            v_ms.append(july)
    v = np.array(v_idx, np.int64)
    owner = np.array([rows[i][0] for i in v_idx], np.int64)
    frame = {
        "Id": refs(PREFIX["ForecastingQuota"], nums[v]),
        "QuotaOwnerId": refs(PREFIX["User"], people.user_num[owner]),
        "StartDate": day_col([rows[i][1] for i in v_idx]),
        "QuotaAmount": np.array(v_amt, dtype=float),
        "CurrencyIsoCode": Codes(CURRENCIES, np.array([rows[i][4] for i in v_idx])),
        "IsQuantity": const(False, len(v)),
        "CreatedDate": ms_col([rows[i][2] for i in v_idx]),
        "SystemModstamp": ms_col(v_ms),
    }
    land.emit("ForecastingQuota.csv", header("ForecastingQuota.csv"), frame, nums[v],
              np.array(v_ms, np.int64))


def _entry_ms(start_day: int) -> int:
    """Finance enters a month's rate on the last working day before it starts."""
    day = start_day - 1
    while weekday(day) >= 5:
        day -= 1
    return day * DAY_MS + 15 * HOUR_MS


def eur_rates(tl: Timeline, seed: int) -> dict[int, float]:
    """EUR per 1 USD by month start day: a random walk around 0.92."""
    rng = stream(seed, "fx")
    first = add_months(*ym_of_day(tl.go_live), -12)
    last = add_months(*ym_of_day(tl.drop_days[-1]), 1)
    out: dict[int, float] = {}
    rate = 0.92
    for y, m in months_between(first, last):
        rate = float(np.clip(rate * np.exp(rng.normal(0, 0.018)), 0.82, 1.02))
        out[month_start(y, m)] = round(rate, 6)
    return out


def emit_conversion_rates(land: Landing, tl: Timeline, ids, seed: int) -> None:
    rates = eur_rates(tl, seed)
    starts = sorted(rates)
    iso, start, nxt, rate, stamp, key, num = [], [], [], [], [], [], []
    for c, code in enumerate(CURRENCIES):
        for i, s in enumerate(starts):
            value = 1.0 if code == "USD" else rates[s]
            entry = _entry_ms(s) if i > 0 else s * DAY_MS - 20 * DAY_MS
            rec_num = ids["DatedConversionRate"].one(month_index(*ym_of_day(entry // DAY_MS)))
            # inserted as the newest rate (open-ended) ...
            versions = [(entry, OPEN_END)]
            # ... and closed when the next month's rate is entered
            if i + 1 < len(starts):
                versions.append((_entry_ms(starts[i + 1]), starts[i + 1]))
            for ms, next_start in versions:
                iso.append(c)
                start.append(s)
                nxt.append(next_start)
                rate.append(value)
                stamp.append(ms)
                key.append(c * 10**6 + i)
                num.append(rec_num)
    frame = {
        "IsoCode": Codes(CURRENCIES, np.array(iso)),
        "StartDate": day_col(start),
        "NextStartDate": day_col(nxt),
        "ConversionRate": np.array(rate, dtype=float),
        "Id": refs(PREFIX["DatedConversionRate"], num),
        "SystemModstamp": ms_col(stamp),
    }
    land.emit("DatedConversionRate.csv", header("DatedConversionRate.csv"), frame,
              np.array(key, np.int64), np.array(stamp, np.int64))
