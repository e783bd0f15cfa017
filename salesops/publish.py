"""Publishing the KPI marts where BI tools read them, without ever showing a half-written state.

Layout of the publish folder (SALESOPS_PUBLISH_DIR):

    salesops.duckdb                 the current version (BI tools open this, read-only)
    parquet -> versions/<v>/parquet the current version's marts as <mart>.parquet (a symlink)
    versions/<v>/                   the last N versions (salesops.duckdb + parquet/)
    publish_history.jsonl           one JSON line per publish and per restore (the audit trail)
    .lock                           held while a publish or a restore runs (one at a time)
    dashboard.html                  the KPI dashboard of the current version (salesops/dashboard.py)

Write, audit, publish: the quality checks have audited the warehouse's marts before this runs.
A new version is written completely under `versions/<v>/` first; then `salesops.duckdb` is
replaced by one `rename` (atomic on POSIX: a reader has the old file or the new one, never a mix,
and a reader that has the old one open keeps reading it) and the `parquet` symlink is swapped the
same way. The warehouse is only read (attached read-only), so the pipeline's write lock and the
BI tools never meet. A Parquet reader should resolve the `parquet` link once (realpath) and read
every file from that folder: the folder of a version is never changed, only removed when the
version is pruned (the current one and the N - 1 before it stay).

A publish or restore killed at any point (kill -9, power loss) leaves the current version as it
was, and the next publish or restore puts the folder right before it starts (`_recover`): a
temporary version or a staged swap file is removed, a swap killed between its two renames is
finished, a complete version that was never swapped in is removed. The `.lock` is an advisory
lock (flock) the kernel releases with the process: a stale file blocks nothing.

Unchanged content is not published again: `content_hash` fingerprints every mart (table and
column names and types, row count, an order-independent hash of the rows, DOUBLE/FLOAT values
rounded to 9 significant digits and |x| < 1e-9 taken as 0, so the last-bit noise of parallel
aggregation is no change), with the marts' descriptions when the warehouse records them
(`published_fingerprint`: an edited description is published like changed data). When it
equals the current version's, nothing is written and `PublishResult.published` is False.

Published docs: the dbt step records the published set's descriptions (the models' ymls, from
dbt's manifest) in the warehouse (PUBLISHED_DOCS); publishing puts them on every published table
and column as COMMENT ON (`create table as select` copies none), so a BI tool shows them. The
database is written in DuckDB's v1.0.0 storage format (PUBLISHED_STORAGE_VERSION), which BI
tools bundling DuckDB 1.x open.

Every version's database carries `publish_log`, one row per publish, carried over from version
to version (after a restore, the rows of the versions published after the restored one are kept
too):

    version            VARCHAR    the version id, `<UTC time>-<run id prefix>`, as in versions/
    run_id             VARCHAR    the Dagster run that published it (NULL when run by hand)
    published_at       TIMESTAMP  when it was published, UTC
    drop_dates         VARCHAR    JSON: system -> sorted list of every drop date loaded
                                  (raw.load_drops), e.g. {"crm": ["2026-10-30", "2026-10-31"]}
    newest_drop_dates  VARCHAR    JSON: system -> newest drop date loaded, {"crm": "2026-10-31"}
    row_counts         VARCHAR    JSON: mart -> rows, {"kpi_win_rate": 412, ...}
    content_hash       VARCHAR    sha256 of the marts' content and descriptions, as above

The JSON columns are plain text DuckDB's json functions read: `row_counts->>'kpi_win_rate'`,
`json_keys(newest_drop_dates)`, `from json_each(drop_dates -> 'crm')`. Rows carried over from a
version published before these columns existed have drop_dates and content_hash NULL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from salesops.settings import DEFAULT_KEEP_VERSIONS, Settings
from salesops.sql import sql_str

PUBLISHED_DB = "salesops.duckdb"
PUBLISHED_STORAGE_VERSION = "v1.0.0"
"""The storage format each published database is written in: DuckDB 2.0 writes its own newest
format by default, which no DuckDB 1.x opens ("version number 999"), and BI tools bundle their
own DuckDB (the Metabase driver, Evidence's connector, a Superset's duckdb): v1.0.0 opens in
every DuckDB from 1.0 on, comments included."""
PUBLISH_LOG = "publish_log"
"""The published database's one table that is not a mart."""
PARQUET_LINK = "parquet"
VERSIONS_DIR = "versions"
HISTORY_FILE = "publish_history.jsonl"
LOCK_FILE = ".lock"
MART_SCHEMA = "marts"
PUBLISHED_TAG = "published"
"""The dbt tag that marks a model of the published interface (docs/metrics.md)."""
PUBLISHED_SET = "ops.published_marts"
"""The names of the dbt models tagged `published`, as of dbt's last whole build (written with
the marts ledger, `salesops.pending.record_marts_build`): publishing copies exactly these."""
PUBLISHED_DOCS = "ops.published_docs"
"""The published set's descriptions from the dbt docs (the models' ymls, read from dbt's
manifest by the dbt step, with the published set): one row per model (column_name NULL) and per
documented column. Publishing puts them on the published tables and columns (COMMENT ON)."""
KEEP_VERSIONS_VAR = "SALESOPS_KEEP_VERSIONS"
HASH_SCHEME = "salesops-content-v1"  # change it when the fingerprint's definition changes
DOCS_SCHEME = "salesops-docs-v1"  # the same, for the descriptions' part (published_fingerprint)
TEST_PAUSE_VAR = "SALESOPS_TEST_PUBLISH_PAUSE_SECONDS"
"""Test-only (tests/test_recovery.py): seconds to sleep between writing the new version and
swapping it in, so that a test can kill the process there. Never set it in production."""

LOG_COLUMNS = (
    ("version", "varchar not null"),
    ("run_id", "varchar"),
    ("published_at", "timestamp not null"),
    ("drop_dates", "varchar"),
    ("newest_drop_dates", "varchar"),
    ("row_counts", "varchar"),
    ("content_hash", "varchar"),
)

LOG_DESCRIPTION = ("One row per published version of this database (carried over from version "
                   "to version): when it was published, from which drops, with how many rows.")
LOG_COLUMN_DESCRIPTIONS = {
    "version": "The version id, <UTC time>-<run id prefix>, as in the publish folder's versions/.",
    "run_id": "The Dagster run that published it (NULL when published by hand).",
    "published_at": "When it was published, UTC.",
    "drop_dates": "JSON: system -> sorted list of every drop date loaded.",
    "newest_drop_dates": "JSON: system -> newest drop date loaded.",
    "row_counts": "JSON: mart -> rows in this version.",
    "content_hash": "sha256 of the marts' content and descriptions: equal hashes, same data.",
}


@dataclass
class PublishResult:
    """What `publish` did. `published` is False when the content equalled the current
    version's: then `version` is the current version and nothing was written."""

    version: str
    database: Path
    parquet_dir: Path
    published: bool = True
    content_hash: str = ""
    row_counts: dict[str, int] = field(default_factory=dict)
    drop_dates: dict[str, list[str]] = field(default_factory=dict)
    newest_drop_dates: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class VersionInfo:
    """A kept version, as its own publish_log row describes it."""

    version: str
    current: bool
    run_id: str | None
    published_at: dt.datetime | None
    newest_drop_dates: dict[str, str]
    row_counts: dict[str, int]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def keep_versions_from_env(environ: Mapping[str, str] | None = None) -> int:
    """SALESOPS_KEEP_VERSIONS (default 7): an integer >= 1, else a ValueError that says so."""
    try:
        return Settings.from_env(environ).keep_versions
    except ValueError:  # worded as publishing always has (its callers and tests match it)
        raw = Settings.from_env(environ).env.get(KEEP_VERSIONS_VAR, "").strip()
        raise ValueError(f"{KEEP_VERSIONS_VAR} must be a whole number >= 1 (how many published "
                         f"versions to keep), got {raw!r}") from None


def record_published_set(con: duckdb.DuckDBPyConnection, marts: Sequence[str],
                         docs: Mapping[str, MartDocs] | None = None) -> None:
    """Write the published set (the marts schema's models tagged `published`) into the warehouse
    `con` is connected to, replacing the previous one; with `docs` (model -> its descriptions,
    :func:`docs_from_manifest`), their descriptions too (PUBLISHED_DOCS, replaced as well)."""
    con.execute("create schema if not exists ops")
    con.execute(f"create or replace table {PUBLISHED_SET} (model varchar not null)")
    con.executemany(f"insert into {PUBLISHED_SET} values (?)", [[m] for m in sorted(set(marts))])
    if docs is None:
        return
    con.execute(f"create or replace table {PUBLISHED_DOCS} (model varchar not null, "
                "column_name varchar, description varchar not null)")
    rows = []
    for model in sorted(set(marts)):
        mart = docs.get(model)
        if mart is None:
            continue
        if mart.description:
            rows.append([model, None, mart.description])
        rows.extend([model, column, text] for column, text in mart.columns.items() if text)
    if rows:
        con.executemany(f"insert into {PUBLISHED_DOCS} values (?, ?, ?)", rows)


@dataclass(frozen=True)
class MartDocs:
    """A mart's description and its columns' (column name -> description), from dbt's docs."""

    description: str
    columns: dict[str, str] = field(default_factory=dict)


def docs_from_manifest(manifest: Path, models: Sequence[str]) -> dict[str, MartDocs]:
    """The descriptions dbt's manifest holds for `models` (the models' ymls): model ->
    MartDocs, blank descriptions left out, text stripped. A model the manifest lacks is left
    out."""
    nodes = json.loads(Path(manifest).read_text())["nodes"].values()
    wanted = set(models)
    out: dict[str, MartDocs] = {}
    for node in nodes:
        if node.get("resource_type") != "model" or node.get("name") not in wanted:
            continue
        columns = {name: (col.get("description") or "").strip()
                   for name, col in (node.get("columns") or {}).items()}
        out[node["name"]] = MartDocs((node.get("description") or "").strip(),
                                     {k: v for k, v in columns.items() if v})
    return out


def mart_docs(con: duckdb.DuckDBPyConnection, marts: Sequence[str],
              catalog: str = "wh") -> dict[str, MartDocs]:
    """The descriptions recorded in the warehouse attached as `catalog` (PUBLISHED_DOCS) for
    `marts`; {} when none are recorded (a warehouse built before they were)."""
    schema, table = PUBLISHED_DOCS.split(".")
    recorded = con.execute(
        "select count(*) from information_schema.tables where table_catalog = ? "
        "and table_schema = ? and table_name = ?", [catalog, schema, table]).fetchone()[0]
    if not recorded:
        return {}
    wanted = set(marts)
    tables: dict[str, str] = {}
    columns: dict[str, dict[str, str]] = {}
    for model, column, text in con.execute(
            f"select model, column_name, description from {catalog}.{PUBLISHED_DOCS} "
            "order by model, column_name nulls first").fetchall():
        if model not in wanted:
            continue
        if column is None:
            tables[model] = text
        else:
            columns.setdefault(model, {})[column] = text
    return {m: MartDocs(tables.get(m, ""), columns.get(m, {}))
            for m in sorted(set(tables) | set(columns))}


def published_fingerprint(con: duckdb.DuckDBPyConnection, catalog: str,
                          marts: list[str]) -> str:
    """What decides whether a publish has anything new: the marts' content
    (:func:`content_fingerprint`) and, when the warehouse records them, their descriptions (a
    description edited in the ymls is published like a changed row)."""
    content = content_fingerprint(con, catalog, MART_SCHEMA, marts)
    docs = mart_docs(con, marts, catalog)
    if not docs:
        return content
    digest = hashlib.sha256(f"{content}\n{DOCS_SCHEME}".encode())
    for model, mart in sorted(docs.items()):
        digest.update(json.dumps([model, mart.description, sorted(mart.columns.items())])
                      .encode())
    return digest.hexdigest()


def mart_tables(con: duckdb.DuckDBPyConnection, catalog: str = "wh") -> list[str]:
    """The marts to publish: the published set recorded in the warehouse attached as `catalog`
    ([] when dbt has never built every mart). Raises when a mart of the set is missing."""
    schema, table = PUBLISHED_SET.split(".")
    recorded = con.execute(
        "select count(*) from information_schema.tables where table_catalog = ? "
        "and table_schema = ? and table_name = ?", [catalog, schema, table]).fetchone()[0]
    if not recorded:
        return []
    names = [r[0] for r in con.execute(
        f"select model from {catalog}.{PUBLISHED_SET} order by model").fetchall()]
    present = {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_catalog = ? "
        "and table_schema = ?", [catalog, MART_SCHEMA]).fetchall()}
    missing = [n for n in names if n not in present]
    if missing:
        raise RuntimeError(f"the published set names {len(missing)} marts the warehouse lacks "
                           f"({', '.join(missing[:5])}): build the dbt project again")
    return names


def new_version_id(run_id: str | None) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{(run_id or 'manual')[:8]}"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@contextlib.contextmanager
def _locked(publish_dir: Path) -> Iterator[None]:
    """One publish or restore at a time in a publish folder (an advisory lock on `.lock`)."""
    publish_dir.mkdir(parents=True, exist_ok=True)
    with open(publish_dir / LOCK_FILE, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def publish(
    warehouse: Path,
    publish_dir: Path,
    *,
    run_id: str | None = None,
    keep_versions: int = DEFAULT_KEEP_VERSIONS,
) -> PublishResult:
    """Copy the warehouse's marts into a new published version and make it current, unless
    their content equals the current version's (then nothing is written)."""
    if isinstance(keep_versions, bool) or not isinstance(keep_versions, int) or keep_versions < 1:
        raise ValueError(f"keep_versions must be an integer >= 1, got {keep_versions!r}")
    if not Path(warehouse).is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse}")
    with _locked(publish_dir):
        _recover(publish_dir)
        return _publish_locked(Path(warehouse), publish_dir, run_id, keep_versions)


def _publish_locked(warehouse, publish_dir, run_id, keep_versions) -> PublishResult:
    current_db = publish_dir / PUBLISHED_DB
    con = duckdb.connect()
    try:
        con.execute(f"attach {sql_str(str(warehouse))} as wh (read_only)")
        marts = mart_tables(con)
        if not marts:
            raise RuntimeError(
                f"{warehouse} has no marts to publish: {PUBLISHED_SET} is missing or empty "
                "(dbt records it after a whole, successful build; has it run?)"
            )
        content_hash = published_fingerprint(con, "wh", marts)
        current = _current_log_row(con, current_db)
        if (current is not None and current.get("content_hash") == content_hash
                and current["version"] == current_version(publish_dir)):
            return PublishResult(current["version"], current_db, publish_dir / PARQUET_LINK,
                                 published=False, content_hash=content_hash,
                                 row_counts=_json_or_legacy(current.get("row_counts"), int),
                                 newest_drop_dates=_json_or_legacy(
                                     current.get("newest_drop_dates"), str))
        version = new_version_id(run_id)
        result = PublishResult(version, current_db, publish_dir / PARQUET_LINK,
                               content_hash=content_hash)
        result.drop_dates, result.newest_drop_dates = _drop_dates(con)
        vdir = publish_dir / VERSIONS_DIR / version
        tmp = publish_dir / VERSIONS_DIR / f".{version}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            (tmp / PARQUET_LINK).mkdir(parents=True)
            _write_version(con, tmp, marts, result)
            _write_publish_log(con, tmp / PUBLISHED_DB, _log_sources(publish_dir), run_id,
                               result)
            os.replace(tmp, vdir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)  # nothing half-written is left behind
            raise
    finally:
        con.close()
    _test_pause()
    previous = current_version(publish_dir)
    _swap_in(publish_dir, vdir)
    try:
        _append_history(publish_dir, {
            "action": "publish", "version": version, "previous_version": previous,
            "run_id": run_id, "user": _user(), "content_hash": content_hash,
            "newest_drop_dates": result.newest_drop_dates,
            "rows": sum(result.row_counts.values()),
        })
    except OSError as exc:  # published all the same: say so rather than fail the run
        result.warnings.append(f"version {version} is published but {HISTORY_FILE} could not "
                               f"be appended: {exc}")
    prune_versions(publish_dir, keep_versions)
    return result


def content_fingerprint(con: duckdb.DuckDBPyConnection, catalog: str, schema: str,
                        tables: list[str]) -> str:
    """sha256 over every table's name, column names and types, row count and an
    order-independent hash of its rows (sum and bit_xor of the row hashes), computed in DuckDB.
    DOUBLE/FLOAT values are rounded to 9 significant digits and |x| < 1e-9 counts as 0."""
    columns: dict[str, list[tuple[str, str]]] = {t: [] for t in tables}
    for table, column, data_type in con.execute(
        "select table_name, column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? order by table_name, column_index",
        [catalog, schema],
    ).fetchall():
        if table in columns:
            columns[table].append((column, data_type))
    digest = hashlib.sha256(HASH_SCHEME.encode())
    parts = []
    for table in tables:
        exprs = [_normalized(_ident(c), t) for c, t in columns[table]]
        parts.append(
            f"select {sql_str(table)} as t, count(*) as n, coalesce(sum(h), 0) as s, "
            f"coalesce(bit_xor(h), 0) as x from (select hash({', '.join(exprs)}) as h "
            f"from {_ident(catalog)}.{_ident(schema)}.{_ident(table)})"
        )
    stats = {t: (n, s, x) for t, n, s, x in con.execute(" union all ".join(parts)).fetchall()}
    for table in tables:
        schema_text = ",".join(f"{c} {t}" for c, t in columns[table])
        n, s, x = stats[table]
        digest.update(f"\n{table}({schema_text}) rows={n} sum={s} xor={x}".encode())
    return digest.hexdigest()


def _normalized(column: str, data_type: str) -> str:
    if data_type in ("DOUBLE", "FLOAT"):
        return f"case when abs({column}) < 1e-9 then '0' else printf('%.9g', {column}) end"
    return column


def _drop_dates(con) -> tuple[dict[str, list[str]], dict[str, str]]:
    has_ledger = con.execute(
        "select count(*) from information_schema.tables where table_catalog = 'wh' "
        "and table_schema = 'raw' and table_name = 'load_drops'"
    ).fetchone()[0]
    if not has_ledger:
        return {}, {}
    rows = con.execute(
        "select system, list(distinct drop_date order by drop_date) "
        "from wh.raw.load_drops group by 1 order by 1"
    ).fetchall()
    every = {system: [d.isoformat() for d in dates] for system, dates in rows}
    return every, {system: dates[-1] for system, dates in every.items() if dates}


def _write_version(con, tmp: Path, marts: list[str], result: PublishResult) -> None:
    con.execute(f"attach {sql_str(str(tmp / PUBLISHED_DB))} as pub "
                f"(storage_version {sql_str(PUBLISHED_STORAGE_VERSION)})")
    try:
        docs = mart_docs(con, marts)
        for mart in marts:
            _copy_mart(con, mart, tmp / PARQUET_LINK / f"{mart}.parquet")
            result.row_counts[mart] = con.execute(
                f"select count(*) from pub.main.{_ident(mart)}").fetchone()[0]
            if mart in docs:
                _comment(con, mart, docs[mart])
    finally:
        con.execute("detach pub")


def _copy_mart(con, mart: str, parquet: Path) -> None:
    con.execute(f"create table pub.main.{_ident(mart)} as "
                f"select * from wh.{MART_SCHEMA}.{_ident(mart)}")
    con.execute(f"copy pub.main.{_ident(mart)} to {sql_str(str(parquet))} "
                "(format parquet, compression zstd)")


def _comment(con, table: str, docs: MartDocs) -> None:
    """The descriptions as COMMENT ON the published table `pub.main.<table>` and its columns
    (`create table as select` copies none); a described column the table lacks is skipped."""
    target = f"pub.main.{_ident(table)}"
    if docs.description:
        con.execute(f"comment on table {target} is {sql_str(docs.description)}")
    present = {r[0].lower(): r[0] for r in con.execute(
        "select column_name from duckdb_columns() where database_name = 'pub' "
        "and schema_name = 'main' and table_name = ?", [table]).fetchall()}
    for column, text in docs.columns.items():
        name = present.get(column.lower())
        if name is not None and text:
            con.execute(f"comment on column {target}.{_ident(name)} is {sql_str(text)}")


def _log_sources(publish_dir: Path) -> list[Path]:
    """Where the new publish_log's history comes from: the current database, and the newest
    kept version (after a restore it knows the versions published after the restored one)."""
    sources = [publish_dir / PUBLISHED_DB]
    kept = versions(publish_dir)
    if kept:
        sources.append(publish_dir / VERSIONS_DIR / kept[-1] / PUBLISHED_DB)
    return [p for p in sources if p.is_file()]


def _read_log_rows(con, db: Path) -> list[dict]:
    """The publish_log rows of a published database (any older layout), as dicts."""
    con.execute(f"attach {sql_str(str(db))} as prev (read_only)")
    try:
        cols = [r[0] for r in con.execute(
            "select column_name from duckdb_columns() where database_name = 'prev' "
            "and schema_name = 'main' and table_name = 'publish_log' order by column_index"
        ).fetchall()]
        if not cols:
            return []
        cur = con.execute(f"select {', '.join(_ident(c) for c in cols)} from prev.main.publish_log")
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.execute("detach prev")


def _current_log_row(con, current_db: Path) -> dict | None:
    """The current version's own publish_log row (the newest row of the current database)."""
    if not current_db.is_file():
        return None
    rows = _read_log_rows(con, current_db)
    if not rows:
        return None
    return max(rows, key=lambda r: (r.get("published_at") or dt.datetime.min, r["version"]))


def current_log_entry(publish_dir: Path) -> dict | None:
    """The current version's publish_log row (in the current layout, whatever layout wrote
    it), or None before the first publish."""
    con = duckdb.connect()
    try:
        row = _current_log_row(con, Path(publish_dir) / PUBLISHED_DB)
    finally:
        con.close()
    return _upgrade_log_row(row) if row is not None else None


def _json_or_legacy(value, cast) -> dict:
    """A JSON object column, or the first layout's "k=v, k=v" text."""
    if value is None or value == "":
        return {}
    try:
        parsed = json.loads(value)
        return parsed if isinstance(parsed, dict) else {}
    except (TypeError, ValueError):
        pairs = (item.split("=", 1) for item in str(value).split(", ") if "=" in item)
        return {k: cast(v) for k, v in pairs}


def _upgrade_log_row(row: dict) -> dict:
    """A publish_log row from any earlier layout in the current one."""
    out = {name: row.get(name) for name, _ in LOG_COLUMNS}
    newest = row.get("newest_drop_dates")
    if newest is None and row.get("drop_dates") is not None:
        legacy = _json_or_legacy(row["drop_dates"], str)
        if legacy and all(isinstance(v, str) for v in legacy.values()):  # the first layout
            out["newest_drop_dates"] = json.dumps(legacy, sort_keys=True)
            out["drop_dates"] = None
    if out["row_counts"] is not None:
        out["row_counts"] = json.dumps(_json_or_legacy(out["row_counts"], int), sort_keys=True)
    return out


def _write_publish_log(con, new_db: Path, sources: list[Path], run_id, result) -> None:
    rows: dict[str, dict] = {}
    for db in sources:
        for row in _read_log_rows(con, db):
            rows.setdefault(row["version"], _upgrade_log_row(row))
    rows[result.version] = {
        "version": result.version,
        "run_id": run_id,
        "published_at": _utcnow(),
        "drop_dates": json.dumps(result.drop_dates, sort_keys=True),
        "newest_drop_dates": json.dumps(result.newest_drop_dates, sort_keys=True),
        "row_counts": json.dumps(result.row_counts, sort_keys=True),
        "content_hash": result.content_hash,
    }
    ordered = sorted(rows.values(),
                     key=lambda r: (r["published_at"] or dt.datetime.min, r["version"]))
    con.execute(f"attach {sql_str(str(new_db))} as pub")
    try:
        ddl = ", ".join(f"{name} {sql_type}" for name, sql_type in LOG_COLUMNS)
        con.execute(f"create table pub.main.publish_log ({ddl})")
        con.executemany(
            f"insert into pub.main.publish_log values ({', '.join('?' for _ in LOG_COLUMNS)})",
            [[r[name] for name, _ in LOG_COLUMNS] for r in ordered],
        )
        _comment(con, PUBLISH_LOG, MartDocs(LOG_DESCRIPTION, LOG_COLUMN_DESCRIPTIONS))
    finally:
        con.execute("detach pub")


def _swap_in(publish_dir: Path, vdir: Path) -> None:
    """Make `vdir` current: one rename for the database, one for the parquet symlink."""
    staged_db = publish_dir / f".{PUBLISHED_DB}.{vdir.name}"
    staged_link = publish_dir / f".{PARQUET_LINK}.{vdir.name}"
    try:
        if staged_db.exists():
            staged_db.unlink()
        os.link(vdir / PUBLISHED_DB, staged_db)
        os.replace(staged_db, publish_dir / PUBLISHED_DB)
        if staged_link.is_symlink() or staged_link.exists():
            staged_link.unlink()
        staged_link.symlink_to(Path(VERSIONS_DIR) / vdir.name / PARQUET_LINK)
        link = publish_dir / PARQUET_LINK
        if link.exists() and not link.is_symlink():
            shutil.rmtree(link)
        os.replace(staged_link, link)
    finally:
        for staged in (staged_db, staged_link):
            if staged.is_symlink() or staged.exists():
                staged.unlink()


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _append_history(publish_dir: Path, entry: dict) -> None:
    """One JSON line per publish or restore in publish_history.jsonl (appended, fsynced)."""
    line = json.dumps({"time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **entry},
                      sort_keys=False) + "\n"
    fd = os.open(publish_dir / HISTORY_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def history(publish_dir: Path) -> list[dict]:
    """Every publish and restore recorded in publish_history.jsonl, oldest first."""
    path = publish_dir / HISTORY_FILE
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def versions(publish_dir: Path) -> list[str]:
    root = publish_dir / VERSIONS_DIR
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def current_version(publish_dir: Path) -> str | None:
    link = publish_dir / PARQUET_LINK
    return Path(os.readlink(link)).parent.name if link.is_symlink() else None


def list_versions(publish_dir: Path) -> list[VersionInfo]:
    """The kept versions, oldest first, each described by its own publish_log row."""
    current = current_version(publish_dir)
    out = []
    con = duckdb.connect()
    try:
        for name in versions(publish_dir):
            db = publish_dir / VERSIONS_DIR / name / PUBLISHED_DB
            try:
                rows = _read_log_rows(con, db) if db.is_file() else []
            except duckdb.Error:
                rows = []  # listed all the same, without its details
            own = next((r for r in rows if r["version"] == name), {})
            own = _upgrade_log_row(own) if own else {}
            out.append(VersionInfo(
                version=name,
                current=name == current,
                run_id=own.get("run_id"),
                published_at=own.get("published_at"),
                newest_drop_dates=_json_or_legacy(own.get("newest_drop_dates"), str),
                row_counts=_json_or_legacy(own.get("row_counts"), int),
            ))
    finally:
        con.close()
    return out


def prune_versions(publish_dir: Path, keep: int) -> None:
    """Keep the newest `keep` versions (and the current one, after a restore)."""
    if keep < 1:
        raise ValueError(f"keep must be >= 1, got {keep}")
    current = current_version(publish_dir)
    for name in versions(publish_dir)[:-keep]:
        if name != current:
            shutil.rmtree(publish_dir / VERSIONS_DIR / name, ignore_errors=True)
    _remove_leftovers(publish_dir)


def _remove_leftovers(publish_dir: Path) -> None:
    """Temporary version folders and staged swap files of a publish or restore that was
    killed half-way (callers hold the lock: none is in use)."""
    if (publish_dir / VERSIONS_DIR).is_dir():
        for leftover in (publish_dir / VERSIONS_DIR).glob(".*.tmp"):
            shutil.rmtree(leftover, ignore_errors=True)
    for pattern in (f".{PUBLISHED_DB}.*", f".{PARQUET_LINK}.*"):
        for staged in publish_dir.glob(pattern):
            if staged.is_dir() and not staged.is_symlink():
                shutil.rmtree(staged, ignore_errors=True)
            else:
                staged.unlink(missing_ok=True)


def _recover(publish_dir: Path) -> None:
    """Put right what a publish or restore killed half-way left, before the next one starts
    (under the lock). The current version is never touched:

    - a temporary version folder, a staged swap file: removed;
    - a swap killed between its two renames (salesops.duckdb already the new version, the
      `parquet` link still the old one): finished, and recorded in publish_history.jsonl;
    - a complete version folder that was never made current (killed between writing it and
      the swap: newer than the current version, in no history entry): removed, so that it is
      neither listed nor carried into the next publish_log.
    """
    if not (publish_dir / VERSIONS_DIR).is_dir():
        return
    _remove_leftovers(publish_dir)
    current = current_version(publish_dir)
    db_version = _version_of_current_db(publish_dir)
    if db_version is not None and db_version != current:
        _swap_in(publish_dir, publish_dir / VERSIONS_DIR / db_version)
        entry = {"action": "publish" if current is None or db_version > current else "restore",
                 "version": db_version, "previous_version": current, "run_id": None,
                 "user": _user(), "recovered": "swap finished by the next publish or restore"}
        try:
            _append_history(publish_dir, entry)
        except OSError:
            pass  # the swap is finished all the same; the audit line is what is missing
        current = db_version
    recorded = _recorded_versions(publish_dir)
    if recorded is None:
        return  # an unreadable history: remove nothing that might have been published
    for name in versions(publish_dir):
        if name != current and (current is None or name > current) and name not in recorded:
            shutil.rmtree(publish_dir / VERSIONS_DIR / name, ignore_errors=True)


def _version_of_current_db(publish_dir: Path) -> str | None:
    """The kept version whose database salesops.duckdb is (the same file: a hard link)."""
    db = publish_dir / PUBLISHED_DB
    if not db.is_file():
        return None
    for name in reversed(versions(publish_dir)):
        candidate = publish_dir / VERSIONS_DIR / name / PUBLISHED_DB
        with contextlib.suppress(OSError):
            if (publish_dir / VERSIONS_DIR / name / PARQUET_LINK).is_dir() and os.path.samefile(
                    candidate, db):
                return name
    return None


def _recorded_versions(publish_dir: Path) -> set[str] | None:
    """Every version publish_history.jsonl names (published, restored or replaced), or None
    when a line can't be read."""
    try:
        entries = history(publish_dir)
    except (OSError, ValueError):
        return None
    names: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict):
            return None
        names.update(v for v in (entry.get("version"), entry.get("previous_version")) if v)
    return names


def _test_pause() -> None:
    """Test-only: see TEST_PAUSE_VAR."""
    seconds = Settings.from_env().test_publish_pause_seconds
    if seconds:
        time.sleep(seconds)


def restore(publish_dir: Path, version: str, *, user: str | None = None) -> str | None:
    """Make an earlier version current again (database and parquet) and record it in
    publish_history.jsonl. Returns the version that was current before (the same version when
    it already was current: then nothing changes and nothing is recorded)."""
    with _locked(publish_dir):
        _recover(publish_dir)
        vdir = publish_dir / VERSIONS_DIR / version
        if (version.startswith(".") or "/" in version or not (vdir / PUBLISHED_DB).is_file()
                or not (vdir / PARQUET_LINK).is_dir()):
            raise FileNotFoundError(
                f"no published version {version!r}; have: {versions(publish_dir)}")
        previous = current_version(publish_dir)
        if previous == version:
            return previous  # already current: nothing swapped, nothing recorded
        _swap_in(publish_dir, vdir)
        try:
            _append_history(publish_dir, {"action": "restore", "version": version,
                                          "previous_version": previous, "run_id": None,
                                          "user": user or _user()})
        except OSError as exc:
            raise RuntimeError(f"version {version} is current again, but the restore could not "
                               f"be recorded in {publish_dir / HISTORY_FILE}: {exc}") from exc
        return previous
