"""The `salesops` command: generate sample data, run the pipeline, publish, restore, summarise."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

from salesops.settings import Settings


def _cmd_generate(args: argparse.Namespace) -> int:
    from salesops.generator import generate

    out = Path(args.out).resolve()
    summary = generate(args.preset, out, seed=args.seed)
    print(f"generated preset {args.preset!r} (seed {args.seed}) into {out}")
    for key, value in summary.items():
        print(f"  {key}: {value}")
    return 0


def drop_range(settings: Settings) -> tuple[dt.date, dt.date]:
    """The drop dates a run should cover: from the oldest complete drop that is not yet in the
    published marts to the newest complete drop. "In the published marts" means loaded (the
    warehouse's load ledger) AND listed in the current published version's publish_log: a run
    killed after ingestion, or stopped by a check, left drops loaded that dbt's incremental
    facts never processed, and the next run must take them again. With nothing new, just the
    newest date (ingestion skips it, the incremental facts redo it, nothing new is published)."""
    drops = complete_drops_or_exit(settings)
    loaded = _loaded_drops(settings.warehouse)
    published = _published_drops(settings.publish_dir)
    newest = max(d.date for d in drops)
    done = loaded & published
    todo = sorted(d.date for d in drops if (d.system, d.date) not in done)
    return (todo[0], newest) if todo else (newest, newest)


def complete_drops_or_exit(settings: Settings):
    from salesops.ingest.drops import complete_drops

    drops = complete_drops(settings.landing_dir)
    if not drops:
        raise SystemExit(f"error: no complete drop (with _SUCCESS) in {settings.landing_dir}")
    return drops


def _read_only_rows(database: Path, table_schema: str, table: str, sql: str) -> list[tuple]:
    import duckdb

    if not database.is_file():
        return []
    con = duckdb.connect(str(database), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?", [table_schema, table]
        ).fetchone()[0]
        return con.execute(sql).fetchall() if exists else []
    finally:
        con.close()


def _loaded_drops(warehouse: Path) -> set[tuple[str, dt.date]]:
    rows = _read_only_rows(warehouse, "raw", "load_drops",
                           "select system, drop_date from raw.load_drops")
    return set(rows)


def _published_drops(publish_dir: Path) -> set[tuple[str, dt.date]]:
    import json

    rows = _read_only_rows(
        publish_dir / "salesops.duckdb", "main", "publish_log",
        "select drop_dates from publish_log order by published_at desc limit 1",
    )
    if not rows or not rows[0][0]:
        return set()
    try:
        by_system = json.loads(rows[0][0])
    except ValueError:  # an older publish_log format: take everything again
        return set()
    return {
        (system, dt.date.fromisoformat(d)) for system, dates in by_system.items() for d in dates
    }


def pipeline_instance():
    """The Dagster instance of DAGSTER_HOME (runs show in the UI), else an ephemeral one."""
    import dagster as dg

    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


LIVE_RUNS_DIR = "salesops_live_runs"
"""Under DAGSTER_HOME: one file per `salesops run` in progress, flock'ed by its process."""


def fail_dead_runs(instance, live_runs: Path) -> list[str]:
    """Mark failed the in-process runs whose process died without ending them (SIGKILL, OOM,
    power loss), and free their concurrency slots: a dead run keeps its slot of the
    duckdb_warehouse pool (limit 1) forever, and every later run would wait for it. A run is
    dead when no process holds the lock of its file under `live_runs`. Returns their ids."""
    failed = []
    for marker in sorted(live_runs.glob("*")):
        if marker.name.startswith("."):
            continue  # a run taking its lock (renamed once it holds it)
        try:
            with open(marker, "a") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                run = instance.get_run_by_id(marker.name)
                if run is not None and not run.is_finished:
                    instance.report_run_failed(
                        run, "the process running it died before the run ended (killed?); "
                        "marked failed by the next `salesops run`")
                instance.event_log_storage.free_concurrency_slots_for_run(marker.name)
                marker.unlink()
                failed.append(marker.name)
        except OSError:
            continue  # its process is alive (or another run is cleaning it up)
    return failed


@contextlib.contextmanager
def _live_run(instance) -> Iterator[str | None]:
    """The run id to use, marked alive (an flock the kernel releases however the process
    ends) while the run executes; dead runs are failed first. None with an ephemeral instance."""
    if instance.is_ephemeral:
        yield None
        return
    live_runs = Path(instance.root_directory) / LIVE_RUNS_DIR
    live_runs.mkdir(parents=True, exist_ok=True)
    for run_id in fail_dead_runs(instance, live_runs):
        print(f"run {run_id} had died without ending: marked failed, its pool slots freed",
              file=sys.stderr)
    run_id = str(uuid.uuid4())
    taking = live_runs / f".{run_id}"
    with open(taking, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        marker = taking.rename(live_runs / run_id)
        try:
            yield run_id
        finally:
            marker.unlink(missing_ok=True)


def execute_pipeline(
    date_range: tuple[dt.date, dt.date] | None = None, instance=None, tags=None
):
    """Run the whole pipeline job in this process; returns Dagster's ExecuteInProcessResult.

    ``date_range`` (inclusive) is the drop dates (partitions) the run covers, as one run; by
    default every complete drop not loaded yet (:func:`drop_range`). Uses the instance of
    DAGSTER_HOME when set (runs show in the UI), else an ephemeral one.
    """
    from orchestration.definitions import defs
    from orchestration.defs.automation import range_tags
    from orchestration.defs.constants import PIPELINE_JOB

    first, last = date_range or drop_range(Settings.from_env())
    job = defs.resolve_job_def(PIPELINE_JOB)
    level = os.environ.get("SALESOPS_LOG_LEVEL", "INFO").upper()
    run_config = {"loggers": {"console": {"config": {"log_level": level}}}}
    instance = instance if instance is not None else pipeline_instance()
    with _live_run(instance) as run_id:
        return job.execute_in_process(
            run_config=run_config,
            raise_on_error=False,
            tags={**range_tags(first, last), **(tags or {})},
            instance=instance,
            run_id=run_id,
        )


def run_pipeline() -> tuple[bool, list[str]]:
    """Run the whole pipeline in this process; returns (success, failure reasons)."""
    return pipeline_outcome(execute_pipeline())


def pipeline_outcome(result) -> tuple[bool, list[str]]:
    """(success, failure reasons) of a pipeline run's result."""
    reasons: list[str] = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            data = event.step_failure_data
            msg = None
            if data.user_failure_data is not None and data.user_failure_data.description:
                msg = data.user_failure_data.description
            elif data.error is not None:
                msg = data.error.message.strip()
                cause = data.error.cause
                while cause is not None:
                    msg += f" (caused by: {cause.message.strip()})"
                    cause = cause.cause
            reasons.append(f"{event.step_key}: {msg}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            ev = event.event_specific_data
            if not ev.passed and ev.severity.value == "ERROR":
                reasons.append(f"quality check {ev.check_name} on {ev.asset_key.to_user_string()} "
                               "failed: nothing published")
    skipped_publish = result.success and not any(
        e.event_type_value == "ASSET_MATERIALIZATION"
        and e.asset_key is not None
        and e.asset_key.path[0] == "published"
        for e in result.all_events
    )
    if skipped_publish:
        reasons.append("the published marts were not materialized")
    return result.success and not reasons, reasons


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


def quality_check_report(result) -> list[str]:
    """One line per failed GX check of a run: severity, check, what failed, where the docs are."""
    lines = []
    for event in result.all_events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        ev = event.event_specific_data
        if ev.passed or not ev.check_name.startswith("gx_"):
            continue
        docs = ev.metadata.get("data_docs")
        where = f" (Data Docs: {docs.value})" if docs is not None else ""
        lines.append(f"{ev.severity.value} {ev.check_name}: {ev.description}{where}")
    return lines


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
    import duckdb

    db = settings.publish_dir / "salesops.duckdb"
    con = duckdb.connect(str(db), read_only=True)
    try:
        version = _newest_log_row(con)
        print(f"\nPublished version {version[0]} (drops: {version[1]})")
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


def _newest_log_row(con) -> tuple[str, str]:
    """(version, newest drop dates as text) of the database's own publish_log row."""
    import json

    cols = {r[0] for r in con.execute("describe publish_log").fetchall()}
    drops = "newest_drop_dates" if "newest_drop_dates" in cols else "drop_dates"
    version, text = con.execute(
        f"select version, {drops} from publish_log order by published_at desc, version desc "
        "limit 1").fetchone()
    try:
        text = ", ".join(f"{k} {v}" for k, v in sorted(json.loads(text).items()))
    except (TypeError, ValueError, AttributeError):
        pass
    return version, text


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
