"""KPIs recomputed in plain Python straight from the landing files, to check the marts against.

Deliberately independent of the pipeline: no DuckDB, no dbt, no salesops code; only the csv
module and the rules of CONTRACT.md and METRICS.md.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path


def _drops(landing: Path, system: str) -> list[Path]:
    root = landing / system
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "_SUCCESS").exists())


def _rows(landing: Path, system: str, file_name: str) -> list[tuple[str, int, dict[str, str]]]:
    """(drop name, line order, row) of every complete drop's file, in drop order."""
    out = []
    for drop in _drops(landing, system):
        path = drop / file_name
        if path.exists():
            with open(path, newline="", encoding="utf-8-sig") as fh:
                for i, row in enumerate(csv.DictReader(fh)):
                    out.append((drop.name, i, row))
    return out


def latest_by_id(landing: Path, file_name: str) -> dict[str, dict[str, str]]:
    """Latest version per 15-char Id: highest SystemModstamp, then later drop, then later row."""
    best: dict[str, tuple] = {}
    for drop, i, row in _rows(landing, "crm", file_name):
        key = row["Id"][:15]
        rank = (row.get("SystemModstamp", ""), drop, i)
        if key not in best or rank > best[key][0]:
            best[key] = (rank, row)
    return {k: v[1] for k, v in best.items()}


def conversion_rates(landing: Path) -> dict[str, list[tuple[dt.date, dt.date | None, float]]]:
    latest: dict[tuple[str, str], tuple] = {}
    for drop, i, row in _rows(landing, "crm", "DatedConversionRate.csv"):
        latest[(row["IsoCode"], row["StartDate"])] = ((drop, i), row)
    rates: dict[str, list] = defaultdict(list)
    for (iso, start), (_, row) in latest.items():
        nxt = row.get("NextStartDate") or None
        rates[iso].append((dt.date.fromisoformat(start),
                           dt.date.fromisoformat(nxt) if nxt else None,
                           float(row["ConversionRate"])))
    return rates


def _rate(rates, iso: str, day: dt.date) -> float | None:
    for start, nxt, rate in rates.get(iso, []):
        if start <= day and (nxt is None or day < nxt):
            return rate
    return None


def to_reporting(amount: float | None, iso: str, day: dt.date, rates, reporting="USD"):
    if amount is None:
        return None
    if not rates or not iso or iso == reporting:
        return amount
    r_from = _rate(rates, iso, day)
    r_to = _rate(rates, reporting, day) if reporting in rates else 1.0
    if r_from is None or r_to is None:
        return None
    return amount / r_from * r_to


def win_rate_by_rep_month(landing: Path) -> dict[tuple[dt.date, str], dict[str, float | int | None]]:
    """kpi_win_rate measures per (month, rep_email) per METRICS.md section 4."""
    users = latest_by_id(landing, "User.csv")
    email = {uid: (u.get("Email") or "").strip().lower() for uid, u in users.items()}
    rates = conversion_rates(landing)
    out: dict[tuple[dt.date, str], dict] = {}
    for opp in latest_by_id(landing, "Opportunity.csv").values():
        if opp["IsDeleted"].lower() == "true" or opp["IsClosed"].lower() != "true":
            continue
        close = dt.date.fromisoformat(opp["CloseDate"])
        key = (close.replace(day=1), email.get(opp["OwnerId"][:15]) or None)
        m = out.setdefault(key, {"won_count": 0, "lost_count": 0, "won_amount": 0.0,
                                 "lost_amount": 0.0})
        won = opp["IsWon"].lower() == "true"
        amount = float(opp["Amount"]) if opp.get("Amount") else None
        converted = to_reporting(amount, opp.get("CurrencyIsoCode") or "USD", close, rates)
        m["won_count" if won else "lost_count"] += 1
        if converted is not None:
            m["won_amount" if won else "lost_amount"] += converted
    for m in out.values():
        n = m["won_count"] + m["lost_count"]
        m["win_rate_count"] = m["won_count"] / n if n else None
        a = m["won_amount"] + m["lost_amount"]
        m["win_rate_amount"] = m["won_amount"] / a if a else None
    return out


def company_rollup(per_rep: dict) -> dict[dt.date, dict]:
    out: dict[dt.date, dict] = {}
    for (month, _), m in per_rep.items():
        c = out.setdefault(month, {"won_count": 0, "lost_count": 0, "won_amount": 0.0,
                                   "lost_amount": 0.0})
        for k in c:
            c[k] += m[k]
    for c in out.values():
        n = c["won_count"] + c["lost_count"]
        c["win_rate_count"] = c["won_count"] / n if n else None
        a = c["won_amount"] + c["lost_amount"]
        c["win_rate_amount"] = c["won_amount"] / a if a else None
    return out
