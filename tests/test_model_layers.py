"""The model DAG reads forward (issue 13): staging -> intermediate -> facts / dimensions -> KPI
marts, the published set is the models tagged `published`, and each published mart is a query
of its own (no macro renders a query for it).

Read from `dbt ls` (the parsed project, no warehouse needed): the layer of a model is its folder
(models/staging, models/intermediate, models/marts), its kind is its name prefix.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from salesops.settings import DBT_PROJECT_DIR

LAYERS = ("staging", "intermediate", "marts")
MART_PREFIXES = ("fct_", "dim_", "kpi_")


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, dict]:
    """Every model of the project: name -> {layer, tags, path (from the dbt project), parents
    (model names)}."""
    target = tmp_path_factory.mktemp("dbt") / "target"  # the project's own target/ untouched
    dbt = Path(sys.executable).with_name("dbt")
    proc = subprocess.run(
        [str(dbt), "ls", "--resource-type", "model", "--output", "json",
         "--output-keys", "name tags depends_on original_file_path", "--quiet",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(target)],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=300,
        env={**os.environ, "SALESOPS_WAREHOUSE": str(target.parent / "warehouse.duckdb")},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    found = {}
    for line in proc.stdout.splitlines():
        if not line.startswith("{"):
            continue
        node = json.loads(line)
        folder = Path(node["original_file_path"]).parts
        found[node["name"]] = {
            "layer": folder[folder.index("models") + 1],
            "tags": set(node["tags"]),
            "path": node["original_file_path"],
            "parents": [p.split(".")[-1] for p in node["depends_on"]["nodes"]
                        if p.startswith("model.")],
        }
    assert len(found) > 100
    return found


def test_each_model_sits_in_the_layer_its_name_says(models):
    for name, model in models.items():
        assert model["layer"] in LAYERS, name
        if name.startswith(("stg_", "base_")):
            assert model["layer"] == "staging", name
        elif name.startswith("int_"):
            assert model["layer"] == "intermediate", name
        else:
            assert name.startswith(MART_PREFIXES) and model["layer"] == "marts", name


def test_no_model_reads_a_later_layer(models):
    """No intermediate model selects from a mart, no staging model from anything but staging."""
    order = {layer: i for i, layer in enumerate(LAYERS)}
    backward = [
        f"{name} ({model['layer']}) reads {parent} ({models[parent]['layer']})"
        for name, model in models.items() for parent in model["parents"]
        if order[models[parent]["layer"]] > order[model["layer"]]
    ]
    assert backward == []


def test_facts_and_dimensions_never_read_a_kpi_mart(models):
    reads = [(name, parent) for name, model in models.items() if not name.startswith("kpi_")
             for parent in model["parents"] if parent.startswith("kpi_")]
    assert reads == []


def test_the_published_tag_marks_exactly_the_kpi_marts(models):
    """Publishing copies the kpi_* tables (salesops/publish.py); the tag `published` says the
    same in the project, so a selector (`dbt ls -s tag:published`) and the name can't drift."""
    tagged = {name for name, model in models.items() if "published" in model["tags"]}
    kpis = {name for name in models if name.startswith("kpi_")}
    assert tagged == kpis
    assert len(kpis) == 58


QUERY_WORDS = re.compile(r"\bref\(|\bsource\(|\bjoin\b|\bwith\b|\bselect\b|\bunion\b")


def _macro_bodies() -> dict[str, str]:
    """name -> body (Jinja comments removed) of every macro in dbt_project/macros."""
    bodies = {}
    for path in (DBT_PROJECT_DIR / "macros").rglob("*.sql"):
        text = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S)
        for match in re.finditer(r"\{%-?\s*macro\s+(\w+)\(.*?%\}(.*?)\{%-?\s*endmacro", text, re.S):
            bodies[match.group(1)] = match.group(2)
    return bodies


def test_every_published_mart_reads_top_to_bottom(models):
    """A kpi_ mart's SQL is its own query: it selects from ref()s in CTEs it names, and the
    macros it calls are expressions or one KPI's column list (no macro renders a query, a CTE,
    a join, or reads a relation)."""
    bodies = _macro_bodies()
    offenders = {}
    for name, model in models.items():
        if "published" not in model["tags"]:
            continue
        sql = (DBT_PROJECT_DIR / model["path"]).read_text()
        assert re.search(r"^\s*select\b", sql, re.M | re.I), f"{name} has no select of its own"
        for called in set(re.findall(r"\{\{\s*(\w+)\(", sql)) - {"ref", "config"}:
            if called in bodies and QUERY_WORDS.search(bodies[called]):
                offenders.setdefault(called, []).append(name)
    assert offenders == {}
