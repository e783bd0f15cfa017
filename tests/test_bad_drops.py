"""The bad-input corpus (tests/bad_drops/, one folder per kind) through the whole pipeline.

Each folder holds a drop laid out as in the landing folder (`<system>/<date>/<file>`) and an
`expected.json` with its outcome (tests/bad_drops/README.md lists them). The drops build on the
`tiny` sample (seed 7, newest drop 2026-10-31) and use its ids, so their rows join.

A full run costs about a minute, so runs are shared:

- `baseline`: the sample plus the drop without `_SUCCESS`, run once and kept;
- every kind whose drop FAILS runs alone on a copy of the baseline (it stops at ingestion, which
  is quick): the run fails naming the file (and line / column), nothing of the drop is in the
  warehouse, and the published files are byte for byte what they were;
- every kind that is ACCEPTED or QUARANTINED goes into one landing on a copy of the baseline, each
  in its own drop, and that landing runs once (`combined`); then one test per kind reads its own
  rows from raw.*, raw.quarantine, raw.load_drops, the marts and the published database;
- a copy of the baseline runs once more with nothing new: the published version stays.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from pipeline_env import pipeline_env

from orchestration.in_process import run_pipeline
from salesops.contract import FILES, SUCCESS_MARKER
from salesops.generator import generate
from salesops.publish import current_version

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).parent / "bad_drops"
PENDING = "drop_without_success"


def expected(kind: str) -> dict:
    return json.loads((CORPUS / kind / "expected.json").read_text(encoding="utf-8"))


KINDS = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").is_file())
FAILING = [k for k in KINDS if expected(k)["outcome"] == "drop fails"]
COMBINED = [k for k in KINDS if k not in FAILING and k != PENDING]


def field_value(spec: dict) -> str:
    """A generated value: `pattern` repeated to exactly `length` characters."""
    pattern, length = spec["pattern"], spec["length"]
    return (pattern * (length // len(pattern) + 1))[:length]


def install(kind: str, landing: Path) -> None:
    """Copy the kind's drop into the landing folder, byte for byte; a `<file>.template` is
    written as `<file>` with each placeholder replaced by its generated, CSV-quoted value."""
    exp = expected(kind)
    src = CORPUS / kind
    for path in sorted(src.rglob("*")):
        if not path.is_file() or path.parent == src:
            continue
        dest = landing / path.relative_to(src)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".template":
            data = path.read_bytes()
            for spec in exp["generate"]["fields"]:
                quoted = '"' + field_value(spec).replace('"', '""') + '"'
                data = data.replace(spec["placeholder"].encode(), quoted.encode("utf-8"))
            dest.with_suffix("").write_bytes(data)
        else:
            shutil.copyfile(path, dest)


# ---------------------------------------------------------------------------------------------
# a pipeline state: landing, warehouse and publish folder of one run


@dataclass(frozen=True)
class State:
    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def publish_dir(self) -> Path:
        return self.root / "published"

    def wh(self, sql: str, params: list | None = None) -> list[tuple]:
        return _query(self.warehouse, sql, params)

    def pub(self, sql: str, params: list | None = None) -> list[tuple]:
        return _query(self.publish_dir / "salesops.duckdb", sql, params)

    def version(self) -> str | None:
        return current_version(self.publish_dir)

    def fingerprint(self) -> dict[str, str]:
        """sha256 of every published file BI tools read (the database and the parquet files)."""
        files = [self.publish_dir / "salesops.duckdb",
                 *sorted((self.publish_dir / "parquet").glob("*.parquet"))]
        return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}

    def clone(self, root: Path) -> State:
        """A copy of this state (DuckDB files are closed between runs, so copies are whole)."""
        new = State(root)
        root.mkdir(parents=True)
        shutil.copytree(self.landing, new.landing)
        shutil.copy2(self.warehouse, new.warehouse)
        shutil.copytree(self.publish_dir, new.publish_dir, symlinks=True)
        return new


def _query(db: Path, sql: str, params: list | None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@dataclass(frozen=True)
class Run:
    ok: bool
    reasons: list[str]
    log: str  # the run's console log (Dagster writes it to stderr)

    def explain(self) -> str:
        return "\n".join(self.reasons) + "\n--- log tail ---\n" + self.log[-6000:]


def run(state: State) -> Run:
    """The whole pipeline in this process on the state's folders; the environment is restored
    afterwards."""
    log = io.StringIO()
    with pipeline_env(state.landing, state.warehouse, state.publish_dir):
        with contextlib.redirect_stderr(log):
            ok, reasons = run_pipeline()
    return Run(ok, reasons, log.getvalue())


# ---------------------------------------------------------------------------------------------
# the shared runs


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bad_drops")


@pytest.fixture(scope="module")
def baseline(root) -> State:
    """The tiny sample, plus the drop without _SUCCESS, through the whole pipeline."""
    state = State(root / "baseline")
    generate("tiny", state.landing, seed=7)
    install(PENDING, state.landing)
    result = run(state)
    assert result.ok, result.explain()
    return state


@pytest.fixture(scope="module")
def combined(root, baseline) -> tuple[State, Run]:
    """Every accepted / quarantined kind, each its own drop, on top of the baseline, in one run;
    the pending drop of the baseline is complete now (its _SUCCESS has appeared)."""
    state = baseline.clone(root / "combined")
    for kind in COMBINED:
        install(kind, state.landing)
    (state.landing / expected(PENDING)["drop"] / SUCCESS_MARKER).touch()
    result = run(state)
    assert result.ok, result.explain()
    return state, result


@pytest.fixture(scope="module")
def combined_state(combined) -> State:
    return combined[0]


# ---------------------------------------------------------------------------------------------
# shared assertions


def raw_tables() -> list[str]:
    return [spec.table for spec in FILES]


def assert_nothing_of_the_drop_loaded(state: State, drop: str) -> None:
    system, date = drop.split("/")
    assert state.wh("select count(*) from raw.load_drops where system = ? and drop_date = ?",
                    [system, date]) == [(0,)]
    assert state.wh("select count(*) from raw.load_files where system = ? and drop_date = ?",
                    [system, date]) == [(0,)]
    assert state.wh("select count(*) from raw.quarantine where drop_date = ?", [date]) == [(0,)]
    for table in raw_tables():
        n = state.wh(f"select count(*) from raw.{table} where _drop_date = ?", [date])
        assert n == [(0,)], f"raw.{table} has rows of the failed drop {drop}"


def assert_drop_as_expected(state: State, kind: str) -> None:
    """The drop is in the ledger with each file's loaded / quarantined rows, and raw.quarantine
    holds exactly the expected rows (file, line, reason) for it."""
    exp = expected(kind)
    system, date = exp["drop"].split("/")
    files = exp["files"]
    ledger = state.wh("select files, rows_loaded, rows_quarantined from raw.load_drops "
                      "where system = ? and drop_date = ?", [system, date])
    assert ledger == [(
        len(files),
        sum(f["rows_loaded"] for f in files.values()),
        sum(f["rows_quarantined"] for f in files.values()),
    )], ledger
    got = {f: {"rows_loaded": loaded, "rows_quarantined": quarantined}
           for f, loaded, quarantined in state.wh(
               "select file, rows_loaded, rows_quarantined from raw.load_files "
               "where system = ? and drop_date = ?", [system, date])}
    assert got == files
    quarantine = [{"file": f, "line": line, "reason": reason} for f, line, reason in state.wh(
        "select file, line, reason from raw.quarantine where system = ? and drop_date = ? "
        "order by file, line", [system, date])]
    assert quarantine == exp["quarantine"]


def win_rate(state: State, month: str, rep_email: str | None) -> dict | None:
    rows = state.pub(
        "select won_count, lost_count, won_amount, lost_amount from kpi_win_rate "
        "where month = cast(? as date) and rep_email is not distinct from ?", [month, rep_email])
    if not rows:
        return None
    assert len(rows) == 1, rows
    return dict(zip(("won_count", "lost_count", "won_amount", "lost_amount"), rows[0], strict=True))


def assert_published_win_rate(state: State, kind: str) -> None:
    want = expected(kind)["win_rate"]
    got = win_rate(state, want["month"], want["rep_email"])
    assert got is not None, f"no kpi_win_rate row for {want['month']}, {want['rep_email']}"
    for measure in ("won_count", "lost_count", "won_amount", "lost_amount"):
        if measure in want:
            assert math.isclose(got[measure] or 0, want[measure], abs_tol=1e-6), (measure, got)


def opportunity(state: State, opportunity_id: str) -> dict | None:
    """The current version of an opportunity in marts.fct_opportunities (15-character id)."""
    cols = ("stage_name", "amount", "is_closed", "is_won", "owner_email", "close_date")
    rows = state.wh(f"select {', '.join(cols)} from marts.fct_opportunities "
                    "where opportunity_id = ?", [opportunity_id[:15]])
    return dict(zip(cols, rows[0], strict=True)) if rows else None


def raw_ids(state: State, table: str, date: str) -> list[str]:
    return [r[0] for r in state.wh(f"select Id from raw.{table} where _drop_date = ? order by _line",
                                   [date])]


# ---------------------------------------------------------------------------------------------
# the corpus itself


def test_the_corpus_lists_every_kind_and_is_byte_exact():
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for kind in KINDS:
        exp = expected(kind)
        assert exp["kind"] == kind
        assert f"`{kind}`" in readme, f"{kind} is missing from tests/bad_drops/README.md"
        assert (CORPUS / kind / exp["drop"]).is_dir(), kind
    assert set(FAILING) == {"missing_required_column", "empty_file", "truncated_last_line",
                            "truncated_last_line_short_row", "non_utf8_bytes"}
    # git must never touch line endings or encodings of these files
    assert "* -text" in (CORPUS / ".gitattributes").read_text().splitlines()
    bom = (CORPUS / "byte_order_mark/crm/2026-11-08/Account.csv").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbfId,")
    crlf = (CORPUS / "crlf_line_endings/crm/2026-11-09/Task.csv").read_bytes()
    assert crlf.count(b"\r\n") == crlf.count(b"\n") == 3
    latin = (CORPUS / "non_utf8_bytes/hr/2026-11-01/workers.csv").read_bytes()
    assert b"Niamh M\xfcller" in latin
    assert (CORPUS / "empty_file/crm/2026-11-01/Task.csv").stat().st_size == 0
    assert not (CORPUS / PENDING / expected(PENDING)["drop"] / SUCCESS_MARKER).exists()


# ---------------------------------------------------------------------------------------------
# the drop fails: a run of its own on a copy of the baseline


@pytest.mark.parametrize("kind", FAILING)
def test_a_bad_file_fails_its_drop_and_leaves_the_published_version(kind, baseline, root):
    exp = expected(kind)
    state = baseline.clone(root / f"fails_{kind}")
    counts_before = {t: state.wh(f"select count(*) from raw.{t}")[0][0] for t in raw_tables()}
    install(kind, state.landing)
    result = run(state)
    assert not result.ok, result.explain()
    # the run names the drop, the file and (where it has one) the line and the column
    assert any(f"drop {exp['drop']} failed: {exp['message']}" in r for r in result.reasons), (
        result.explain())
    assert_nothing_of_the_drop_loaded(state, exp["drop"])
    assert {t: state.wh(f"select count(*) from raw.{t}")[0][0] for t in raw_tables()} == (
        counts_before)
    # what was published stays published, byte for byte
    assert state.fingerprint() == baseline.fingerprint()
    assert state.version() == baseline.version()
    assert state.pub("select version from publish_log order by all") == baseline.pub(
        "select version from publish_log order by all")


# ---------------------------------------------------------------------------------------------
# the drop without _SUCCESS, and a run with nothing new


def test_drop_without_success_is_not_read(baseline):
    drop = expected(PENDING)["drop"]
    assert (baseline.landing / drop / "Opportunity.csv").is_file()
    assert not (baseline.landing / drop / SUCCESS_MARKER).exists()
    assert_nothing_of_the_drop_loaded(baseline, drop)
    assert win_rate(baseline, "2026-11-01", "tomas.clark@example.com") is None


def test_a_run_with_nothing_new_keeps_the_published_version(baseline, root):
    """Nothing new is complete (the pending drop still has no _SUCCESS): the run succeeds and
    the published version, and every published byte, stay as they were."""
    state = baseline.clone(root / "nothing_new")
    result = run(state)
    assert result.ok, result.explain()
    assert_nothing_of_the_drop_loaded(state, expected(PENDING)["drop"])
    assert state.version() == baseline.version()
    assert state.fingerprint() == baseline.fingerprint()


def test_drop_without_success_loads_once_success_appears(combined_state, baseline):
    assert_drop_as_expected(combined_state, PENDING)
    assert raw_ids(combined_state, "crm_opportunity", "2026-11-12") == ["0065g0000bd1301AAA"]
    assert_published_win_rate(combined_state, PENDING)


# ---------------------------------------------------------------------------------------------
# accepted and quarantined: one combined run


def test_the_combined_run_loads_every_drop_and_publishes_a_new_version(combined, baseline):
    state, result = combined
    loaded = {f"{s}/{d}" for s, d in state.wh(
        "select system, cast(drop_date as varchar) from raw.load_drops")}
    assert {expected(k)["drop"] for k in [*COMBINED, PENDING]} <= loaded
    assert state.version() != baseline.version()
    assert len(state.pub("select * from publish_log")) == len(
        baseline.pub("select * from publish_log")) + 1
    # November 2026 holds only the corpus' closed deals: every good one and no quarantined one
    # (won: 11111 + 3333 + 7777 + 4444 + 5555 + 6666 + 8888; lost: 2222)
    company = state.pub("select won_count, lost_count, won_amount, lost_amount "
                        "from kpi_win_rate_company where month = date '2026-11-01'")
    assert company == [(7, 1, 47774.0, 2222.0)]


def test_unknown_extra_column_is_ignored(combined_state):
    kind = "unknown_extra_column"
    assert_drop_as_expected(combined_state, kind)
    cols = {r[0] for r in combined_state.wh(
        "select column_name from information_schema.columns where table_schema = 'raw' "
        "and table_name = 'crm_opportunity'")}
    assert not cols & {"Partner_Tier__c", "Region__c", "ExpectedRevenue"}
    # the contract columns after the extra one are read from their own positions
    assert combined_state.wh(
        "select OwnerId, StageName, Amount, Probability, IsWon, cast(CloseDate as varchar), Name "
        "from raw.crm_opportunity where Id = '0065g0000bd0101AAA'") == [
        ("0055g0000ZnlSM7AQM", "Closed Won", 11111.0, 100.0, True, "2026-11-01",
         "Blue Systems - Expansion")]
    assert_published_win_rate(combined_state, kind)


def test_wrong_type_in_a_cell_quarantines_the_row(combined_state):
    kind = "wrong_type_in_cell"
    assert_drop_as_expected(combined_state, kind)
    assert raw_ids(combined_state, "crm_opportunity", "2026-11-02") == ["0065g0000bd0201AAA"]
    # the quarantined record keeps what was there, for whoever fixes it at the source
    records = [json.loads(r[0]) for r in combined_state.wh(
        "select record from raw.quarantine where drop_date = '2026-11-02' order by line")]
    assert [(r["Id"], r["Amount"], r["Probability"]) for r in records] == [
        ("0065g0000bd0202AAA", "abc", "100"), ("0065g0000bd0203AAA", "5000", "high"),
        ("0065g0000bd0204AAA", "6000", "100")]
    for quarantined in ("0065g0000bd0202AAA", "0065g0000bd0203AAA", "0065g0000bd0204AAA"):
        assert opportunity(combined_state, quarantined) is None
    assert_published_win_rate(combined_state, kind)


def test_bad_date_quarantines_the_row(combined_state):
    kind = "bad_date"
    assert_drop_as_expected(combined_state, kind)
    assert raw_ids(combined_state, "crm_opportunity", "2026-11-03") == ["0065g0000bd0302AAA"]
    assert_published_win_rate(combined_state, kind)
    # the quarantined deals (99999 and 88888) are in no published number
    assert win_rate(combined_state, "2026-02-01", "yuki.smithjones@example.com") is None
    assert combined_state.pub(
        "select largest_won_amount, bookings_amount from kpi_deal_value "
        "where month = date '2026-11-01' and rep_email = 'yuki.smithjones@example.com'") == [
        (3333.0, 3333.0)]


def test_negative_amount_quarantines_the_row(combined_state):
    kind = "negative_amount"
    assert_drop_as_expected(combined_state, kind)
    assert raw_ids(combined_state, "crm_opportunity", "2026-11-04") == ["0065g0000bd0401AAA"]
    assert opportunity(combined_state, "0065g0000bd0402AAA") is None
    assert_published_win_rate(combined_state, kind)
    assert combined_state.pub(
        "select won_count, bookings_amount, largest_won_amount from kpi_deal_value "
        "where month = date '2026-11-01' and rep_email = 'fatima.nielsen@example.com'") == [
        (1, 7777.0, 7777.0)]


def test_same_id_and_modstamp_twice_quarantines_both(combined_state, baseline):
    kind = "duplicate_id_in_file"
    assert_drop_as_expected(combined_state, kind)
    # the ambiguous update of an existing deal (won and lost at once) changed nothing
    assert opportunity(combined_state, "0065g0000a1IdV5AAK") == opportunity(
        baseline, "0065g0000a1IdV5AAK")
    assert opportunity(combined_state, "0065g0000a1IdV5AAK")["stage_name"] == "Negotiation/Review"
    # 18- and 15-character forms of one Id are the same record: ambiguous too
    assert opportunity(combined_state, "0065g0000bd0502AAA") is None
    # the same Id with two SystemModstamps: both versions loaded, the later one wins
    assert raw_ids(combined_state, "crm_opportunity", "2026-11-05") == [
        "0065g0000bd0501AAA", "0065g0000bd0501AAA"]
    current = opportunity(combined_state, "0065g0000bd0501AAA")
    assert (current["stage_name"], current["amount"], current["is_won"]) == (
        "Closed Won", 4444.0, True)
    assert_published_win_rate(combined_state, kind)


def test_orphan_foreign_keys_are_loaded(combined_state):
    kind = "orphan_foreign_key"
    assert_drop_as_expected(combined_state, kind)
    assert combined_state.wh("select WhatId from raw.crm_task where Id = '00T5g0000bd0601AAA'") == [
        ("0065g0000bd0698AAA",)]
    deal = opportunity(combined_state, "0065g0000bd0601AAA")
    assert deal is not None and deal["owner_email"] is None and deal["is_won"]
    # an owner that is no User is reported under a NULL rep_email (docs/decisions.md)
    assert_published_win_rate(combined_state, kind)


def test_header_only_file_is_a_delta_with_no_rows(combined_state):
    kind = "header_only_file"
    assert_drop_as_expected(combined_state, kind)
    assert combined_state.wh("select rows_read from raw.load_files "
                             "where file = 'crm/2026-11-07/Event.csv'") == [(0,)]


def test_byte_order_mark_is_accepted(combined_state):
    kind = "byte_order_mark"
    assert_drop_as_expected(combined_state, kind)
    assert combined_state.wh(
        "select Id, Name, OwnerId, AnnualRevenue, NumberOfEmployees, _line from raw.crm_account "
        "where _drop_date = '2026-11-08'") == [
        ("0015g0000bd0801AAA", "Ångström Analytics AB", "0055g0000ZnlSM9AQM", 12500000.0, 85, 2)]


def test_crlf_line_endings_are_accepted_without_carriage_returns(combined_state):
    kind = "crlf_line_endings"
    assert_drop_as_expected(combined_state, kind)
    rows = combined_state.wh(
        "select Id, TaskSubtype, Subject, CallDurationInSeconds, _line, "
        "contains(concat_ws('|', Id, OwnerId, WhoId, WhatId, TaskSubtype, Status, Type, "
        "CallDisposition, Subject, cast(IsDeleted as varchar)), chr(13)) "
        "from raw.crm_task where _drop_date = '2026-11-09' order by _line")
    assert rows == [
        ("00T5g0000bd0901AAA", "Call", "Follow-up call", 180, 2, False),
        ("00T5g0000bd0902AAA", "Email", None, None, 3, False),
    ]


def test_quote_inside_a_field_is_read_exactly(combined_state):
    kind = "quote_inside_field"
    assert_drop_as_expected(combined_state, kind)
    want = expected(kind)["values"]
    got = {i: {"Name": name, "NextStep": step} for i, name, step in combined_state.wh(
        "select Id, Name, NextStep from raw.crm_opportunity where _drop_date = '2026-11-10'")}
    assert got == want
    assert_published_win_rate(combined_state, kind)


def test_one_mb_field_is_loaded_exactly(combined_state):
    kind = "one_mb_field"
    assert_drop_as_expected(combined_state, kind)
    values = [field_value(spec) for spec in expected(kind)["generate"]["fields"]]
    got = combined_state.wh(
        "select Id, length(Subject), md5(Subject), _line from raw.crm_task "
        "where _drop_date = '2026-11-11' order by _line")
    # physical lines: the first value holds line breaks, so the rows after it start lower down
    first_value_lines = values[0].count("\n")
    assert got == [
        ("00T5g0000bd1101AAA", 1048576, hashlib.md5(values[0].encode()).hexdigest(), 2),
        ("00T5g0000bd1102AAA", 1048576, hashlib.md5(values[1].encode()).hexdigest(),
         3 + first_value_lines),
        ("00T5g0000bd1103AAA", len("Short call after the long ones"),
         hashlib.md5(b"Short call after the long ones").hexdigest(), 4 + first_value_lines),
    ]
    assert len(values[1].encode()) > 2_000_000  # over DuckDB's default line limit


def test_late_drop_is_loaded_with_a_warning_and_the_latest_version_wins(combined, baseline):
    state, result = combined
    kind = "late_drop"
    assert_drop_as_expected(state, kind)
    assert expected(kind)["warning"] in result.log
    # the late drop's older version of a deal does not replace the newer one loaded before it
    assert opportunity(state, "0065g0000ZuX2vbAQC") == opportunity(baseline, "0065g0000ZuX2vbAQC")
    assert opportunity(state, "0065g0000ZuX2vbAQC")["stage_name"] == "Proposal/Price Quote"
    # its new deal counts
    deal = opportunity(state, "0065g0000bd1201AAA")
    assert (deal["stage_name"], deal["amount"]) == ("Closed Won", 9999.0)
    assert_published_win_rate(state, kind)
