"""The `salesops` command: generate sample data, run the pipeline, publish, restore, summarise."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from salesops.pipeline import (
    drop_range,
    execute_pipeline,
    pipeline_instance,
    pipeline_outcome,
    quality_check_report,
)
from salesops.settings import Settings


def _cmd_generate(args: argparse.Namespace) -> int:
    from salesops.generator import generate

    out = Path(args.out).resolve()
    summary = generate(args.preset, out, seed=args.seed)
    print(f"generated preset {args.preset!r} (seed {args.seed}) into {out}")
    for key, value in summary.items():
        print(f"  {key}: {value}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if not settings.landing_dir.is_dir():
        print(f"error: landing folder {settings.landing_dir} does not exist "
              "(SALESOPS_LANDING_DIR)", file=sys.stderr)
        return 2
    date_from, date_to = getattr(args, "date_from", None), getattr(args, "date_to", None)
    if date_from or date_to:
        first, last = drop_range(settings)
        date_range = (date_from or first, date_to or last)
        if date_range[0] > date_range[1]:
            print(f"error: --from {date_range[0]} is after --to {date_range[1]}", file=sys.stderr)
            return 2
    else:
        date_range = drop_range(settings)
    print(f"salesops run: drops {date_range[0]} .. {date_range[1]}, landing "
          f"{settings.landing_dir} -> warehouse {settings.warehouse}")
    instance = pipeline_instance()
    # This process alerts on its own failure (a daemon's run-failure sensor may not be running).
    result = execute_pipeline(date_range, instance=instance, tags={"salesops/alerts": "caller"})
    ok, reasons = pipeline_outcome(result)
    if not result.success:
        from orchestration.defs.alerts import handle_failed_run

        handle_failed_run(instance, result.dagster_run, result.get_run_failure_event())
    checks = quality_check_report(result)
    if checks:
        print("\nData-quality findings:", file=sys.stderr)
        for line in checks:
            print(f"  - {line}", file=sys.stderr)
    if not ok:
        print("\nPIPELINE FAILED; the published marts are unchanged.", file=sys.stderr)
        for r in reasons:
            print(f"  - {r}", file=sys.stderr)
        return 1
    print_summary(settings)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if not any(settings.landing_dir.glob("*/*/_SUCCESS")):
        from salesops.generator import generate

        print(f"generating the demo sample data into {settings.landing_dir} ...")
        generate("demo", settings.landing_dir, seed=args.seed)
    else:
        print(f"sample data already in {settings.landing_dir}; not regenerating")
    if not os.environ.get("SALESOPS_AS_OF_DATE"):
        # The sample is a fixed history (its newest drop is 2026-10-31): check its freshness as
        # of its own newest drop, as the nightly run would have on that day.
        newest = max(p.parent.name for p in settings.landing_dir.glob("*/*/_SUCCESS"))
        os.environ["SALESOPS_AS_OF_DATE"] = newest
        print(f"freshness checked as of {newest}, the sample's newest drop (SALESOPS_AS_OF_DATE)")
    return _cmd_run(args)


def print_summary(settings: Settings) -> None:
    import json

    import duckdb

    from salesops.publish import current_log_entry

    db = settings.publish_dir / "salesops.duckdb"
    con = duckdb.connect(str(db), read_only=True)
    try:
        entry = current_log_entry(settings.publish_dir) or {}
        newest = json.loads(entry.get("newest_drop_dates") or "{}")
        drops = ", ".join(f"{k} {v}" for k, v in sorted(newest.items()))
        print(f"\nPublished version {entry.get('version')} (drops: {drops})")
        rows = con.execute(
            "select month, won_count, lost_count, win_rate_count, won_amount, win_rate_amount "
            "from kpi_win_rate_company order by month desc limit 6"
        ).fetchall()
        print("\nWin rate, company, last 6 months:")
        print(f"  {'month':<10} {'won':>5} {'lost':>5} {'win rate #':>10} {'won amount':>14} "
              f"{'win rate $':>10}")
        for month, won, lost, wr, amount, wra in rows:
            print(f"  {month!s:<10} {won:>5} {lost:>5} {_pct(wr):>10} {amount or 0:>14,.0f} "
                  f"{_pct(wra):>10}")
        print_company_kpis(con)
        marts = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "order by 1").fetchall()]
        print(f"\nPublished database: {db}")
        print(f"Parquet files:      {settings.publish_dir / 'parquet'}/<mart>.parquet")
        print(f"Tables:             {', '.join(marts)}")
    finally:
        con.close()


# One line per KPI: (label, mart, measure, format); the company row of the last complete month.
COMPANY_KPIS = (
    ("Win rate #", "kpi_win_rate_company", "win_rate_count", "pct"),
    ("Average won deal", "kpi_deal_value_company", "avg_won_amount", "money"),
    ("Median won cycle (days)", "kpi_sales_cycle_company", "median_cycle_days_won", "num"),
    ("Sales velocity 90d (per day)", "kpi_sales_cycle_company", "sales_velocity_90d", "money"),
    ("Quota attainment", "kpi_quota_attainment_company", "quota_attainment", "pct"),
    ("CRM adoption (active / working days)", "kpi_crm_usage_company", "adoption_rate", "pct"),
    ("Selling share of time", "kpi_crm_usage_company", "selling_share", "pct"),
    ("Lead conversion", "kpi_outreach_company", "lead_conversion_rate", "pct"),
    ("Median lead response (min)", "kpi_lead_response_company", "median_response_minutes", "num"),
    ("Leads answered within SLA", "kpi_lead_response_company", "within_sla_share", "pct"),
    ("Training hours", "kpi_training_company", "training_hours", "num"),
    ("Turnover, trailing 12 months", "kpi_retention_company", "turnover_rate_t12m", "pct"),
)


def print_company_kpis(con) -> None:
    query = "select table_name from information_schema.tables"
    tables = {r[0] for r in con.execute(query).fetchall()}
    if "kpi_win_rate_company" not in tables:
        return
    last = con.execute("select max(month) from kpi_win_rate_company").fetchone()[0]
    month = con.execute(
        "select max(month) from kpi_win_rate_company where month < ?", [last]
    ).fetchone()[0] or last
    print(f"\nCompany KPIs, {month:%B %Y} (the last complete month):")
    for label, mart, measure, fmt in COMPANY_KPIS:
        if mart not in tables:
            continue
        row = con.execute(f"select {measure} from {mart} where month = ?", [month]).fetchone()
        value = row[0] if row else None
        text = (_pct(value) if fmt == "pct" else "-" if value is None
                else f"{value:,.0f}" if fmt == "money" else f"{value:,.1f}")
        print(f"  {label:<40} {text:>12}")


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _cmd_summary(args: argparse.Namespace) -> int:
    print_summary(Settings.from_env())
    return 0


def print_versions(publish_dir: Path) -> None:
    """The kept versions, oldest first: current marker, time, newest drops, rows, run."""
    from salesops.publish import HISTORY_FILE, list_versions

    kept = list_versions(publish_dir)
    if not kept:
        print(f"no published versions in {publish_dir}")
        return
    print(f"  {'version':<34} {'published (UTC)':<19}  {'newest drops':<40} {'rows':>9}  run")
    for v in kept:
        when = f"{v.published_at:%Y-%m-%d %H:%M:%S}" if v.published_at else "?"
        drops = ", ".join(f"{k} {d}" for k, d in sorted(v.newest_drop_dates.items())) or "-"
        rows = f"{sum(v.row_counts.values()):,}" if v.row_counts else "?"
        mark = "*" if v.current else " "
        print(f"{mark} {v.version:<34} {when:<19}  {drops:<40} {rows:>9}  {v.run_id or '-'}")
    print(f"(* = current; every publish and restore: {publish_dir / HISTORY_FILE})")


def _cmd_versions(args: argparse.Namespace) -> int:
    print_versions(Settings.from_env().publish_dir)
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from salesops.publish import restore

    publish_dir = Settings.from_env().publish_dir
    if args.list or not args.version:
        print_versions(publish_dir)
        return 0
    try:
        previous = restore(publish_dir, args.version)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"version {args.version} is current again in {publish_dir} (was {previous}); "
          "recorded in publish_history.jsonl")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="salesops", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write sample landing drops (CONTRACT.md layout)")
    g.add_argument("--preset", default="demo", choices=["tiny", "demo", "medium", "large"])
    g.add_argument("--out", required=True, help="landing folder to write")
    g.add_argument("--seed", type=int, default=42)
    g.set_defaults(func=_cmd_generate)

    r = sub.add_parser("run", help="run the pipeline on the landing folder; non-zero on failure")
    r.add_argument("--from", dest="date_from", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                   help="first drop date of the run (default: the oldest drop not loaded yet)")
    r.add_argument("--to", dest="date_to", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                   help="last drop date of the run (default: the newest complete drop)")
    r.set_defaults(func=_cmd_run)

    d = sub.add_parser("demo", help="generate the demo data if missing, then run")
    d.add_argument("--seed", type=int, default=42)
    d.set_defaults(func=_cmd_demo)

    s = sub.add_parser("summary", help="print the published KPI summary")
    s.set_defaults(func=_cmd_summary)

    v = sub.add_parser("restore", help="make an earlier published VERSION current again "
                       "(without VERSION or with --list: list the kept versions)")
    v.add_argument("version", nargs="?")
    v.add_argument("--list", action="store_true", help="list the kept versions")
    v.set_defaults(func=_cmd_restore)

    vs = sub.add_parser("versions", help="list the kept published versions; * marks the current")
    vs.set_defaults(func=_cmd_versions)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
