"""The project's own reference docs (issue 12): docs/contract.md and docs/metrics.md exist, say
what they must, and no markdown file points outside the repository at ../shared/, which a user
who clones the repository doesn't have."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from salesops.contract import CRM_FILES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CONTRACT_DOC = DOCS / "contract.md"
METRICS_DOC = DOCS / "metrics.md"

# The published interface of the KPI definitions ("Published interface" table): mart -> the
# measures it must have at least. Kept here by hand: it is the stable contract with BI tools.
PUBLISHED_INTERFACE: dict[str, tuple[str, ...]] = {
    "kpi_training": (
        "training_hours", "courses_completed", "assignments_due", "assignments_completed_on_time",
        "on_time_completion_rate", "overdue_assignments", "avg_scaled_score",
    ),
    "kpi_retention": (
        "headcount_start", "headcount_end", "avg_headcount", "separations",
        "voluntary_separations", "involuntary_separations", "regrettable_separations",
        "turnover_rate", "retention_rate", "turnover_rate_t12m",
    ),
    "kpi_crm_usage": (
        "activities_logged", "logins", "active_days", "active_working_days", "working_days",
        "adoption_rate", "selling_hours", "admin_hours", "selling_share", "open_opps",
        "stale_open_opps",
    ),
    "kpi_win_rate": (
        "won_count", "lost_count", "win_rate_count", "won_amount", "lost_amount",
        "win_rate_amount",
    ),
    "kpi_deal_value": (
        "won_count", "bookings_amount", "avg_won_amount", "median_won_amount",
        "largest_won_amount",
    ),
    "kpi_sales_cycle": (
        "avg_cycle_days_won", "median_cycle_days_won", "p90_cycle_days_won",
        "avg_cycle_days_closed", "sales_velocity_90d",
    ),
    "kpi_pipeline_forecast": (
        "open_pipeline_amount", "weighted_pipeline_amount", "commit_forecast",
        "best_case_forecast", "closed_won_amount", "quota_amount", "quota_attainment",
    ),
    "kpi_outreach": (
        "touches", "leads_touched", "touches_per_touched_lead", "leads_converted",
        "lead_conversion_rate", "touches_per_converted_lead", "under_touched_share",
        "over_nurtured_share",
    ),
    "kpi_lead_response": (
        "leads_created", "median_response_minutes", "p90_response_minutes", "within_sla_share",
        "never_answered_share",
    ),
}

# [text](target) and ![alt](target); the target ends at whitespace or the closing parenthesis.
MD_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")


def _tracked_markdown() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--", "*.md"], cwd=ROOT, capture_output=True, check=True
        ).stdout.decode()
        files = [ROOT / p for p in out.split("\0") if p]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (an sdist, say)
        files = [p for p in ROOT.rglob("*.md") if not {".venv", "node_modules"} & set(p.parts)]
    return [p for p in files if p.is_file()]


def _links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    text = INLINE_CODE.sub("", text)
    return MD_LINK.findall(text)


def _anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower-cased, punctuation dropped, spaces to hyphens."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {
        re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
        for h in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", text, re.M)
    }


def _words(path: Path) -> set[str]:
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", path.read_text(encoding="utf-8")))


def test_reference_docs_exist():
    for doc in (CONTRACT_DOC, METRICS_DOC):
        assert doc.is_file(), f"{doc.relative_to(ROOT)} is missing"
        assert len(doc.read_text(encoding="utf-8")) > 2000, f"{doc.name} is (nearly) empty"


def test_no_markdown_points_at_shared():
    offenders = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
        for p in _tracked_markdown()
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if "../shared/" in line
    ]
    assert not offenders, "markdown pointing at ../shared/ (not in a clone):\n" + "\n".join(
        offenders
    )


@pytest.mark.parametrize(
    "doc",
    [ROOT / "README.md", *sorted(DOCS.glob("*.md"))],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_relative_links_resolve(doc: Path):
    broken = []
    for target in _links(doc):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
            continue  # http(s):, mailto:, ...
        path, _, anchor = target.partition("#")
        file = (doc.parent / path) if path else doc
        if not file.exists():
            broken.append(target)
        elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
            broken.append(target)
    assert not broken, f"{doc.relative_to(ROOT)}: links to missing files or headings: {broken}"


def test_metrics_doc_names_the_published_interface():
    words = _words(METRICS_DOC)
    missing_marts = [m for m in PUBLISHED_INTERFACE if m not in words]
    assert not missing_marts, f"docs/metrics.md does not name the marts {missing_marts}"
    for suffix in ("_team", "_region", "_company"):
        assert suffix in METRICS_DOC.read_text(encoding="utf-8"), suffix
    missing = sorted(
        {f"{mart}.{col}" for mart, cols in PUBLISHED_INTERFACE.items() for col in cols
         if col not in words}
    )
    assert not missing, f"docs/metrics.md does not name the measures {missing}"


def test_contract_doc_names_every_required_crm_field():
    words = _words(CONTRACT_DOC)
    missing = [
        f"{spec.object_name}.{name}"
        for spec in CRM_FILES
        for name in [spec.object_name, *spec.required_columns]
        if name not in words
    ]
    assert not missing, f"docs/contract.md does not name {missing} (salesops/contract.py)"
