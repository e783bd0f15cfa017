"""Publishing the KPI marts where BI tools read them, without ever showing a half-written state.

Layout of the publish folder (SALESOPS_PUBLISH_DIR):

    salesops.duckdb                 the current version (BI tools open this, read-only)
    parquet -> versions/<v>/parquet the current version's marts as <mart>.parquet (a symlink)
    versions/<v>/                   the last N versions (salesops.duckdb + parquet/)

A new version is written completely under `versions/<v>/` first; then `salesops.duckdb` is
replaced by one `rename` (atomic on POSIX: a reader has the old file or the new one, never a mix,
and a reader that has the old one open keeps reading it) and the `parquet` symlink is swapped the
same way. The warehouse is only read (attached read-only), so the pipeline's write lock and the
BI tools never meet. Every version's database carries `publish_log`, the history of publishes.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

PUBLISHED_DB = "salesops.duckdb"
PARQUET_LINK = "parquet"
VERSIONS_DIR = "versions"
MART_SCHEMA = "marts"
MART_PREFIX = "kpi_"
DEFAULT_KEEP_VERSIONS = 7


@dataclass
class PublishResult:
    version: str
    database: Path
    parquet_dir: Path
    row_counts: dict[str, int] = field(default_factory=dict)
    drop_dates: dict[str, str] = field(default_factory=dict)


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def mart_tables(con: duckdb.DuckDBPyConnection, catalog: str = "wh") -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_catalog = ? "
        "and table_schema = ? and table_name like ? order by table_name",
        [catalog, MART_SCHEMA, MART_PREFIX + "%"],
    ).fetchall()
    return [r[0] for r in rows]


def new_version_id(run_id: str | None) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{(run_id or 'manual')[:8]}"


def publish(
    warehouse: Path,
    publish_dir: Path,
    *,
    run_id: str | None = None,
    keep_versions: int = DEFAULT_KEEP_VERSIONS,
) -> PublishResult:
    """Copy the warehouse's marts into a new published version and make it current."""
    publish_dir.mkdir(parents=True, exist_ok=True)
    version = new_version_id(run_id)
    vdir = publish_dir / VERSIONS_DIR / version
    tmp = publish_dir / VERSIONS_DIR / f".{version}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / PARQUET_LINK).mkdir(parents=True)
    result = PublishResult(version, publish_dir / PUBLISHED_DB, publish_dir / PARQUET_LINK)

    try:
        _write_version(warehouse, publish_dir, tmp, version, run_id, result)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # nothing half-written is left behind
        raise
    os.replace(tmp, vdir)
    _swap_in(publish_dir, vdir)
    prune_versions(publish_dir, keep_versions)
    return result


def _write_version(warehouse, publish_dir, tmp, version, run_id, result: PublishResult) -> None:
    con = duckdb.connect()
    try:
        con.execute(f"attach {_sql_str(str(warehouse))} as wh (read_only)")
        con.execute(f"attach {_sql_str(str(tmp / PUBLISHED_DB))} as pub")
        marts = mart_tables(con)
        if not marts:
            raise RuntimeError(f"{warehouse} has no {MART_SCHEMA}.{MART_PREFIX}* tables to publish")
        for mart in marts:
            con.execute(f"create table pub.main.{mart} as select * from wh.{MART_SCHEMA}.{mart}")
            count = con.execute(f"select count(*) from pub.main.{mart}").fetchone()
            result.row_counts[mart] = count[0]
            target = tmp / PARQUET_LINK / f"{mart}.parquet"
            con.execute(
                f"copy pub.main.{mart} to {_sql_str(str(target))} "
                "(format parquet, compression zstd)"
            )
        result.drop_dates = {
            system: str(newest)
            for system, newest in con.execute(
                "select system, max(drop_date) from wh.raw.load_drops group by 1 order by 1"
            ).fetchall()
        }
        _write_publish_log(con, publish_dir / PUBLISHED_DB, version, run_id, result)
        con.execute("detach pub")
        con.execute("detach wh")
    finally:
        con.close()


def _write_publish_log(con, current_db: Path, version, run_id, result: PublishResult) -> None:
    con.execute(
        """create table pub.main.publish_log (
            version varchar not null, run_id varchar, published_at timestamp not null,
            drop_dates varchar not null, row_counts varchar not null)"""
    )
    if current_db.exists():
        con.execute(f"attach {_sql_str(str(current_db))} as prev (read_only)")
        try:
            has_log = con.execute(
                "select count(*) from information_schema.tables where table_catalog = 'prev' "
                "and table_name = 'publish_log'"
            ).fetchone()[0]
            if has_log:
                con.execute("insert into pub.main.publish_log select * from prev.main.publish_log")
        finally:
            con.execute("detach prev")
    con.execute(
        "insert into pub.main.publish_log values (?, ?, ?, ?, ?)",
        [
            version,
            run_id,
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
            ", ".join(f"{k}={v}" for k, v in sorted(result.drop_dates.items())),
            ", ".join(f"{k}={v}" for k, v in sorted(result.row_counts.items())),
        ],
    )


def _swap_in(publish_dir: Path, vdir: Path) -> None:
    """Make `vdir` current: one rename for the database, one for the parquet symlink."""
    staged_db = publish_dir / f".{PUBLISHED_DB}.{vdir.name}"
    if staged_db.exists():
        staged_db.unlink()
    os.link(vdir / PUBLISHED_DB, staged_db)
    os.replace(staged_db, publish_dir / PUBLISHED_DB)
    staged_link = publish_dir / f".{PARQUET_LINK}.{vdir.name}"
    if staged_link.is_symlink() or staged_link.exists():
        staged_link.unlink()
    staged_link.symlink_to(Path(VERSIONS_DIR) / vdir.name / PARQUET_LINK)
    link = publish_dir / PARQUET_LINK
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)
    os.replace(staged_link, link)


def versions(publish_dir: Path) -> list[str]:
    root = publish_dir / VERSIONS_DIR
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def current_version(publish_dir: Path) -> str | None:
    link = publish_dir / PARQUET_LINK
    return Path(os.readlink(link)).parent.name if link.is_symlink() else None


def prune_versions(publish_dir: Path, keep: int) -> None:
    current = current_version(publish_dir)
    old = versions(publish_dir)[: -max(keep, 1)]
    for name in old:
        if name != current:
            shutil.rmtree(publish_dir / VERSIONS_DIR / name, ignore_errors=True)
    for leftover in (publish_dir / VERSIONS_DIR).glob(".*.tmp"):
        shutil.rmtree(leftover, ignore_errors=True)


def restore(publish_dir: Path, version: str) -> None:
    """Make an earlier version current again."""
    vdir = publish_dir / VERSIONS_DIR / version
    if not (vdir / PUBLISHED_DB).is_file():
        raise FileNotFoundError(f"no published version {version!r}; have: {versions(publish_dir)}")
    _swap_in(publish_dir, vdir)
