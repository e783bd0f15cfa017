"""Pipeline-forecast KPIs recomputed in plain Python straight from the landing files.

Deliberately independent of the pipeline: no DuckDB, no dbt, no salesops code; only the csv
module, the helpers of recompute.py (also plain csv) and the rules of CONTRACT.md / METRICS.md:

- a snapshot per complete CRM drop date d, from each opportunity's latest version (highest
  SystemModstamp, then later drop, then later line) among the drops up to d; a record deleted
  in its latest version is in no snapshot, a version deleted as of d is out of that snapshot;
- amounts converted at the DatedConversionRate in force on the version's CloseDate;
- weighted pipeline = sum(Amount x Probability / 100) over open opportunities (Omitted too);
- commit forecast = won in the close month + open opportunities in ForecastCategory Forecast;
- quota attainment = won amount closed in the month (latest versions) / ForecastingQuota of the
  month (quota converted at the rate in force on its StartDate).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from recompute import _drops, _rows, conversion_rates, latest_by_id, to_reporting


def _is_true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def _amount(value: str | None) -> float | None:
    return float(value) if value not in (None, "") else None


def _owner_emails(landing: Path) -> dict[str, str | None]:
    users = latest_by_id(landing, "User.csv")
    return {uid: (u.get("Email") or "").strip().lower() or None for uid, u in users.items()}


def snapshot_dates(landing: Path) -> list[str]:
    return [d.name for d in _drops(landing, "crm")]


def opportunity_snapshots(landing: Path) -> dict[str, dict[str, dict[str, str]]]:
    """{snapshot date: {15-char Id: the version in force}} per METRICS.md section 7."""
    versions: dict[str, list[tuple[tuple, dict[str, str]]]] = defaultdict(list)
    for drop, line, row in _rows(landing, "crm", "Opportunity.csv"):
        versions[row["Id"].strip()[:15]].append(((row.get("SystemModstamp", ""), drop, line), row))
    out: dict[str, dict[str, dict[str, str]]] = {}
    for day in snapshot_dates(landing):
        in_force: dict[str, dict[str, str]] = {}
        for opp_id, rows in versions.items():
            if _is_true(max(rows, key=lambda r: r[0])[1]["IsDeleted"]):
                continue  # deleted in its latest version: in no snapshot at all
            known = [r for r in rows if r[0][1] <= day]
            if not known:
                continue
            best = max(known, key=lambda r: r[0])[1]
            if not _is_true(best["IsDeleted"]):
                in_force[opp_id] = best
        out[day] = in_force
    return out


def forecast_by_snapshot_month_rep(landing: Path) -> dict[tuple[dt.date, dt.date, str | None], dict]:
    """weighted_pipeline_amount and commit_forecast per (snapshot_date, close_month, rep_email)."""
    emails = _owner_emails(landing)
    rates = conversion_rates(landing)
    out: dict[tuple, dict] = {}
    for day, opps in opportunity_snapshots(landing).items():
        snapshot = dt.date.fromisoformat(day)
        for opp in opps.values():
            if not opp.get("CloseDate"):
                continue
            close = dt.date.fromisoformat(opp["CloseDate"])
            closed, won = _is_true(opp["IsClosed"]), _is_true(opp["IsWon"])
            if closed and not won:
                continue
            key = (snapshot, close.replace(day=1), emails.get(opp["OwnerId"].strip()[:15]))
            m = out.setdefault(key, {"weighted_pipeline_amount": 0.0, "commit_forecast": 0.0})
            converted = to_reporting(_amount(opp.get("Amount")), opp.get("CurrencyIsoCode") or "USD",
                                     close, rates)
            if converted is None:
                continue
            category = opp["ForecastCategory"]
            if not closed and opp.get("Probability"):
                m["weighted_pipeline_amount"] += converted * float(opp["Probability"]) / 100
            if (closed and won) or (not closed and category == "Forecast"):
                m["commit_forecast"] += converted
    return out


def quota_attainment_by_month_rep(landing: Path) -> dict[tuple[dt.date, str | None], dict]:
    """won_amount, quota_amount and quota_attainment per (month, rep_email)."""
    emails = _owner_emails(landing)
    rates = conversion_rates(landing)
    out: dict[tuple, dict] = {}

    def row_for(key):
        return out.setdefault(key, {"won_amount": 0.0, "quota_amount": 0.0})

    for opp in latest_by_id(landing, "Opportunity.csv").values():
        if _is_true(opp["IsDeleted"]) or not _is_true(opp["IsClosed"]) or not _is_true(opp["IsWon"]):
            continue
        if not opp.get("CloseDate"):
            continue
        close = dt.date.fromisoformat(opp["CloseDate"])
        m = row_for((close.replace(day=1), emails.get(opp["OwnerId"].strip()[:15])))
        converted = to_reporting(_amount(opp.get("Amount")), opp.get("CurrencyIsoCode") or "USD",
                                 close, rates)
        if converted is not None:
            m["won_amount"] += converted
    # ForecastingQuota has no SystemModstamp: the latest drop, then line, per Id
    quotas: dict[str, dict[str, str]] = {}
    for _, _, row in _rows(landing, "crm", "ForecastingQuota.csv"):
        quotas[row["Id"].strip()[:15]] = row
    for quota in quotas.values():
        start = dt.date.fromisoformat(quota["StartDate"])
        m = row_for((start.replace(day=1), emails.get(quota["QuotaOwnerId"].strip()[:15])))
        converted = to_reporting(_amount(quota.get("QuotaAmount")),
                                 (quota.get("CurrencyIsoCode") or "USD").strip().upper(), start, rates)
        if converted is not None:
            m["quota_amount"] += converted
    for m in out.values():
        m["quota_attainment"] = m["won_amount"] / m["quota_amount"] if m["quota_amount"] else None
    return out
