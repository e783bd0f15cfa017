"""The KPI dashboard: one self-contained HTML file written next to the published marts.

`write_dashboard(publish_dir)` reads the current published version (`salesops.duckdb`, opened
read-only) and writes `dashboard.html` into the publish folder: the nine KPIs over time, a rep
scorecard, filters by team and region, the data's as-of date (the newest drop date the version
loaded) and the version id. Everything it needs is inside the file: the data as embedded JSON and
a small SVG line-chart renderer written for it (no chart library, no CDN, no network request at
view time). The file is written to a temporary name and renamed, so a viewer has the old
dashboard or the new one, never half a file. Nothing is written before the first publish.

Filters: the charts show the company roll-up (`<mart>_company`), one team's (`<mart>_team`) or
one region's (`<mart>_region`); team and region are separate roll-ups, so choosing one clears
the other. The scorecard (rep rows, which carry both) follows the same filter.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from salesops.publish import PUBLISHED_DB, current_log_entry, current_version
from salesops.settings import DBT_PROJECT_DIR

DASHBOARD_FILE = "dashboard.html"


@dataclass(frozen=True)
class Series:
    column: str
    label: str


@dataclass(frozen=True)
class Chart:
    """One KPI chart: `mart`'s company/team/region roll-ups, `series` over `x`."""

    id: str
    title: str
    mart: str
    unit: str  # pct | money | days | minutes | hours
    series: tuple[Series, ...]
    empty: str  # what an empty chart says
    x: str = "month"
    latest_snapshot: bool = False  # pipeline forecast: the newest snapshot_date only
    note: str = ""


CHARTS: tuple[Chart, ...] = (
    Chart("win_rate", "Win rate", "kpi_win_rate", "pct",
          (Series("win_rate_count", "by number"), Series("win_rate_amount", "by value")),
          "no closed deals yet", note="won / (won + lost), by close month"),
    Chart("deal_value", "Won deal value", "kpi_deal_value", "money",
          (Series("avg_won_amount", "average"), Series("median_won_amount", "median")),
          "no won deals yet", note="per won deal, by close month"),
    Chart("sales_cycle", "Sales cycle (won deals)", "kpi_sales_cycle", "days",
          (Series("median_cycle_days_won", "median"), Series("p90_cycle_days_won", "90th pct")),
          "no won deals yet", note="days from created to closed won"),
    Chart("pipeline_forecast", "Forecast vs quota (newest snapshot)", "kpi_pipeline_forecast",
          "money",
          (Series("closed_won_amount", "closed won"), Series("commit_forecast", "commit"),
           Series("best_case_forecast", "best case"), Series("quota_amount", "quota")),
          "no pipeline snapshot yet", x="close_month", latest_snapshot=True,
          note="by close month, as of the newest pipeline snapshot"),
    Chart("crm_usage", "CRM usage", "kpi_crm_usage", "pct",
          (Series("adoption_rate", "adoption (active working days)"),
           Series("selling_share", "selling share of time")),
          "no CRM activity yet",
          note="active working days / working days; selling / (selling + admin) hours"),
    Chart("outreach", "Lead conversion", "kpi_outreach", "pct",
          (Series("lead_conversion_rate", "converted"),
           Series("under_touched_share", "under-touched")),
          "no leads worked yet", note="of the month's leads that reached a final status"),
    Chart("lead_response", "Lead response time", "kpi_lead_response", "minutes",
          (Series("median_response_minutes", "median"),),
          "no leads answered yet", note="from lead created to the first answer, answered leads"),
    Chart("training", "Training hours", "kpi_training", "hours",
          (Series("training_hours", "hours completed"),), "no training recorded yet",
          note="time on courses completed or passed in the month"),
    Chart("retention", "Turnover", "kpi_retention", "pct",
          (Series("turnover_rate_t12m", "trailing 12 months"), Series("turnover_rate", "month")),
          "no HR data yet", note="separations / average headcount"),
)

# The scorecard: (label, mart, column, unit), one rep row of the scorecard month.
SCORECARD = (
    ("Won deals", "kpi_win_rate", "won_count", "int"),
    ("Win rate #", "kpi_win_rate", "win_rate_count", "pct"),
    ("Bookings", "kpi_deal_value", "bookings_amount", "money"),
    ("Quota attainment", "kpi_quota_attainment", "quota_attainment", "pct"),
    ("CRM adoption", "kpi_crm_usage", "adoption_rate", "pct"),
    ("Lead conversion", "kpi_outreach", "lead_conversion_rate", "pct"),
    ("Median response (min)", "kpi_lead_response", "median_response_minutes", "minutes"),
    ("Training hours", "kpi_training", "training_hours", "hours"),
)

GRAINS = ("company", "team", "region")


def reporting_currency() -> str:
    """The dbt var reporting_currency (dbt_project.yml), the currency of every amount."""
    try:
        project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
        return str((project.get("vars") or {}).get("reporting_currency") or "USD")
    except (OSError, AttributeError, yaml.YAMLError):
        return "USD"


def _value(v):
    """A JSON-safe value: dates as ISO text, decimals as floats, NaN/inf as null."""
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        v = float(v)
    if isinstance(v, float):
        return None if not math.isfinite(v) else round(v, 6)
    return v


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
    ).fetchall()}


def _columns(con, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'main' "
        "and table_name = ?", [table]).fetchall()}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _chart_rows(con, tables: set[str], chart: Chart, grain: str) -> dict:
    """{key: [[x, v1, v2, ...], ...]} of one grain ('' for the company; a NULL team or region
    is the key '(none)'); rows whose every measure is NULL are left out."""
    table = f"{chart.mart}_{grain}"
    if table not in tables:
        return {}
    present = _columns(con, table)
    cols = [s.column for s in chart.series]
    if chart.x not in present or any(c not in present for c in cols):
        return {}
    key = "''" if grain == "company" else f"coalesce(cast({_q(grain)} as varchar), '(none)')"
    where = f"where ({' or '.join(f'{_q(c)} is not null' for c in cols)})"
    if chart.latest_snapshot and "snapshot_date" in present:
        where += f" and snapshot_date = (select max(snapshot_date) from {_q(table)})"
    rows = con.execute(
        f"select {key} as k, {_q(chart.x)}, {', '.join(_q(c) for c in cols)} "
        f"from {_q(table)} {where} order by k, {_q(chart.x)}").fetchall()
    out: dict[str, list] = {}
    for k, *rest in rows:
        out.setdefault(k, []).append([_value(v) for v in rest])
    return out


def last_complete_month(con, newest: dict[str, str], marts: list[str]) -> dt.date | None:
    """The last complete month before the newest drop date (`newest`: system -> date, as the
    publish log has it), which the dashboard's scorecard and `salesops summary` report; without
    a publish log, the newest month the `marts` (monthly tables of `con`) have."""
    dates = [dt.date.fromisoformat(v) for v in newest.values() if v]
    if dates:
        return (max(dates).replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    months = [con.execute(f"select max(month) from {_q(mart)}").fetchone()[0] for mart in marts]
    months = [m for m in months if m is not None]
    return max(months) if months else None


def _scorecard(con, tables: set[str], month: dt.date | None) -> list[dict]:
    reps: dict[str, dict] = {}
    if month is None:
        return []
    for i, (_, mart, column, _) in enumerate(SCORECARD):
        if mart not in tables or not {"rep_email", "month", column} <= _columns(con, mart):
            continue
        rows = con.execute(
            f"select rep_email, rep_name, team, region, {_q(column)} from {_q(mart)} "
            "where month = ?", [month]).fetchall()
        for email, name, team, region, value in rows:
            rep = reps.setdefault(email, {"rep": name or email, "team": team, "region": region,
                                          "values": [None] * len(SCORECARD)})
            rep["team"] = rep["team"] or team
            rep["region"] = rep["region"] or region
            rep["values"][i] = _value(value)
    return sorted(reps.values(), key=lambda r: (r["team"] or "~", r["rep"]))


def dashboard_data(publish_dir: Path, currency: str | None = None) -> dict | None:
    """What the dashboard shows, read from the current published version; None before the
    first publish."""
    publish_dir = Path(publish_dir)
    version = current_version(publish_dir)
    db = publish_dir / PUBLISHED_DB
    if version is None or not db.is_file():
        return None
    entry = current_log_entry(publish_dir) or {}
    newest_raw = entry.get("newest_drop_dates") or "{}"
    try:
        newest = json.loads(newest_raw) if isinstance(newest_raw, str) else dict(newest_raw)
    except ValueError:
        newest = {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = _tables(con)
        charts = []
        for chart in CHARTS:
            data = {g: _chart_rows(con, tables, chart, g) for g in GRAINS}
            charts.append({
                "id": chart.id, "title": chart.title, "mart": chart.mart, "unit": chart.unit,
                "x": chart.x, "empty": chart.empty, "note": chart.note,
                "series": [s.label for s in chart.series],
                "company": data["company"].get("", []),
                "team": data["team"], "region": data["region"],
            })
        month = last_complete_month(
            con, newest, [mart for _, mart, _, _ in SCORECARD if mart in tables])
        reps = _scorecard(con, tables, month)
    finally:
        con.close()
    teams = sorted({t for c in charts for t in c["team"]} | {r["team"] or "(none)" for r in reps})
    regions = sorted({t for c in charts for t in c["region"]}
                     | {r["region"] or "(none)" for r in reps})
    published_at = entry.get("published_at")
    return {
        "version": entry.get("version") or version,
        "as_of": max(newest.values()) if newest else None,
        "newest_drop_dates": newest,
        "published_at": _value(published_at) if published_at else None,
        "currency": currency or reporting_currency(),
        "charts": charts,
        "teams": teams,
        "regions": regions,
        "scorecard": {
            "month": _value(month) if month else None,
            "columns": [{"label": label, "unit": unit} for label, _, _, unit in SCORECARD],
            "rows": reps,
        },
    }


def render_dashboard(data: dict) -> str:
    """The HTML page for `dashboard_data`'s result: data, script and style inline."""
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False)
    # inside <script>: no "</script>" or "<!--" can end it early
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    title = f"salesops KPIs, version {data.get('version')}"
    page = _PAGE.replace("__SCRIPT__", _SCRIPT).replace("__TITLE__", _html_escape(title))
    return page.replace("__DATA__", payload)  # last: the data may hold any text


def _html_escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def write_dashboard(publish_dir: Path, currency: str | None = None) -> Path | None:
    """Write `dashboard.html` for the current published version into `publish_dir` (atomically:
    a temporary file renamed over it); None, and nothing written, before the first publish."""
    publish_dir = Path(publish_dir)
    data = dashboard_data(publish_dir, currency)
    if data is None:
        return None
    html = render_dashboard(data)
    _remove_dead_temporaries(publish_dir)
    target = publish_dir / DASHBOARD_FILE
    tmp = publish_dir / f".{DASHBOARD_FILE}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(html)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _remove_dead_temporaries(publish_dir: Path) -> None:
    """The temporary files of writers killed before their rename (their process is gone)."""
    for tmp in publish_dir.glob(f".{DASHBOARD_FILE}.*.tmp"):
        pid = tmp.name.split(".")[-2]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass  # alive under another user: not ours to remove


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #1f2933; background: #f5f7fa; }
header { background: #1f2933; color: #fff; padding: 14px 24px; }
header h1 { margin: 0; font-size: 20px; font-weight: 600; }
header .meta { color: #cbd2d9; font-size: 13px; margin-top: 4px; }
header .meta b { color: #fff; font-weight: 600; }
.filters { padding: 10px 24px; background: #fff; border-bottom: 1px solid #e4e7eb;
           display: flex; gap: 18px; align-items: center; flex-wrap: wrap; }
.filters label { font-weight: 600; }
.filters select { margin-left: 6px; padding: 3px 6px; }
.filters .scope { color: #52606d; }
main { padding: 16px 24px; }
.grid { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 14px; }
.card { background: #fff; border: 1px solid #e4e7eb; border-radius: 6px; padding: 10px 12px; }
.card h2 { font-size: 15px; margin: 0; }
.card .note { color: #7b8794; font-size: 12px; height: 17px; overflow: hidden; }
.chart svg { width: 100%; height: 210px; display: block; }
.chart .empty { height: 210px; display: flex; align-items: center; justify-content: center;
                color: #7b8794; font-style: italic; background: #f9fafb; border-radius: 4px; }
.legend { font-size: 12px; color: #52606d; display: flex; gap: 12px; flex-wrap: wrap; }
.legend i { display: inline-block; width: 12px; height: 3px; margin-right: 4px;
            vertical-align: middle; }
svg text { font-size: 10px; fill: #616e7c; }
svg .grid-line { stroke: #e4e7eb; }
svg .axis { stroke: #9aa5b1; }
h2.section { font-size: 17px; margin: 22px 0 6px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 4px 8px; text-align: right;
         white-space: nowrap; }
th { background: #f0f4f8; position: sticky; top: 0; white-space: normal;
     vertical-align: bottom; }
#scorecard { overflow-x: auto; }
th:nth-child(-n+3), td:nth-child(-n+3) { text-align: left; }
.muted { color: #7b8794; }
footer { color: #7b8794; font-size: 12px; padding: 8px 24px 24px; }
</style>
</head>
<body>
<header>
  <h1>salesops KPI dashboard</h1>
  <div class="meta" id="meta"></div>
</header>
<div class="filters">
  <span><label for="team">Team</label><select id="team"></select></span>
  <span><label for="region">Region</label><select id="region"></select></span>
  <span class="scope" id="scope"></span>
</div>
<main>
  <div class="grid" id="charts"></div>
  <h2 class="section" id="scorecard-title">Rep scorecard</h2>
  <div id="scorecard"></div>
</main>
<footer>Generated by salesops from the published marts (salesops.duckdb in the publish folder).
Team and region are separate roll-ups: choosing one clears the other. Rates are shares of 100%;
the newest month may be incomplete.</footer>
<script type="application/json" id="dashboard-data">__DATA__</script>
<script>
__SCRIPT__
</script>
</body>
</html>
"""

_SCRIPT = r"""
"use strict";
const DATA = JSON.parse(document.getElementById("dashboard-data").textContent);
const COLORS = ["#2f6fdf", "#e8833a", "#3a9d5d", "#9b59b6", "#c0392b"];
const SVGNS = "http://www.w3.org/2000/svg";
const CUR = DATA.currency || "";

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function fmt(v, unit, short) {
  if (v === null || v === undefined) return "–";
  if (unit === "pct") {
    const pct = (100 * v).toFixed(1);
    return (short ? parseFloat(pct) : pct) + "%";
  }
  if (unit === "money") {
    if (short) {
      const a = Math.abs(v);
      if (a >= 1e6) return parseFloat((v / 1e6).toFixed(2)) + "M";
      if (a >= 1e3) return parseFloat((v / 1e3).toFixed(2)) + "k";
      return String(parseFloat(v.toFixed(2)));
    }
    return v.toLocaleString("en-US", {maximumFractionDigits: 0}) + " " + CUR;
  }
  if (unit === "int") return v.toLocaleString("en-US", {maximumFractionDigits: 0});
  return v.toLocaleString("en-US", {maximumFractionDigits: short ? 2 : 1});
}
const UNIT_LABEL = {pct: "%", money: CUR, days: "days", minutes: "minutes", hours: "hours"};
function monthLabel(iso) {
  const [y, m] = iso.split("-");
  return ["Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct","Nov","Dec"][+m - 1] +
    " " + y.slice(2);
}
function niceStep(span) {
  // a round tick step giving at most 5 intervals over `span`
  const raw = span / 5, p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const s of [1, 2, 2.5, 5, 10]) if (s * p >= raw) return s * p;
  return 10 * p;
}

function lineChart(container, chart, rows) {
  const W = 460, H = 210, L = 48, R = 22, T = 10, B = 26;
  const xs = rows.map(r => r[0]);
  let max = 0, min = 0, points = 0;
  for (const r of rows) for (const v of r.slice(1)) if (v !== null) {
    max = Math.max(max, v); min = Math.min(min, v); points++;
  }
  if (points === 0) {
    container.appendChild(el("div", {class: "empty"}, chart.empty));
    container.dataset.points = "0";
    return;
  }
  if (max === min) max = min + (chart.unit === "pct" ? 0.1 : 1);
  const step = niceStep(max - min);
  const top = Math.ceil(max / step) * step, bottom = Math.floor(min / step) * step;
  const s = svg("svg", {viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none",
                        role: "img", "aria-label": chart.title});
  const x = i => L + (xs.length === 1 ? (W - L - R) / 2 : i * (W - L - R) / (xs.length - 1));
  const y = v => T + (top - v) * (H - T - B) / (top - bottom);
  for (let v = bottom; v <= top + step / 2; v += step) {
    s.appendChild(svg("line", {class: "grid-line", x1: L, x2: W - R, y1: y(v), y2: y(v)}));
    s.appendChild(svg("text", {x: L - 4, y: y(v) + 3, "text-anchor": "end"},
                      fmt(v, chart.unit, true)));
  }
  s.appendChild(svg("line", {class: "axis", x1: L, x2: W - R, y1: y(bottom), y2: y(bottom)}));
  const every = Math.max(1, Math.ceil(xs.length / 7));
  xs.forEach((d, i) => {
    if (i % every === 0)
      s.appendChild(svg("text", {x: x(i), y: H - 8, "text-anchor": "middle"}, monthLabel(d)));
  });
  chart.series.forEach((name, j) => {
    const color = COLORS[j % COLORS.length];
    let path = "", pen = false;
    rows.forEach((r, i) => {
      const v = r[j + 1];
      if (v === null) { pen = false; return; }
      path += (pen ? "L" : "M") + x(i).toFixed(1) + "," + y(v).toFixed(1);
      pen = true;
    });
    s.appendChild(svg("path", {d: path, fill: "none", stroke: color, "stroke-width": 2}));
    rows.forEach((r, i) => {
      const v = r[j + 1];
      if (v === null) return;
      const c = svg("circle", {class: "pt", cx: x(i), cy: y(v), r: 2.8, fill: color});
      c.appendChild(svg("title", {}, `${name}, ${monthLabel(r[0])}: ${fmt(v, chart.unit)}`));
      s.appendChild(c);
    });
  });
  container.appendChild(s);
  container.dataset.points = String(points);
}

function scope() {
  const team = document.getElementById("team").value;
  const region = document.getElementById("region").value;
  if (team) return {grain: "team", key: team, text: "Team " + team};
  if (region) return {grain: "region", key: region, text: "Region " + region};
  return {grain: "company", key: "", text: "Whole company"};
}

function drawCharts() {
  const sc = scope();
  const root = document.getElementById("charts");
  root.replaceChildren();
  for (const chart of DATA.charts) {
    const card = el("div", {class: "card", id: "card-" + chart.id});
    card.appendChild(el("h2", {}, chart.title + " (" + UNIT_LABEL[chart.unit] + ")"));
    card.appendChild(el("div", {class: "note"}, chart.note));
    const legend = el("div", {class: "legend"});
    chart.series.forEach((name, j) => {
      const item = el("span", {});
      const sw = el("i", {});
      sw.style.background = COLORS[j % COLORS.length];
      item.appendChild(sw);
      item.appendChild(document.createTextNode(name));
      legend.appendChild(item);
    });
    card.appendChild(legend);
    const box = el("div", {class: "chart", "data-chart": chart.id, "data-grain": sc.grain});
    const rows = sc.grain === "company" ? chart.company : (chart[sc.grain][sc.key] || []);
    lineChart(box, chart, rows);
    card.appendChild(box);
    root.appendChild(card);
  }
}

function drawScorecard() {
  const sc = scope();
  const card = DATA.scorecard;
  const month = card.month ? new Date(card.month + "T00:00:00Z").toLocaleDateString(
    "en-US", {month: "long", year: "numeric", timeZone: "UTC"}) : null;
  document.getElementById("scorecard-title").textContent =
    "Rep scorecard" + (month ? ", " + month + " (the last complete month)" : "") +
    " – " + sc.text;
  const root = document.getElementById("scorecard");
  root.replaceChildren();
  const rows = card.rows.filter(r => sc.grain === "company" ||
                                     (r[sc.grain] || "(none)") === sc.key);
  if (rows.length === 0) {
    root.appendChild(el("p", {class: "muted", id: "scorecard-empty"},
                        "no rep activity in this month yet"));
    return;
  }
  const table = el("table", {id: "scorecard-table"});
  const head = el("tr");
  for (const h of ["Rep", "Team", "Region"]) head.appendChild(el("th", {}, h));
  for (const c of card.columns)
    head.appendChild(el("th", {}, c.label + (c.unit === "money" ? " (" + CUR + ")" : "")));
  table.appendChild(head);
  for (const r of rows) {
    const tr = el("tr", {class: "rep"});
    tr.appendChild(el("td", {}, r.rep));
    tr.appendChild(el("td", {}, r.team || "–"));
    tr.appendChild(el("td", {}, r.region || "–"));
    r.values.forEach((v, i) => {
      const unit = card.columns[i].unit;
      tr.appendChild(el("td", {}, unit === "money" ? fmt(v, "int") : fmt(v, unit)));
    });
    table.appendChild(tr);
  }
  root.appendChild(table);
}

function fillSelect(id, values, allText) {
  const s = document.getElementById(id);
  s.appendChild(el("option", {value: ""}, allText));
  for (const v of values) s.appendChild(el("option", {value: v}, v));
}

function draw() {
  const sc = scope();
  document.getElementById("scope").textContent = "Showing: " + sc.text;
  drawCharts();
  drawScorecard();
  document.body.dataset.ready = "1";
}

(function init() {
  const drops = Object.entries(DATA.newest_drop_dates || {})
    .map(([k, v]) => k + " " + v).join(", ");
  const meta = document.getElementById("meta");
  meta.appendChild(document.createTextNode("Data as of "));
  meta.appendChild(el("b", {id: "as-of"}, DATA.as_of || "unknown"));
  meta.appendChild(document.createTextNode(
    (drops ? " (newest drops: " + drops + ")" : "") + " · published version "));
  meta.appendChild(el("b", {id: "version"}, DATA.version));
  if (DATA.published_at) meta.appendChild(document.createTextNode(
    " at " + DATA.published_at.replace("T", " ").slice(0, 19) + " UTC"));
  meta.appendChild(document.createTextNode(" · amounts in " + CUR));
  fillSelect("team", DATA.teams, "All teams");
  fillSelect("region", DATA.regions, "All regions");
  document.getElementById("team").addEventListener("change", () => {
    if (document.getElementById("team").value) document.getElementById("region").value = "";
    draw();
  });
  document.getElementById("region").addEventListener("change", () => {
    if (document.getElementById("region").value) document.getElementById("team").value = "";
    draw();
  });
  draw();
})();
"""
