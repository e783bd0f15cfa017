"""Run-time parameters of the expectation suites: as-of date, drop age, volume bands, drop range.

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
``drop_date_from`` / ``drop_date_to``
    The drop dates (``YYYY-MM-DD``, inclusive) the run loaded: the run's partition range. The
    raw suites validate only those drops' rows (``{batch}`` is ``raw.<table>`` restricted to
    ``_drop_date between drop_date_from and drop_date_to``), and their SQL that reads the load
    ledger (``raw.load_files``, ``raw.quarantine``) per drop restricts it to the same dates, so
    the ledger rows of other drops don't show up as mismatches. Without a range (a run without
    partitions, a hand run) the whole tables are validated and the parameters are
    ``0001-01-01`` and ``9999-12-31``: every drop.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from salesops.publish import PUBLISH_LOG, PUBLISHED_DB
from salesops.settings import DEFAULT_MAX_DROP_AGE_DAYS, Settings

ALL_DROPS = (dt.date(1, 1, 1), dt.date(9999, 12, 31))
"""``drop_date_from`` / ``drop_date_to`` of a run without a drop range: every drop."""
DEFAULT_VOLUME_BAND = 0.5


class ParameterError(ValueError):
    """A run-time parameter is set to something unusable."""


@dataclass(frozen=True)
class RunParameters:
    as_of_date: dt.date
    max_drop_age_days: int = DEFAULT_MAX_DROP_AGE_DAYS
    previous_row_counts: Mapping[str, int] = field(default_factory=dict)
    drop_date_from: dt.date | None = None
    drop_date_to: dt.date | None = None
    """The run's drop dates (inclusive); both None: no range, the raw suites check everything."""

    def __post_init__(self) -> None:
        first, last = self.drop_date_from, self.drop_date_to
        if (first is None) != (last is None):
            raise ParameterError(
                f"drop_date_from and drop_date_to are set together, not {first!r} and {last!r}"
            )
        if first is not None and last is not None:
            check_drop_range(first, last)

    @classmethod
    def from_settings(
        cls, settings: Settings, drop_dates: tuple[dt.date, dt.date] | None = None
    ) -> RunParameters:
        """The parameters of a run on `settings` (the published version's row counts are read
        from its publish folder) over `drop_dates` (None: every drop)."""
        first, last = drop_dates if drop_dates is not None else (None, None)
        try:
            as_of_date, max_drop_age_days = settings.as_of_date, settings.max_drop_age_days
        except ValueError as exc:
            raise ParameterError(str(exc)) from None
        return cls(
            as_of_date=as_of_date,
            max_drop_age_days=max_drop_age_days,
            previous_row_counts=published_row_counts(settings.publish_dir),
            drop_date_from=first,
            drop_date_to=last,
        )

    @property
    def drop_dates(self) -> tuple[dt.date, dt.date] | None:
        """The run's drop range (inclusive), or None: every drop."""
        if self.drop_date_from is None or self.drop_date_to is None:
            return None
        return self.drop_date_from, self.drop_date_to

    @property
    def raw_scope(self) -> str:
        """What the raw suites validate, in words: ``drops <from>..<to>`` or ``whole table``."""
        return scope_text(self.drop_dates)

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
        first, last = self.drop_dates or ALL_DROPS
        return {
            "as_of_date": self.as_of_date.isoformat(),
            "max_drop_age_days": self.max_drop_age_days,
            "previous_row_count": previous,
            "volume_min": max(low, 0),
            "volume_max": high,
            "drop_date_from": first.isoformat(),
            "drop_date_to": last.isoformat(),
        }


def check_drop_range(first: Any, last: Any) -> None:
    """Raise :class:`ParameterError` unless ``first``..``last`` is a range of dates."""
    if not isinstance(first, dt.date) or not isinstance(last, dt.date):
        raise ParameterError(f"a drop range is two dates, not {first!r}..{last!r}")
    if first > last:
        raise ParameterError(f"the drop range {first}..{last} ends before it starts")


def scope_text(drop_dates: tuple[dt.date, dt.date] | None) -> str:
    """``drops 2026-10-31..2026-10-31`` for a drop range, ``whole table`` without one."""
    if drop_dates is None:
        return "whole table"
    return f"drops {drop_dates[0].isoformat()}..{drop_dates[1].isoformat()}"


def published_row_counts(publish_dir: Path) -> dict[str, int]:
    """Rows per mart in the current published version (empty before the first publish)."""
    database = Path(publish_dir) / PUBLISHED_DB
    if not database.is_file():
        return {}
    con = duckdb.connect(str(database), read_only=True)
    try:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "and table_name <> ?", [PUBLISH_LOG]
        ).fetchall()
        # Counted, not read from publish_log: the current file is the truth (also after a restore).
        return {t: con.execute(f"select count(*) from main.{t}").fetchone()[0] for (t,) in tables}
    finally:
        con.close()

