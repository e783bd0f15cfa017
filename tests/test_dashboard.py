"""The KPI dashboard (salesops/dashboard.py, orchestration/defs/dashboard.py).

The demo run's dashboard.html (written by the pipeline's `dashboard` asset) is opened in headless
Chromium from file://, with every other request blocked and recorded: every chart drew as many
points as its mart has values, the team filter switches the charts and the scorecard to that
team's roll-ups and reps, the console shows no error, and a screenshot is saved (into
docs/images/dashboard.png, which the README shows, with SALESOPS_UPDATE_SNAPSHOTS=1; else into
the test's temporary folder, so that `make test` leaves the tracked image alone).
A published database whose KPI marts are empty renders empty states. A dashboard that cannot be
written leaves the run successful (a real Dagster materialization with a broken renderer).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from test_ui_browser import CHROMIUM_ARGS, find_chromium

from salesops import dashboard
from salesops.dashboard import CHARTS, DASHBOARD_FILE, SCORECARD, write_dashboard
from salesops.publish import PUBLISHED_DB, current_version, publish, record_published_set
from salesops.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "docs" / "images" / "dashboard.png"
VIEWPORT = {"width": 1400, "height": 1250}

needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="no Chromium installed")


@contextmanager
def dashboard_page(html: Path):
    """`html` opened in headless Chromium; yields (page, problems, requests): console errors and
    page errors, and every URL requested (anything but the file itself is aborted)."""
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    url = html.resolve().as_uri()
    problems: list[str] = []
    requests: list[str] = []

    def route(r):
        requests.append(r.request.url)
        if r.request.url == url:
            r.continue_()
        else:
            r.abort()

    with tempfile.TemporaryDirectory(prefix="salesops-chromium-") as profile:
        with sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(
                profile, executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS,
                viewport=VIEWPORT)
            try:
                ctx.set_default_timeout(30_000)
                ctx.route("**/*", route)
                page = ctx.new_page()
                page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                        if m.type in ("error", "warning") else None)
                page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
                page.goto(url, wait_until="load")
                page.wait_for_selector("body[data-ready='1']")
                yield page, problems, requests
            finally:
                ctx.close()


def chart_state(page) -> dict[str, dict]:
    """Each chart: its grain, its data-points, its drawn circles, whether it is an empty state."""
    return page.evaluate("""() => Object.fromEntries(
        [...document.querySelectorAll('.chart')].map(c => [c.dataset.chart, {
            grain: c.dataset.grain, points: +c.dataset.points,
            circles: c.querySelectorAll('svg circle.pt').length,
            empty: c.querySelector('.empty') ? c.querySelector('.empty').textContent : null}]))""")


def expected_points(con, chart, grain: str = "company", key: str | None = None) -> int:
    """The values a chart must draw, counted in the published database."""
    table = f"{chart.mart}_{grain}"
    where = "true" if key is None else f"coalesce(cast({grain} as varchar), '(none)') = ?"
    if chart.latest_snapshot:
        where += f" and snapshot_date = (select max(snapshot_date) from {table})"
    counts = " + ".join(f"count({s.column})" for s in chart.series)
    return con.execute(f"select {counts} from {table} where {where}",
                       [] if key is None else [key]).fetchone()[0]


def scorecard_reps(con, month: dt.date, team: str | None = None) -> int:
    union = " union ".join(
        f"select rep_email, team from {mart} where month = ?" for _, mart, _, _ in SCORECARD)
    sql = f"select count(distinct rep_email) from ({union})"
    params: list = [month] * len(SCORECARD)
    if team is not None:
        sql += " where team = ?"
        params.append(team)
    return con.execute(sql, params).fetchone()[0]


def test_the_pipeline_wrote_a_self_contained_dashboard(demo_run):
    html_path = demo_run.publish_dir / DASHBOARD_FILE
    html = html_path.read_text()
    assert current_version(demo_run.publish_dir) in html
    assert "<script src" not in html and "<link" not in html and "@import" not in html
    assert "https://" not in html and "http://" not in html.replace(
        "http://www.w3.org/2000/svg", "")
    assert not list(demo_run.publish_dir.glob(f".{DASHBOARD_FILE}*"))  # no temporary file left
    assert html_path.stat().st_size < 2_000_000


@needs_chromium
@pytest.mark.browser
def test_every_chart_renders_its_data_and_the_team_filter_applies(demo_run, tmp_path):
    html = demo_run.publish_dir / DASHBOARD_FILE
    con = duckdb.connect(str(demo_run.publish_dir / PUBLISHED_DB), read_only=True)
    try:
        with dashboard_page(html) as (page, problems, requests):
            assert page.inner_text("#as-of") == "2026-10-31"
            assert page.inner_text("#version") == current_version(demo_run.publish_dir)
            state = chart_state(page)
            assert list(state) == [c.id for c in CHARTS]  # the nine KPIs, in order
            for chart in CHARTS:
                s = state[chart.id]
                want = expected_points(con, chart)
                assert want > 0, chart.id
                assert s == {"grain": "company", "points": want, "circles": want,
                             "empty": None}, chart.id
            month = dt.date(2026, 9, 1)  # the last complete month before the newest drop
            assert page.inner_text("#scorecard-title").startswith(
                "Rep scorecard, September 2026 (the last complete month)")
            all_reps = page.locator("#scorecard-table tr.rep").count()
            assert all_reps == scorecard_reps(con, month) > 0

            shot = (SCREENSHOT if os.environ.get("SALESOPS_UPDATE_SNAPSHOTS") == "1"
                    else tmp_path / SCREENSHOT.name)
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 20_000  # a rendered page, not a blank one

            team = con.execute(
                "select team from kpi_win_rate_team where team is not null "
                "group by team order by count(*) desc, team limit 1").fetchone()[0]
            page.select_option("#team", team)
            page.wait_for_selector("body[data-ready='1']")
            assert page.inner_text("#scope") == f"Showing: Team {team}"
            state = chart_state(page)
            for chart in CHARTS:
                want = expected_points(con, chart, "team", team)
                assert state[chart.id]["grain"] == "team", chart.id
                assert state[chart.id]["points"] == state[chart.id]["circles"] == want, chart.id
            assert state["win_rate"]["points"] > 0
            team_reps = page.locator("#scorecard-table tr.rep").count()
            assert team_reps == scorecard_reps(con, month, team)
            assert 0 < team_reps < all_reps
            teams = page.eval_on_selector_all(
                "#scorecard-table tr.rep td:nth-child(2)", "tds => tds.map(t => t.textContent)")
            assert set(teams) == {team}

            region = con.execute("select region from kpi_win_rate_region where region is not "
                                 "null order by region limit 1").fetchone()[0]
            page.select_option("#region", region)
            assert page.input_value("#team") == ""  # one roll-up at a time
            state = chart_state(page)
            assert state["win_rate"]["grain"] == "region"
            assert state["win_rate"]["points"] == expected_points(
                con, CHARTS[0], "region", region)
        assert problems == []
        assert requests == [html.resolve().as_uri()]
    finally:
        con.close()


def _published_with_empty_marts(root: Path) -> Path:
    """A publish folder (published by salesops.publish) whose KPI marts have no rows, except
    the company's training hours (two months): an org without CRM data."""
    warehouse = root / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    names = []
    try:
        con.execute("create schema marts")
        for chart in CHARTS:
            measures = ", ".join(f"{s.column} double" for s in chart.series)
            x = f"{chart.x} date" + (", snapshot_date date" if chart.latest_snapshot else "")
            for grain, extra in (("company", ""), ("team", "team varchar, "),
                                 ("region", "region varchar, ")):
                name = f"{chart.mart}_{grain}"
                con.execute(f"create table marts.{name} ({extra}{x}, {measures})")
                names.append(name)
        for mart in {m for _, m, _, _ in SCORECARD}:
            cols = ", ".join(f"{c} double" for _, m, c, _ in SCORECARD if m == mart)
            con.execute(f"create table marts.{mart} (month date, rep_email varchar, "
                        f"rep_name varchar, team varchar, region varchar, {cols})")
            names.append(mart)
        con.execute("insert into marts.kpi_training_company values "
                    "('2026-09-01', 12.5), ('2026-10-01', 3)")
        con.execute("insert into marts.kpi_training_team values "
                    "('</script><b>x', '2026-09-01', 1)")  # a hostile name stays text
        record_published_set(con, sorted(set(names)))
    finally:
        con.close()
    publish(warehouse, root / "published")
    return root / "published"


@needs_chromium
@pytest.mark.browser
def test_empty_marts_render_empty_states_without_errors(tmp_path):
    publish_dir = _published_with_empty_marts(tmp_path)
    html = write_dashboard(publish_dir, currency="EUR")
    assert html == publish_dir / DASHBOARD_FILE
    with dashboard_page(html) as (page, problems, requests):
        state = chart_state(page)
        assert state["training"] == {"grain": "company", "points": 2, "circles": 2,
                                     "empty": None}
        for chart in CHARTS:
            if chart.id != "training":
                assert state[chart.id] == {"grain": "company", "points": 0, "circles": 0,
                                           "empty": chart.empty}, chart.id
        assert state["win_rate"]["empty"] == "no closed deals yet"
        assert page.inner_text("#scorecard-empty") == "no rep activity in this month yet"
        assert page.inner_text("#as-of") == "unknown"  # no drop ledger in this warehouse
        page.select_option("#team", "</script><b>x")
        assert chart_state(page)["training"]["points"] == 1
        assert page.eval_on_selector("#team", "s => s.options[1].textContent") == \
            "</script><b>x"
    assert problems == []
    assert requests == [html.resolve().as_uri()]


def test_a_killed_writers_temporary_file_is_removed_by_the_next(tmp_path):
    publish_dir = _published_with_empty_marts(tmp_path)
    proc = subprocess.Popen(["true"])
    proc.wait()
    leftover = publish_dir / f".{DASHBOARD_FILE}.{proc.pid}.tmp"
    leftover.write_text("<html>half")
    live = publish_dir / f".{DASHBOARD_FILE}.1.tmp"  # pid 1 is alive: kept
    live.write_text("")
    write_dashboard(publish_dir)
    assert not leftover.exists() and live.exists()
    assert (publish_dir / DASHBOARD_FILE).read_text().endswith("</html>\n")


def test_nothing_is_written_before_the_first_publish(tmp_path):
    assert write_dashboard(tmp_path / "published") is None
    assert not (tmp_path / "published" / DASHBOARD_FILE).exists()


@pytest.mark.slow
def test_a_broken_dashboard_is_reported_and_the_run_still_succeeds(demo_run, tmp_path,
                                                                    monkeypatch, capsys):
    """The real published asset (its content unchanged) and the dashboard asset, materialized
    with a renderer that raises: the run succeeds, the old dashboard stays, the CLI says why."""
    from orchestration.defs.dashboard import build_dashboard_asset
    from orchestration.defs.publishing import build_published_asset
    from orchestration.in_process import dashboard_outcome, pipeline_outcome
    from salesops_cli.main import print_dashboard_line

    publish_dir = tmp_path / "published"
    shutil.copytree(demo_run.publish_dir, publish_dir, symlinks=True)
    before = (publish_dir / DASHBOARD_FILE).read_bytes()
    settings = Settings.from_env({"SALESOPS_WAREHOUSE": str(demo_run.warehouse),
                                  "SALESOPS_PUBLISH_DIR": str(publish_dir)})

    def broken(data):
        raise RuntimeError("the renderer broke")

    monkeypatch.setattr(dashboard, "render_dashboard", broken)
    assets = [build_published_asset(settings, [], []), build_dashboard_asset(settings)]
    result = dg.materialize(assets, raise_on_error=False)
    assert result.success
    assert pipeline_outcome(result) == (True, [])
    assert dashboard_outcome(result) == (None, "RuntimeError: the renderer broke")
    assert (publish_dir / DASHBOARD_FILE).read_bytes() == before
    assert not list(publish_dir.glob(f".{DASHBOARD_FILE}*"))
    print_dashboard_line(result)
    assert "Dashboard: not written (RuntimeError: the renderer broke)" in capsys.readouterr().out

    monkeypatch.undo()
    result = dg.materialize(assets, raise_on_error=False)
    assert dashboard_outcome(result) == (str(publish_dir / DASHBOARD_FILE), None)
    print_dashboard_line(result)
    assert f"Dashboard: {publish_dir / DASHBOARD_FILE}" in capsys.readouterr().out


def test_restore_rewrites_the_dashboard_for_the_version_made_current(tmp_path, monkeypatch,
                                                                      capsys):
    from salesops_cli.main import main

    publish_dir = _published_with_empty_marts(tmp_path)
    first = current_version(publish_dir)
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("insert into marts.kpi_training_company values ('2026-08-01', 4)")
    con.close()
    second = publish(tmp_path / "warehouse.duckdb", publish_dir).version
    write_dashboard(publish_dir)
    assert second in (publish_dir / DASHBOARD_FILE).read_text()
    monkeypatch.setenv("SALESOPS_PUBLISH_DIR", str(publish_dir))
    assert main(["restore", first]) == 0
    html = (publish_dir / DASHBOARD_FILE).read_text()
    assert first in html and second not in html
    assert f"Dashboard: {publish_dir / DASHBOARD_FILE}" in capsys.readouterr().out
