"""The `salesops` command: generate sample data, run the pipeline, publish, restore, summarise."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from salesops.settings import (
    FIRST_DROP_DATE_VAR,
    Settings,
    first_drop_date,
    settings_help,
    settings_problems,
)

KEEP_LOGS = 30
"""How many run logs `salesops run` keeps in the log folder."""

EXIT_FAILED, EXIT_USAGE, EXIT_BUSY = 1, 2, 3
BUSY_POLL_SECONDS = 5
"""How often a run waiting for another process to stop writing the warehouse looks again."""


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def refuse_bad_settings() -> bool:
    """Print one line per bad setting; True when there was one (nothing may start then)."""
    problems = settings_problems()
    for problem in problems:
        _err(f"error: {problem}")
    if problems:
        _err("nothing was run (see `salesops --help` for the settings)")
    return bool(problems)


# ---- generate -----------------------------------------------------------------------------

def _cmd_generate(args: argparse.Namespace) -> int:
    from salesops.generator import generate

    out = Path(args.out).resolve()
    summary = generate(args.preset, out, seed=args.seed)
    print(f"generated preset {args.preset!r} (seed {args.seed}) into {out}")
    for key in ("drop_dates", "rows"):
        value = summary.get(key)
        if isinstance(value, list) and value:
            print(f"  {key}: {len(value)} ({value[0]} .. {value[-1]})")
        elif isinstance(value, dict):
            print(f"  {key}: {sum(value.values()):,} in {len(value)} files")
    return 0


# ---- run ----------------------------------------------------------------------------------

def _check_drop_dates(first: dt.date, last: dt.date) -> str | None:
    """Why drops of first..last can't be partitions, in one line naming the setting, or None."""
    start = first_drop_date()
    if first < start:
        return (f"drops dated {first} are before {FIRST_DROP_DATE_VAR}={start} (the first day a "
                f"drop can be dated): set {FIRST_DROP_DATE_VAR}={first} or earlier")
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    if last > tomorrow:
        return (f"a drop is dated {last}, in the future (today is "
                f"{tomorrow - dt.timedelta(days=1)} UTC): a drop folder is named by its extract "
                "date; rename or remove it")
    return None


def _log_path(settings: Settings, run_id: str) -> Path:
    folder = settings.log_dir
    folder.mkdir(parents=True, exist_ok=True)
    logs = sorted(folder.glob("run-*.log"))
    for old in logs[: max(0, len(logs) - (KEEP_LOGS - 1))]:
        old.unlink(missing_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return folder / f"run-{stamp}-{run_id[:8]}.log"


@contextlib.contextmanager
def _output_to_log(log_file: Path, enabled: bool) -> Iterator[IO[str]]:
    """While the run executes, everything written to stdout and stderr (dbt's own lines,
    library warnings) goes to the log file; the block gets a stream on the real terminal."""
    sys.stdout.flush()
    sys.stderr.flush()
    if not enabled:
        yield sys.stdout
        return
    saved_out, saved_err = os.dup(1), os.dup(2)
    log_fd = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    terminal = os.fdopen(os.dup(saved_out), "w", buffering=1, encoding="utf-8",
                         errors="replace")
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    try:
        yield terminal
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_out, 1)
        os.dup2(saved_err, 2)
        for fd in (saved_out, saved_err, log_fd):
            os.close(fd)
        terminal.close()


def _cmd_run(args: argparse.Namespace, settings: Settings | None = None) -> int:
    if refuse_bad_settings():
        return EXIT_USAGE
    from salesops.pending import WarehouseBusy, pending_work
    from salesops.run_lock import WarehouseLocked, warehouse_run_lock

    settings = settings or Settings.from_env()
    if not settings.landing_dir.is_dir():
        _err(f"error: landing folder {settings.landing_dir} does not exist "
             "(SALESOPS_LANDING_DIR)")
        return EXIT_USAGE
    run_id = str(uuid.uuid4())
    waited_busy: list[bool] = []

    def waiting(holder: str) -> None:
        print(f"waiting: the warehouse {settings.warehouse} is in use by {holder}; this run "
              "starts when it ends (Ctrl-C to give up)", flush=True)

    try:
        with warehouse_run_lock(settings.warehouse, run_id=run_id, wait=not args.no_wait,
                                on_wait=waiting):
            work = None
            while work is None:
                try:
                    work = pending_work(settings)
                except WarehouseBusy as exc:  # a run from the UI (or any other writer)
                    if args.no_wait:
                        _err(f"error: {exc}; nothing was run")
                        return EXIT_BUSY
                    if not waited_busy:
                        print(f"waiting: {exc}; this run starts when it is free (Ctrl-C to "
                              "give up)", flush=True)
                        waited_busy.append(True)
                    time.sleep(BUSY_POLL_SECONDS)
            return _run_locked(args, settings, work, run_id)
    except WarehouseLocked as exc:
        _err(f"error: {exc}; nothing was run (without --no-wait this run would queue)")
        return EXIT_BUSY


def _run_locked(args, settings: Settings, work, run_id: str) -> int:
    from salesops.publish import current_version

    if work.newest is None:
        _err(f"error: no complete drop (with _SUCCESS) in {settings.landing_dir}")
        return EXIT_USAGE
    date_from, date_to = args.date_from, args.date_to
    if date_from or date_to:
        pending = work.date_range() or (work.newest, work.newest)
        date_range = (date_from or pending[0], date_to or work.newest)
        if date_range[0] > date_range[1]:
            _err(f"error: --from {date_range[0]} is after --to {date_range[1]}")
            return EXIT_USAGE
        what = "as asked (--from/--to)"
    else:
        pending_range = work.date_range()
        if pending_range is None:
            version = current_version(settings.publish_dir)
            print(f"Nothing to do: every complete drop in {settings.landing_dir} is loaded and "
                  f"published (current version {version}). Nothing changed; nothing was "
                  "published.")
            return 0
        date_range = pending_range
        what = work.describe()
    problem = _check_drop_dates(*date_range)
    if problem:
        _err(f"error: {problem}; nothing was run")
        return EXIT_USAGE

    log_file = _log_path(settings, run_id)
    print(f"salesops run {run_id[:8]}: drops {date_range[0]} .. {date_range[1]}: {what}")
    print(f"  {settings.landing_dir} -> {settings.warehouse} -> {settings.publish_dir}")
    print(f"  full log: {log_file}")
    return _execute(args, settings, date_range, run_id, log_file)


def _execute(args, settings: Settings, date_range, run_id: str, log_file: Path) -> int:
    from orchestration.defs.run_logging import add_listener, remove_listener
    from orchestration.in_process import (
        execute_pipeline,
        failed_quality_checks,
        pipeline_instance,
        pipeline_outcome,
    )
    from salesops_cli.progress_view import ProgressView

    verbose = args.verbose
    instance = pipeline_instance(settings)
    with _output_to_log(log_file, enabled=not verbose) as terminal:
        view = ProgressView(terminal, live=terminal.isatty() and not verbose)
        if view.live:  # overwritten by the first stage's line
            terminal.write("  loading the pipeline's definitions ...")
            terminal.flush()
        if not verbose:
            add_listener(view)
        try:
            # This process alerts on its own failure (a daemon's run-failure sensor may not run).
            result = execute_pipeline(
                date_range, instance=instance, tags={"salesops/alerts": "caller"},
                run_id=run_id, log_file=log_file, console=verbose, settings=settings,
            )
        finally:
            remove_listener(view)
            view.close()
        ok, reasons = pipeline_outcome(result)
        if not result.success:
            from orchestration.defs.alerts import handle_failed_run

            handle_failed_run(instance, result.dagster_run, result.get_run_failure_event(),
                              settings=settings)
    findings = failed_quality_checks(result)
    if findings:
        _print_findings(findings)
    if not ok:
        _err("\nPIPELINE FAILED; the published marts are unchanged.")
        if any(r.startswith("quality check ") for r in reasons):
            # the step's own error repeats the failed checks, listed already
            reasons = [r for r in reasons if "DagsterAssetCheckFailedError" not in r]
        for reason in reasons:
            _err(f"  - {_short(reason)}")
        _err(f"Details: {log_file}")
        return EXIT_FAILED
    # The run succeeded and published: nothing below may turn that into a failure.
    try:
        _report_success(result, settings, view.elapsed())
    except Exception as exc:  # noqa: BLE001
        _err(f"note: the run succeeded, but its summary could not be printed ({exc}); "
             "`salesops summary` prints it")
    return 0


def _short(text: str, limit: int = 400) -> str:
    first = " ".join(line.strip() for line in text.strip().splitlines()[:3])
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _print_findings(findings, show: int = 5) -> None:
    """The failed checks, errors first; the same finding on many suites on one line (e.g. every
    table's freshness when old history is loaded); where their Data Docs are."""
    groups: dict[tuple[str, str], list[str]] = {}
    for finding in findings:
        groups.setdefault((finding.severity, finding.description), []).append(finding.check)
    errors = sum(1 for f in findings if f.severity == "ERROR")
    _err(f"\nData-quality findings: {errors} error(s), {len(findings) - errors} warning(s)")
    ordered = sorted(groups.items(), key=lambda item: item[0][0] != "ERROR")
    for (severity, what), checks in ordered[:show]:
        where = checks[0] if len(checks) == 1 else f"{len(checks)} suites ({', '.join(checks[:3])}"
        where += ", ...)" if len(checks) > 3 else (")" if len(checks) > 1 else "")
        _err(f"  - {severity} {where}: {_short(what, 120)}")
    if len(ordered) > show:
        _err(f"  ... and {len(ordered) - show} more")
    for docs in sorted({f.data_docs for f in findings if f.data_docs}):
        _err(f"  Data Docs: {docs}")


def _report_success(result, settings: Settings, seconds: float) -> None:
    publish = [
        e for e in result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key is not None
        and e.asset_key.path[0] == "published"
    ]
    metadata = publish[-1].event_specific_data.materialization.metadata if publish else {}
    unchanged = metadata.get("unchanged")
    version = metadata.get("version")
    version = getattr(version, "value", version)
    if unchanged is not None and getattr(unchanged, "value", unchanged):
        print(f"\nDone in {seconds:.0f} s. Nothing changed: the marts equal the current version "
              f"{version}; nothing was published.")
    else:
        print(f"\nDone in {seconds:.0f} s.")
        print_summary(settings)
    print_dashboard_line(result)


def print_dashboard_line(result) -> None:
    """Where the run wrote the dashboard, or why it did not (never a failure of the run)."""
    from orchestration.in_process import dashboard_outcome

    path, error = dashboard_outcome(result)
    if path:
        print(f"\nDashboard: {path}")
    elif error:
        print(f"\nDashboard: not written ({_short(error, 200)}); the published marts are "
              "unaffected")


# ---- demo ---------------------------------------------------------------------------------

def _cmd_demo(args: argparse.Namespace) -> int:
    if refuse_bad_settings():
        return EXIT_USAGE
    settings = Settings.from_env()
    if not any(settings.landing_dir.glob("*/*/_SUCCESS")):
        from salesops.generator import generate

        print(f"generating the demo sample data (seed {args.seed}) into {settings.landing_dir}")
        generate("demo", settings.landing_dir, seed=args.seed)
    else:
        print(f"sample data already in {settings.landing_dir}; not regenerating")
    if "SALESOPS_AS_OF_DATE" not in settings.env:
        # The sample is a fixed history (its newest drop is 2026-10-31): check its freshness as
        # of its own newest drop, as the nightly run would have on that day.
        newest = max(p.parent.name for p in settings.landing_dir.glob("*/*/_SUCCESS"))
        settings = Settings.from_env({**settings.env, "SALESOPS_AS_OF_DATE": newest})
        print(f"freshness judged as of {newest}, the sample's newest drop (SALESOPS_AS_OF_DATE)")
    return _cmd_run(args, settings)


# ---- summary ------------------------------------------------------------------------------

def print_summary(settings: Settings) -> None:
    import json

    import duckdb

    from salesops.publish import PUBLISH_LOG, current_log_entry

    db = settings.publish_dir / "salesops.duckdb"
    if not db.is_file():
        print(f"nothing published yet in {settings.publish_dir}")
        return
    con = duckdb.connect(str(db), read_only=True)
    try:
        entry = current_log_entry(settings.publish_dir) or {}
        newest = json.loads(entry.get("newest_drop_dates") or "{}")  # JSON text in the log
        drops = ", ".join(f"{k} {v}" for k, v in sorted(newest.items())) or "-"
        from salesops.dashboard import last_complete_month, reporting_currency

        currency = reporting_currency()
        tables = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()}
        print(f"\nPublished version {entry.get('version', '?')} (newest drops: {drops})")
        if "kpi_win_rate_company" in tables:
            rows = con.execute(
                "select month, won_count, lost_count, win_rate_count, won_amount, "
                "win_rate_amount from kpi_win_rate_company order by month desc limit 6"
            ).fetchall()
            if not rows:
                print("\nWin rate, company: no closed opportunity yet")
            else:
                print(f"\nWin rate, company, last {len(rows)} months (amounts in {currency}):")
                print(f"  {'month':<10} {'won':>5} {'lost':>5} {'win rate #':>10} "
                      f"{'won amount':>14} {'win rate $':>10}")
            for month, won, lost, wr, amount, wra in rows:
                print(f"  {month!s:<10} {_int(won):>5} {_int(lost):>5} {_pct(wr):>10} "
                      f"{_money(amount, ''):>14} {_pct(wra):>10}")
        month = last_complete_month(
            con, newest, [mart for _, mart, _, _ in COMPANY_KPIS if mart in tables])
        if month is not None:
            print_company_kpis(con, tables, month, currency)
        marts = sorted(t for t in tables if t != PUBLISH_LOG)
        print(f"\nPublished database: {db} ({len(marts)} marts)")
        print(f"Parquet files:      {settings.publish_dir / 'parquet'}/<mart>.parquet")
    finally:
        con.close()


# One line per KPI: (label, mart, measure, format); the company row of the last complete month.
COMPANY_KPIS = (
    ("Win rate #", "kpi_win_rate_company", "win_rate_count", "pct"),
    ("Average won deal", "kpi_deal_value_company", "avg_won_amount", "money"),
    ("Median won cycle (days)", "kpi_sales_cycle_company", "median_cycle_days_won", "num"),
    ("Sales velocity 90d (per day)", "kpi_sales_cycle_company", "sales_velocity_90d", "money"),
    ("Quota attainment", "kpi_quota_attainment_company", "quota_attainment", "pct"),
    ("CRM adoption (active working days)", "kpi_crm_usage_company", "adoption_rate", "pct"),
    ("Selling share of time", "kpi_crm_usage_company", "selling_share", "pct"),
    ("Lead conversion", "kpi_outreach_company", "lead_conversion_rate", "pct"),
    ("Median lead response (min)", "kpi_lead_response_company", "median_response_minutes", "num"),
    ("Leads answered within SLA", "kpi_lead_response_company", "within_sla_share", "pct"),
    ("Training hours", "kpi_training_company", "training_hours", "num"),
    ("Turnover, trailing 12 months", "kpi_retention_company", "turnover_rate_t12m", "pct"),
)


def print_company_kpis(con, tables: set[str], month: dt.date, currency: str) -> None:
    print(f"\nCompany KPIs, {month:%B %Y} (the last complete month; amounts in {currency}):")
    for label, mart, measure, fmt in COMPANY_KPIS:
        if mart not in tables:
            value = None
        else:
            row = con.execute(f"select {measure} from {mart} where month = ?", [month]).fetchone()
            value = row[0] if row else None
        text = (_pct(value) if fmt == "pct" else _money(value, currency) if fmt == "money"
                else "-" if value is None else f"{value:,.1f}")
        print(f"  {label:<40} {text:>16}")


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _int(x: int | None) -> str:
    return "-" if x is None else f"{x:,}"


def _money(x: float | None, currency: str) -> str:
    if x is None:
        return "-"
    return f"{x:,.0f} {currency}".strip()


def _cmd_summary(args: argparse.Namespace) -> int:
    print_summary(Settings.from_env())
    return 0


# ---- versions and restore -----------------------------------------------------------------

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
        _err(f"error: {exc}")
        return EXIT_USAGE
    if previous == args.version:
        print(f"version {args.version} is already current in {publish_dir}; nothing changed")
        return 0
    print(f"version {args.version} is current again in {publish_dir} (was {previous}); "
          "recorded in publish_history.jsonl")
    _rewrite_dashboard(publish_dir)
    return 0


def _rewrite_dashboard(publish_dir: Path) -> None:
    """The dashboard of the version now current; a failure is a note (the restore stands)."""
    from salesops.dashboard import write_dashboard

    try:
        path = write_dashboard(publish_dir)
    except Exception as exc:  # noqa: BLE001
        _err(f"note: the dashboard was not rewritten ({type(exc).__name__}: {exc})")
        return
    if path is not None:
        print(f"Dashboard: {path}")


# ---- the command line ---------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="salesops", description=__doc__,
        epilog=settings_help() + "\n\nexit codes: 0 done, 1 the run failed (nothing published), "
        "2 bad usage or setting (nothing run), 3 the warehouse is busy (with --no-wait)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write sample landing drops (the contract's layout)")
    g.add_argument("--preset", default="demo", choices=["tiny", "demo", "medium", "large"],
                   help="how much data: tiny (tests), demo (make demo), medium, large "
                   "(benchmarks); default demo")
    g.add_argument("--out", required=True, help="landing folder to write")
    g.add_argument("--seed", type=int, default=42,
                   help="random seed: the same seed writes the same files (default 42)")
    g.set_defaults(func=_cmd_generate)

    def run_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--verbose", "-v", action="store_true",
                       help="print the run's whole log (every file, dbt node and check) "
                       "instead of the progress view")
        p.add_argument("--no-wait", action="store_true",
                       help="if another run holds the warehouse, refuse at once (exit 3) "
                       "instead of queueing behind it")

    r = sub.add_parser("run", help="run the pipeline on what is pending in the landing folder; "
                       "non-zero on failure")
    r.add_argument("--from", dest="date_from", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                   help="first drop date of the run (default: the oldest drop not done yet)")
    r.add_argument("--to", dest="date_to", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                   help="last drop date of the run (default: the newest complete drop)")
    run_options(r)
    r.set_defaults(func=_cmd_run)

    d = sub.add_parser("demo", help="generate the demo data if missing, then run")
    d.add_argument("--seed", type=int, default=42,
                   help="random seed of the generated sample (default 42)")
    run_options(d)
    d.set_defaults(func=_cmd_demo, date_from=None, date_to=None)

    s = sub.add_parser("summary", help="print the published KPI summary")
    s.set_defaults(func=_cmd_summary)

    v = sub.add_parser("restore", help="make an earlier published VERSION current again "
                       "(without VERSION or with --list: list the kept versions)")
    v.add_argument("version", nargs="?", help="a version listed by `salesops versions`")
    v.add_argument("--list", action="store_true", help="list the kept versions")
    v.set_defaults(func=_cmd_restore)

    vs = sub.add_parser("versions", help="list the kept published versions; * marks the current")
    vs.set_defaults(func=_cmd_versions)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # `salesops summary | head`: the reader left; that is not an error. Python would
        # complain again when flushing stdout at exit, so point it at /dev/null first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
