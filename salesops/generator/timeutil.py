"""Time arithmetic on integer epoch milliseconds (UTC) and epoch days, scalar and vectorised.

Everything the generator simulates is an int64 millisecond timestamp; dates are int day numbers.
Business hours are 08:00-18:00 local time, Monday to Friday, in the person's region's UTC offset.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

SECOND_MS = 1_000
MINUTE_MS = 60_000
HOUR_MS = 3_600_000
DAY_MS = 86_400_000
OPEN_HOUR = 8
CLOSE_HOUR = 18
NULL_MS = np.iinfo(np.int64).min  # NaT when viewed as datetime64[ms]
NULL_DAY = np.iinfo(np.int64).min
_EPOCH = dt.date(1970, 1, 1)


def day_number(d: dt.date) -> int:
    return (d - _EPOCH).days


def date_of(day: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(day))


def weekday(day: int) -> int:
    """Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday)."""
    return (int(day) + 3) % 7


def month_start(year: int, month: int) -> int:
    return day_number(dt.date(year, month, 1))


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + month - 1 + n
    return k // 12, k % 12 + 1


def ym_of_day(day: int) -> tuple[int, int]:
    d = date_of(day)
    return d.year, d.month


def month_end(day: int) -> int:
    y, m = ym_of_day(day)
    ny, nm = add_months(y, m, 1)
    return month_start(ny, nm) - 1


def quarter_end(day: int) -> int:
    y, m = ym_of_day(day)
    qm = ((m - 1) // 3) * 3 + 3
    return month_end(month_start(y, qm))


def months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    out = []
    y, m = first
    while (y, m) <= last:
        out.append((y, m))
        y, m = add_months(y, m, 1)
    return out


def snap_business(ms: int, tz_hours: int) -> int:
    """The first business-hours instant at or after `ms` (a little after opening if it moves)."""
    local = ms + tz_hours * HOUR_MS
    day, rem = divmod(local, DAY_MS)
    jitter = (local // SECOND_MS) % 5400 * SECOND_MS  # up to 90 minutes, derived from ms
    if rem < OPEN_HOUR * HOUR_MS:
        rem = OPEN_HOUR * HOUR_MS + jitter
    elif rem >= CLOSE_HOUR * HOUR_MS:
        day += 1
        rem = OPEN_HOUR * HOUR_MS + jitter
    while weekday(day) >= 5:
        day += 1
        rem = OPEN_HOUR * HOUR_MS + jitter
    out = day * DAY_MS + rem - tz_hours * HOUR_MS
    return out - out % SECOND_MS


def snap_business_v(ms: np.ndarray, tz_hours: np.ndarray) -> np.ndarray:
    """Vectorised `snap_business`."""
    ms = np.asarray(ms, dtype=np.int64)
    off = np.asarray(tz_hours, dtype=np.int64) * HOUR_MS
    local = ms + off
    day, rem = np.divmod(local, DAY_MS)
    jitter = (local // SECOND_MS) % 5400 * SECOND_MS
    early = rem < OPEN_HOUR * HOUR_MS
    late = rem >= CLOSE_HOUR * HOUR_MS
    rem = np.where(early | late, OPEN_HOUR * HOUR_MS + jitter, rem)
    day = day + late
    wd = (day + 3) % 7
    weekend = wd >= 5
    day = day + np.where(weekend, 7 - wd, 0)
    rem = np.where(weekend, OPEN_HOUR * HOUR_MS + jitter, rem)
    out = day * DAY_MS + rem - off
    return out - out % SECOND_MS


def local_time_v(day: np.ndarray, hour: np.ndarray, tz_hours: np.ndarray) -> np.ndarray:
    """UTC ms of local `day` (epoch day) at fractional local `hour`, whole seconds."""
    ms = np.asarray(day, np.int64) * DAY_MS + (np.asarray(hour) * HOUR_MS).astype(np.int64)
    ms = ms - np.asarray(tz_hours, np.int64) * HOUR_MS
    return ms - ms % SECOND_MS


def utc_day(ms: np.ndarray | int) -> np.ndarray | int:
    return np.floor_divide(ms, DAY_MS)


def fmt_datetime(ms: int) -> str:
    return str(np.datetime64(int(ms), "ms")) + "Z"


def fmt_date(day: int) -> str:
    return date_of(day).isoformat()


def month_index_v(ms: np.ndarray) -> np.ndarray:
    """Months since 2000-01 (see ids.month_index) of epoch-ms timestamps."""
    months = np.asarray(ms, np.int64).view("datetime64[ms]").astype("datetime64[M]")
    return months.astype(np.int64) - 360
