"""Run-time parameters of the expectation suites: the as-of date, drop age and volume bands.

A suite refers to them as ``{"$PARAMETER": "<name>"}`` or ``${<name>}`` (see
:mod:`salesops.quality.suite`). The names:

``as_of_date``
    The day the data should be fresh for (``YYYY-MM-DD``): ``SALESOPS_AS_OF_DATE``, by default
    today in UTC. Pin it to replay history (the bundled demo sample is dated 2026-10-31).
``max_drop_age_days``
    How many days the newest drop of a system may be older than ``as_of_date``:
    ``SALESOPS_MAX_DROP_AGE_DAYS``, default 2 (a nightly feed may miss one night).
``previous_row_count``
    The table's row count in the current published version (``None`` before the first publish).
``volume_min`` / ``volume_max``
    The band around ``previous_row_count`` a published mart's row count must stay in:
    ``floor(previous × (1 − band))`` and ``ceil(previous × (1 + band))`` with the suite's
    ``meta.volume_band`` (default 0.5). Without a previous count (or from 0 rows) the band is
    open: 0 and ``None``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

DEFAULT_MAX_DROP_AGE_DAYS = 2
DEFAULT_VOLUME_BAND = 0.5
PUBLISHED_DB = "salesops.duckdb"


class ParameterError(ValueError):
    """A run-time parameter is set to something unusable."""


@dataclass(frozen=True)
class RunParameters:
    as_of_date: dt.date
    max_drop_age_days: int = DEFAULT_MAX_DROP_AGE_DAYS
    previous_row_counts: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_env(cls, publish_dir: Path | None = None) -> RunParameters:
        return cls(
            as_of_date=as_of_date_from_env(),
            max_drop_age_days=_int_env("SALESOPS_MAX_DROP_AGE_DAYS", DEFAULT_MAX_DROP_AGE_DAYS),
            previous_row_counts=published_row_counts(publish_dir) if publish_dir else {},
        )

    def for_suite(self, table: str, meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The parameters of the suite of ``table`` (``schema.table``)."""
        band = (meta or {}).get("volume_band", DEFAULT_VOLUME_BAND)
        if not isinstance(band, int | float) or band < 0:
            raise ParameterError(f"meta.volume_band of {table} must be a number >= 0, not {band!r}")
        previous = self.previous_row_counts.get(table.rpartition(".")[2])
        if previous:
            low, high = math.floor(previous * (1 - band)), math.ceil(previous * (1 + band))
        else:
            low, high = 0, None
        return {
            "as_of_date": self.as_of_date.isoformat(),
            "max_drop_age_days": self.max_drop_age_days,
            "previous_row_count": previous,
            "volume_min": max(low, 0),
            "volume_max": high,
        }


def as_of_date_from_env() -> dt.date:
    value = os.environ.get("SALESOPS_AS_OF_DATE", "").strip()
    if not value:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ParameterError(f"SALESOPS_AS_OF_DATE must be YYYY-MM-DD, not {value!r}") from exc


def _int_env(var: str, default: int) -> int:
    value = os.environ.get(var, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ParameterError(f"{var} must be a whole number of days >= 0, not {value!r}")
    return number


def published_row_counts(publish_dir: Path) -> dict[str, int]:
    """Rows per mart in the current published version (empty before the first publish)."""
    database = Path(publish_dir) / PUBLISHED_DB
    if not database.is_file():
        return {}
    con = duckdb.connect(str(database), read_only=True)
    try:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "and table_name like 'kpi\\_%' escape '\\'"
        ).fetchall()
        # Counted, not read from publish_log: the current file is the truth (also after a restore).
        return {t: con.execute(f"select count(*) from main.{t}").fetchone()[0] for (t,) in tables}
    finally:
        con.close()

