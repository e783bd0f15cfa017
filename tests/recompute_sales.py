"""Deal value, sales cycle and velocity recomputed in plain Python from the landing files.

Independent of the pipeline: no DuckDB, no dbt, no salesops code; the csv module (through the
helpers of recompute.py) and the rules of CONTRACT.md and METRICS.md sections 5-6:

- an opportunity counts at its latest version (highest SystemModstamp, then later drop / row),
  not when deleted in that version; closed metrics use the CloseDate month, amounts converted
  with the DatedConversionRate in force on the CloseDate (NULL without a rate, left out);
- cycle days = CloseDate - CreatedDate (date part); negative ones are left out and counted;
- medians / p90 are continuous percentiles (linear interpolation);
- velocity per rep and month: trailing 90 days ending on the month's last day (months up to
  the month of the newest extract date loaded), N = opportunities created in the window x avg
  won amount x win rate # / avg won cycle days of the opportunities closed in the window.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from recompute import _drops, conversion_rates, latest_by_id, to_reporting


def percentile(values: list[float], p: float) -> float | None:
    """Continuous percentile with linear interpolation (NULL for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * p
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _next_month(month: dt.date) -> dt.date:
    return _month_end(month) + dt.timedelta(days=1)


def as_of_date(landing: Path) -> dt.date | None:
    """The newest extract date of a complete drop of any system."""
    dates = [dt.date.fromisoformat(d.name) for s in ("crm", "hr", "lms") for d in _drops(landing, s)]
    return max(dates) if dates else None


def live_opportunities(landing: Path) -> list[dict]:
    """Latest, not deleted opportunities with owner e-mail, dates, won flag and converted amount."""
    users = latest_by_id(landing, "User.csv")
    email = {uid: (u.get("Email") or "").strip().lower() or None for uid, u in users.items()}
    rates = conversion_rates(landing)
    out = []
    for opp in latest_by_id(landing, "Opportunity.csv").values():
        if opp["IsDeleted"].strip().lower() == "true":
            continue
        closed = opp["IsClosed"].strip().lower() == "true"
        close = dt.date.fromisoformat(opp["CloseDate"]) if opp.get("CloseDate") else None
        amount = float(opp["Amount"]) if opp.get("Amount") else None
        out.append({
            "rep_email": email.get(opp["OwnerId"][:15]),
            "created": dt.date.fromisoformat(opp["CreatedDate"][:10]),
            "close": close,
            "closed": closed and close is not None,
            "won": opp["IsWon"].strip().lower() == "true",
            "amount": (to_reporting(amount, (opp.get("CurrencyIsoCode") or "").strip().upper() or "USD",
                                    close, rates) if close else None),
        })
    return out


def deal_value_by_rep_month(landing: Path) -> dict[tuple[dt.date, str | None], dict]:
    """kpi_deal_value measures per (close month, rep_email) over won opportunities."""
    groups: dict[tuple, list] = {}
    for opp in live_opportunities(landing):
        if opp["closed"] and opp["won"]:
            groups.setdefault((_month(opp["close"]), opp["rep_email"]), []).append(opp["amount"])
    out = {}
    for key, amounts in groups.items():
        known = [a for a in amounts if a is not None]
        out[key] = {
            "won_count": len(amounts),
            "won_with_amount_count": len(known),
            "bookings_amount": sum(known),
            "avg_won_amount": sum(known) / len(known) if known else None,
            "median_won_amount": percentile(known, 0.5),
            "largest_won_amount": max(known) if known else None,
        }
    return out


def _cycle_measures(opps: list[dict]) -> dict:
    cycles = [((o["close"] - o["created"]).days, o["won"]) for o in opps]
    valid_won = [c for c, won in cycles if won and c >= 0]
    valid_closed = [c for c, _ in cycles if c >= 0]
    return {
        "closed_count": len(cycles),
        "won_count": sum(1 for _, won in cycles if won),
        "negative_cycle_count": sum(1 for c, _ in cycles if c < 0),
        "avg_cycle_days_won": sum(valid_won) / len(valid_won) if valid_won else None,
        "median_cycle_days_won": percentile(valid_won, 0.5),
        "p90_cycle_days_won": percentile(valid_won, 0.9),
        "avg_cycle_days_closed": sum(valid_closed) / len(valid_closed) if valid_closed else None,
        "median_cycle_days_closed": percentile(valid_closed, 0.5),
        "p90_cycle_days_closed": percentile(valid_closed, 0.9),
    }


def _velocity(created: int, closed: list[dict]) -> dict:
    won = [o for o in closed if o["won"]]
    amounts = [o["amount"] for o in won if o["amount"] is not None]
    cycles = [(o["close"] - o["created"]).days for o in won]
    cycles = [c for c in cycles if c >= 0]
    avg_amount = sum(amounts) / len(amounts) if amounts else None
    win_rate = len(won) / len(closed) if closed else None
    avg_cycle = sum(cycles) / len(cycles) if cycles else None
    velocity = None
    if avg_amount is not None and win_rate is not None and avg_cycle:
        velocity = created * avg_amount * win_rate / avg_cycle
    return {
        "opportunities_created_90d": created,
        "closed_count_90d": len(closed),
        "won_count_90d": len(won),
        "avg_won_amount_90d": avg_amount,
        "win_rate_count_90d": win_rate,
        "avg_cycle_days_won_90d": avg_cycle,
        "sales_velocity_90d": velocity,
    }


def sales_cycle_by_rep_month(landing: Path) -> dict[tuple[dt.date, str | None], dict]:
    """kpi_sales_cycle measures per (month, rep_email): cycle of the deals closed in the month,
    velocity of the 90 days ending on the month's last day. A row where either exists."""
    opps = live_opportunities(landing)
    now = as_of_date(landing)
    by_rep: dict[str | None, list[dict]] = {}
    for opp in opps:
        by_rep.setdefault(opp["rep_email"], []).append(opp)

    out: dict[tuple, dict] = {}
    empty_cycle = _cycle_measures([])
    empty_velocity = _velocity(0, [])
    for rep, rep_opps in by_rep.items():
        closed = [o for o in rep_opps if o["closed"]]
        by_month: dict[dt.date, list] = {}
        for opp in closed:
            by_month.setdefault(_month(opp["close"]), []).append(opp)
        for month, month_opps in by_month.items():
            out[(month, rep)] = {**_cycle_measures(month_opps), **empty_velocity}
        if now is None:
            continue
        event_days = [o["created"] for o in rep_opps] + [o["close"] for o in closed]
        month = _month(min(event_days))
        while month <= _month(now):
            end = _month_end(month)
            start = end - dt.timedelta(days=89)
            created = sum(1 for o in rep_opps if start <= o["created"] <= end)
            closed_in = [o for o in closed if start <= o["close"] <= end]
            if created or closed_in:
                row = out.setdefault((month, rep), {**empty_cycle})
                row.update(_velocity(created, closed_in))
            month = _next_month(month)
    return out
