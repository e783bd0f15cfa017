"""The Dagster UI, checked in a real browser.

`dagster dev -w workspace.yaml` runs on a free local port with its own DAGSTER_HOME and empty
data folders; headless Chromium (Debian's `chromium`, driven by Playwright) opens the asset
lineage, the asset catalog, an asset's checks and the automation page, and the assertions are on
the text the browser rendered. Dagster's GraphQL endpoint only tells which assets to look for.

Skipped when no Chromium is installed (`make test` installs Debian's chromium first).
`scripts/screenshot_ui.py` reuses these helpers to remake docs/images/asset-graph.png.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LOCATION = "salesops"  # workspace.yaml's location_name

# As root on a machine whose network is closed: no sandbox, no GPU, and no background
# connections (without these Chromium keeps trying to reach Google's hosts).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1600, "height": 1000}

# The lineage the screenshot shows: one ingested table through dbt to the published marts.
CHAIN = [
    "raw/crm_opportunity",
    "staging/base_crm__opportunities",
    "staging/stg_crm__opportunities",
    "marts/fct_opportunities",
    "marts/fct_closed_opportunities",
    "marts/kpi_win_rate",
    "published/salesops",
]
CHAIN_SELECTION = (
    '(key:"raw/crm_opportunity"+ and +key:"marts/kpi_win_rate") or key:"published/salesops"'
)
GROUPS = ["raw", "staging", "core", "sales", "published"]  # the groups the CHAIN crosses


def find_chromium() -> str | None:
    """Debian's chromium (or SALESOPS_CHROMIUM); None when there is none."""
    candidates = [os.environ.get("SALESOPS_CHROMIUM"), "/usr/bin/chromium"]
    candidates += [shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")]
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return c
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DagsterDev:
    """A running `dagster dev`: its base URL, log file and a GraphQL helper."""

    def __init__(self, base_url: str, log: Path):
        self.base_url = base_url
        self.log = log

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def graphql(self, query: str) -> dict:
        req = urllib.request.Request(
            self.base_url + "/graphql",
            data=json.dumps({"query": query}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = json.loads(resp.read())
        assert "errors" not in body, body
        return body["data"]

    def asset_keys(self) -> list[tuple[str, str]]:
        """(asset key, group) of every asset the webserver knows."""
        data = self.graphql("{ assetNodes { assetKey { path } groupName } }")
        return sorted(("/".join(n["assetKey"]["path"]), n["groupName"]) for n in data["assetNodes"])


def _location_status(dev: DagsterDev) -> tuple[str, str | None]:
    data = dev.graphql(
        """{ workspaceOrError { __typename ... on Workspace { locationEntries {
             name loadStatus
             locationOrLoadError { __typename ... on PythonError { message } } } } } }"""
    )
    for entry in data["workspaceOrError"].get("locationEntries", []):
        if entry["name"] == LOCATION:
            err = entry["locationOrLoadError"] or {}
            return entry["loadStatus"], err.get("message")
    return "MISSING", None


def ui_env(workdir: Path) -> dict[str, str]:
    """The environment of a `dagster dev` under `workdir`: its own DAGSTER_HOME (a copy of
    config/dagster.yaml) and SALESOPS_* folders; `salesops run` with it shows in that UI."""
    home = workdir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "config" / "dagster.yaml", home / "dagster.yaml")
    data = workdir / "data"
    (data / "landing").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "SALESOPS_LANDING_DIR": str(data / "landing"),
        "SALESOPS_WAREHOUSE": str(data / "warehouse.duckdb"),
        "SALESOPS_PUBLISH_DIR": str(data / "published"),
        # the generated sample data ends on 2026-10-31
        "SALESOPS_AS_OF_DATE": os.environ.get("SALESOPS_AS_OF_DATE", "2026-10-31"),
        "DAGSTER_DISABLE_TELEMETRY": "true",
        "GX_ANALYTICS_ENABLED": "false",
    }
    env.pop("SALESOPS_EXPECTATIONS_DIR", None)
    return env


@contextmanager
def dagster_dev(workdir: Path, timeout: float = 400.0) -> Iterator[DagsterDev]:
    """`dagster dev -w workspace.yaml` on a free port, in its own process group, with the
    environment of :func:`ui_env`; the whole group is killed on exit. Waits until the webserver
    answers and the code location has loaded (a location that fails to load raises its error)."""
    env = ui_env(workdir)
    port = free_port()
    dagster = Path(sys.executable).with_name("dagster")
    log = workdir / "dagster_dev.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(dagster), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    dev = DagsterDev(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + timeout
        status, error = "NOT_STARTED", None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"dagster dev exited with {proc.returncode}:\n{dev.log_tail()}")
            try:
                with urllib.request.urlopen(dev.base_url + "/server_info", timeout=5) as r:
                    if r.status == 200:
                        status, error = _location_status(dev)
                        if status == "LOADED":
                            break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(1)
        else:
            raise TimeoutError(
                f"dagster dev not ready after {timeout:.0f} s (location {status})\n{dev.log_tail()}"
            )
        if error:
            raise RuntimeError(f"code location {LOCATION!r} failed to load:\n{error}")
        yield dev
    finally:
        _kill_group(proc)


def _kill_group(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # dagster dev is gone; make sure its children (webserver, daemon, code server) are too
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return


@contextmanager
def browser_page(chromium: str, viewport: dict | None = None):
    """A page in headless Chromium with a fresh profile; Dagster's first-visit community dialog
    and the left navigation are turned off so the pages show their content."""
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="salesops-chromium-") as profile:
        with sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(
                profile, executable_path=chromium, headless=True, args=CHROMIUM_ARGS,
                viewport=viewport or VIEWPORT,
            )
            try:
                ctx.add_init_script(
                    "window.localStorage.setItem('communityNux', '\"1\"');"
                    "window.localStorage.setItem('dagster-nav-collapsed', 'true');"
                )
                ctx.set_default_timeout(30_000)
                yield ctx.new_page()
            finally:
                ctx.close()


def lineage_url(base_url: str, selection: str | None = None, groups=GROUPS) -> str:
    """The global asset lineage, filtered by an asset selection, with the given groups open."""
    url = base_url + "/asset-groups"
    if selection:
        url += "~" + urllib.parse.quote(selection, safe="")
    if groups:
        expanded = ",".join(f"global@global:{g}" for g in groups)
        url += "?expanded=" + urllib.parse.quote(expanded, safe="")
    return url


def _graph_scale(page) -> float:
    return page.evaluate(
        """() => { for (const e of document.querySelectorAll('div[style*="matrix("]')) {
                     const m = /matrix\\(([-0-9.e]+)/.exec(e.style.transform);
                     if (m) return parseFloat(m[1]); }
                   return 0; }"""
    )


def show_chain(page, base_url: str) -> None:
    """The lineage of CHAIN, zoomed until Dagster draws full asset nodes (names, checks, kinds),
    with the explorer sidebar closed: what the screenshot shows."""
    page.goto(lineage_url(base_url, CHAIN_SELECTION), wait_until="domcontentloaded")
    names = [k.rsplit("/", 1)[1] for k in CHAIN]
    page.get_by_text(names[-2], exact=True).first.wait_for()
    # close the explorer sidebar (the button beside "Jump to…"), then let the graph lay out
    # again in the wider space: collapse and expand all groups (Alt+E twice)
    page.locator('xpath=//input[starts-with(@placeholder, "Jump to")]/following::button[1]').click()
    page.keyboard.press("Alt+KeyE")
    page.wait_for_timeout(500)
    page.keyboard.press("Alt+KeyE")
    page.get_by_text(names[0], exact=True).first.wait_for()
    page.wait_for_timeout(1000)
    # Dagster draws names-only nodes below a zoom of 0.6: zoom in (around the centre) until full
    viewport = page.viewport_size or VIEWPORT
    for _ in range(4):
        if _graph_scale(page) >= 0.6:
            break
        zoom_in = [
            b for b in page.locator("button").all()
            if (box := b.bounding_box()) and box["x"] > viewport["width"] - 100
            and box["y"] > viewport["height"] / 2
        ]
        zoom_in[0].click()
        page.wait_for_timeout(600)
    page.get_by_text("Asset checks").first.wait_for()
    page.mouse.move(5, viewport["height"] - 5)
    page.wait_for_timeout(1500)


def body_text(page) -> str:
    return page.inner_text("body")


# ---------------------------------------------------------------------------------------------

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = find_chromium()


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        pytest.skip("no Chromium found (/usr/bin/chromium; `make test` installs Debian's chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    return CHROMIUM


@pytest.fixture(scope="module")
def ui(chromium, tmp_path_factory) -> Iterator[DagsterDev]:
    with dagster_dev(tmp_path_factory.mktemp("dagster_ui")) as dev:
        yield dev


@pytest.fixture(scope="module")
def page(ui, chromium):
    with browser_page(chromium) as p:
        yield p


def test_lineage_lists_the_groups(ui, page):
    page.goto(lineage_url(ui.base_url, groups=None), wait_until="domcontentloaded")
    page.get_by_text("Global asset lineage").first.wait_for()
    page.get_by_text("published", exact=True).first.wait_for()
    text = body_text(page)
    for group in GROUPS:
        assert group in text.split("\n"), f"group {group} not in the lineage page:\n{text}"


def test_asset_graph_shows_raw_to_published(ui, page, tmp_path):
    show_chain(page, ui.base_url)
    shot = tmp_path / "asset-graph.png"
    page.screenshot(path=str(shot))
    text = body_text(page)
    lines = text.split("\n")
    for key in CHAIN:
        group, name = key.split("/")
        assert name in lines, f"{key} not drawn in the lineage:\n{text}"
    for group in GROUPS:
        assert group in lines, f"group box {group} not drawn"
    # full nodes (not names only): each has its row of asset checks
    assert text.count("Asset checks") == len(CHAIN), text
    assert _graph_scale(page) >= 0.6
    assert shot.stat().st_size > 20_000  # a drawn graph, not a blank page or a spinner


def test_catalog_lists_ingestion_dbt_and_published_assets(ui, page):
    keys = dict(ui.asset_keys())
    raw = sorted(k for k, g in keys.items() if g == "raw")
    # what the definitions declare (cross-check, then look for each in the browser)
    for key in ["raw/crm_opportunity", "raw/hr_workers", "raw/lms_statements",
                "marts/kpi_win_rate", "marts/fct_opportunities", "published/salesops"]:
        assert key in keys, f"{key} missing from the webserver's assets"
    assert len(raw) >= 15

    page.set_viewport_size({"width": 1600, "height": 3000})  # the catalog table is virtualised
    try:
        for selection, expected in [
            ('group:"raw"', raw),
            ('key:"marts/kpi_win_rate" or key:"marts/fct_opportunities" '
             'or key:"staging/stg_crm__opportunities" or key:"published/salesops"',
             ["marts/kpi_win_rate", "marts/fct_opportunities", "staging/stg_crm__opportunities",
              "published/salesops"]),
        ]:
            page.goto(
                ui.base_url + "/assets?asset-selection=" + urllib.parse.quote(selection, safe=""),
                wait_until="domcontentloaded",
            )
            first = expected[0].replace("/", " / ")
            page.get_by_text(first, exact=True).first.wait_for()
            lines = set(body_text(page).split("\n"))
            missing = [k for k in expected if k.replace("/", " / ") not in lines]
            assert not missing, f"not listed in the catalog for {selection}: {missing}"
    finally:
        page.set_viewport_size(VIEWPORT)


@pytest.mark.parametrize(
    "asset, checks",
    [
        ("marts/kpi_win_rate", ["gx_kpi_win_rate", "unique_combination_kpi_win_rate_month__rep_email"]),
        ("marts/fct_opportunities", ["gx_fct_opportunities"]),
        ("raw/crm_opportunity", ["gx_crm_opportunity"]),
        ("raw/hr_workers", ["gx_hr_workers"]),
    ],
)
def test_asset_page_lists_its_checks(ui, page, asset, checks):
    page.goto(f"{ui.base_url}/assets/{asset}?view=checks", wait_until="domcontentloaded")
    page.get_by_text(checks[0], exact=True).first.wait_for()
    text = body_text(page)
    lines = text.split("\n")
    for check in checks:
        assert check in lines, f"check {check} not listed on {asset}'s checks tab:\n{text}"
    assert any(line.startswith("Checks (") for line in lines), text


def test_automation_lists_schedule_and_sensor(ui, page):
    page.goto(ui.base_url + "/automation", wait_until="domcontentloaded")
    page.get_by_text("new_drop_sensor", exact=True).first.wait_for()
    lines = body_text(page).split("\n")
    assert "nightly" in lines
    assert "new_drop_sensor" in lines
    assert LOCATION in lines
