"""The raw suites validate only the run's drops when the run has a drop range.

A warehouse with the six nightly drops (2026-10-26 .. 31) of the `tiny` sample, loaded by the
real loader into a real DuckDB file; defects are planted in copies of it. Then one real
partitioned run of the pipeline job's ingestion and raw checks, to see the range reach
``gx_raw_checks`` from Dagster.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest
from pipeline_env import pipeline_env

from salesops.ingest.loader import load_landing
from salesops.quality import RunParameters, SuiteResult, discover, run_suite
from salesops.quality.parameters import ParameterError
from salesops.quality.runner import run_suites

EXPECTATIONS = Path(__file__).resolve().parents[1] / "expectations"
AS_OF = dt.date(2026, 10, 31)
OLD = dt.date(2026, 10, 26)  # the first drop (full extracts)
NEW = dt.date(2026, 10, 31)  # the newest drop (a delta: not every CRM object)
NULL_ID = "expect_column_values_to_not_be_null(Id)"


def rows_check(name: str) -> str:
    return f"unexpected_rows_expectation({name})"


def suites(*tables: str):
    raw = [s for s in discover(EXPECTATIONS) if s.schema == "raw"]
    return [s for s in raw if s.table_name in tables] if tables else raw


def params(first: dt.date | None = None, last: dt.date | None = None) -> RunParameters:
    return RunParameters(as_of_date=AS_OF, drop_date_from=first, drop_date_to=last)


def failed(result: SuiteResult) -> dict[str, object]:
    return {o.name: o for o in result.failures}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    from salesops.generator import generate

    root = tmp_path_factory.mktemp("scope")
    generate("tiny", root / "landing", seed=7)
    report = load_landing(root / "landing", root / "warehouse.duckdb")
    assert not report.failures
    assert {r.drop_date for r in report.loaded} == {OLD + dt.timedelta(days=d) for d in range(6)}
    return root / "warehouse.duckdb"


@pytest.fixture
def copy(loaded, tmp_path):
    """A writable copy of the loaded warehouse: (path, connection); close before checking."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(loaded, path)
    con = duckdb.connect(str(path))
    yield path, con
    con.close()


def one_row(con, table: str, where: str) -> tuple[str, int]:
    row = con.execute(
        f"select _file, _line from raw.{table} where {where} order by _file, _line limit 1"
    ).fetchone()
    assert row is not None, where
    return row


def plant_opportunity(con, where: str, assignment: str) -> tuple[str, int]:
    """Sets `assignment` on the first raw Opportunity row matching `where`, then closes the
    connection (the suites open the file read-only); the row's (_file, _line)."""
    row = one_row(con, "crm_opportunity", where)
    con.execute(
        f"update raw.crm_opportunity set {assignment} where _file = ? and _line = ?", list(row)
    )
    con.close()
    return row


def test_parameters_cover_every_drop_without_a_range():
    whole = params().for_suite("raw.crm_task")
    assert (whole["drop_date_from"], whole["drop_date_to"]) == ("0001-01-01", "9999-12-31")
    assert params().drop_dates is None and params().raw_scope == "whole table"
    ranged = params(OLD, NEW)
    assert ranged.for_suite("raw.crm_task")["drop_date_from"] == "2026-10-26"
    assert ranged.for_suite("raw.crm_task")["drop_date_to"] == "2026-10-31"
    assert ranged.raw_scope == "drops 2026-10-26..2026-10-31"
    with pytest.raises(ParameterError, match="ends before it starts"):
        params(NEW, OLD)
    with pytest.raises(ParameterError, match="set together"):
        params(NEW, None)


def test_a_bad_row_of_an_older_drop_is_out_of_a_newer_range(copy):
    path, con = copy
    old_row = plant_opportunity(con, f"_drop_date = '{OLD}'", "Id = null")

    scoped = run_suites(path, suites("crm_opportunity"), params=params(NEW, NEW))
    result = scoped["raw.crm_opportunity"]
    assert result.scope == "drops 2026-10-31..2026-10-31"
    assert result.failures == [] and result.success

    whole = run_suites(path, suites("crm_opportunity"), params=params())
    result = whole["raw.crm_opportunity"]
    assert result.scope == "whole table"
    assert set(failed(result)) == {NULL_ID} and not result.success
    outcome = failed(result)[NULL_ID]
    assert outcome.unexpected_count == 1
    assert outcome.details["unexpected_rows"][0]["_file"] == old_row[0]

    # a range that takes the old drop in catches it again
    wide = run_suites(path, suites("crm_opportunity"), params=params(OLD, OLD))
    assert set(failed(wide["raw.crm_opportunity"])) == {NULL_ID}
    # run_suite takes a range too
    single = run_suite(
        path, EXPECTATIONS / "raw" / "crm_opportunity.json", "raw.crm_opportunity",
        params=params().for_suite("raw.crm_opportunity"), drop_dates=(NEW, NEW),
    )
    assert single.success and single.failures == [] and single.scope == "drops 2026-10-31..2026-10-31"


def test_a_bad_row_of_the_range_fails(copy):
    path, con = copy
    plant_opportunity(con, f"_drop_date = '{NEW}' and not IsClosed", "Amount = -1")
    result = run_suites(path, suites("crm_opportunity"), params=params(NEW, NEW))[
        "raw.crm_opportunity"
    ]
    name = "expect_column_values_to_be_between(Amount)"
    assert set(failed(result)) == {name} and not result.success
    assert failed(result)[name].unexpected_count == 1
    assert failed(result)[name].unexpected_sample == [-1.0]


def test_every_raw_suite_passes_under_a_range_ledger_included(loaded):
    with duckdb.connect(str(loaded), read_only=True) as con:
        # the ledger holds the other drops' files too: reconciled against the range's rows
        # without their dates they would all be mismatches
        other = con.execute(
            "select count(*) from raw.load_files where drop_date <> ?", [NEW]
        ).fetchone()[0]
        absent = con.execute(
            "select count(*) from raw.crm_forecasting_quota where _drop_date = ?", [NEW]
        ).fetchone()[0]
    assert other > 0
    assert absent == 0  # a delta drop without ForecastingQuota.csv: an empty batch passes

    results = run_suites(loaded, suites(), params=params(NEW, NEW))
    assert len(results) == 15
    problems = {
        table: [(o.name, o.unexpected_count, o.details.get("exception")) for o in r.failures]
        for table, r in results.items() if r.failures
    }
    assert not problems
    for result in results.values():
        assert result.scope == "drops 2026-10-31..2026-10-31"
        (recon,) = [o for o in result.outcomes if o.name == rows_check("reconciliation")]
        assert recon.success and recon.unexpected_count == 0


def test_reconciliation_checks_the_ledger_of_the_range_only(copy):
    path, con = copy
    (old_file,) = con.execute(
        "select file from raw.load_files where file like '%/Task.csv' and drop_date = ?", [OLD]
    ).fetchone()
    (new_file,) = con.execute(
        "select file from raw.load_files where file like '%/Task.csv' and drop_date = ?", [NEW]
    ).fetchone()
    con.execute("update raw.load_files set rows_read = rows_read + 1 where file = ?", [old_file])
    con.execute(
        "update raw.load_files set rows_loaded = rows_loaded + 1, rows_read = rows_read + 1 "
        "where file = ?", [new_file],
    )
    con.close()

    def broken_files(p: RunParameters) -> list[str]:
        result = run_suites(path, suites("crm_task"), params=p)["raw.crm_task"]
        assert set(failed(result)) == {rows_check("reconciliation")}
        return sorted(r["file"] for r in failed(result)[rows_check("reconciliation")]
                      .unexpected_sample)

    assert broken_files(params(NEW, NEW)) == [new_file]
    assert broken_files(params(OLD, OLD)) == [old_file]
    assert broken_files(params()) == sorted([old_file, new_file])


def test_a_redelivered_statement_is_compared_with_earlier_drops(copy):
    path, con = copy
    new_file, new_line, new_ts = con.execute(
        "select _file, _line, statement_timestamp from raw.lms_statements where _drop_date = ? "
        "and verb_id <> 'http://adlnet.gov/expapi/verbs/voided' "
        "and lower(trim(id)) not in (select lower(trim(object_id)) from raw.lms_statements) "
        "order by _file, _line limit 1", [NEW],
    ).fetchone()
    (old_id,) = con.execute(
        "select id from raw.lms_statements where _drop_date = ? and statement_timestamp <> ? "
        "and lower(trim(id)) not in (select lower(trim(object_id)) from raw.lms_statements) "
        "and lower(trim(id)) in (select lower(trim(id)) from raw.lms_statements "
        "group by 1 having count(*) = 1) "
        "order by _file, _line limit 1", [OLD, new_ts],
    ).fetchone()
    con.execute(
        "update raw.lms_statements set id = ? where _file = ? and _line = ?",
        [old_id, new_file, new_line],
    )
    con.close()
    # only the new drop is in the batch, but its re-used id disagrees with the old delivery
    result = run_suites(path, suites("lms_statements"), params=params(NEW, NEW))[
        "raw.lms_statements"
    ]
    assert set(failed(result)) == {rows_check("duplicate_ids_agree")}
    outcome = failed(result)[rows_check("duplicate_ids_agree")]
    assert outcome.severity == "warning" and result.success
    (sample,) = outcome.unexpected_sample
    assert sample["statement_id"] == old_id.strip().lower()
    assert (sample["deliveries"], sample["versions"]) == (2, 2)


def test_a_partitioned_run_passes_its_range_to_the_raw_checks(tmp_path):
    """Two real runs of the pipeline job's ingestion and raw checks (no dbt): the first over
    the five older drops, the second over the newest one, after a NULL Id was planted in the
    first drop. The second run's checks are scoped to its drop and pass; a run of the checks
    alone, without partitions, validates the whole tables and fails."""
    import dagster as dg

    from salesops.generator import generate

    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    generate("tiny", landing, seed=7)
    with pipeline_env(landing, warehouse, tmp_path / "published"):
        from orchestration.definitions import defs
        from orchestration.defs.constants import PIPELINE_JOB
        from orchestration.defs.partitions import range_tags

        job = defs().resolve_job_def(PIPELINE_JOB)
        graph = job.asset_layer.asset_graph
        ledger = {"load_drops", "load_files", "quarantine"}
        ingested = [
            k for k in graph.get_all_asset_keys() if k.path[0] == "raw" and k.path[1] not in ledger
        ]
        raw_checks = {
            k for k in graph.asset_check_keys
            if k.name.startswith("gx_") and k.asset_key.path[0] == "raw"
        }
        instance = dg.DagsterInstance.ephemeral()

        def run(job_def, **tags):
            result = job_def.execute_in_process(instance=instance, raise_on_error=False, tags=tags)
            evaluations = {
                e.event_specific_data.check_name: e.event_specific_data
                for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
            }
            logs = [e.user_message for e in instance.all_logs(result.run_id)]
            return result, evaluations, logs

        first, _, _ = run(
            job.get_subset(asset_selection=set(ingested)),
            **range_tags(OLD, dt.date(2026, 10, 30)),
        )
        assert first.success
        with duckdb.connect(str(warehouse)) as con:
            con.execute(
                "update raw.crm_opportunity set Id = null where rowid = (select min(rowid) "
                "from raw.crm_opportunity where _drop_date = ?)", [OLD],
            )

        second, evaluations, logs = run(
            job.get_subset(asset_selection=set(ingested)), **range_tags(NEW, NEW)
        )
        assert second.success
        assert set(evaluations) == {k.name for k in raw_checks}
        for ev in evaluations.values():
            assert ev.passed, (ev.check_name, ev.description)
            assert ev.metadata["scope"].value == "drops 2026-10-31..2026-10-31"
        assert any("scope: drops 2026-10-31..2026-10-31" in m for m in logs)

        checks_only, evaluations, logs = run(
            job.get_subset(asset_selection=set(), asset_check_selection=raw_checks)
        )
        ev = evaluations["gx_crm_opportunity"]
        assert not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR
        assert ev.metadata["scope"].value == "whole table"
        assert NULL_ID in ev.description
        assert any("scope: whole table" in m for m in logs)
