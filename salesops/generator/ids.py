"""Salesforce record Ids: 15-character base Ids with the 3-character case-safe suffix (18 chars).

An Id is `<key prefix><pod><reserved><9 base-62 digits>`; the suffix encodes, for each block of
five characters, which ones are upper-case. Record numbers are allocated per object and per month
of creation, so Ids grow with creation time the way real ones do.
"""

from __future__ import annotations

import numpy as np

_BASE62 = np.frombuffer(
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8
)
_SUFFIX = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", dtype=np.uint8)
_POD = b"5g0"

PREFIX = {
    "User": "005",
    "UserRole": "00E",
    "Account": "001",
    "Contact": "003",
    "Lead": "00Q",
    "Opportunity": "006",
    "OpportunityHistory": "008",
    "Task": "00T",
    "Event": "00U",
    "ForecastingQuota": "0J9",
    "DatedConversionRate": "04w",
    "LoginHistory": "0Ya",
}

_MONTH_STRIDE = 100_000_000  # record numbers available per object and month
_BASE_NUMBER = 1_000_000_000


def sf_ids(prefix: str, nums: np.ndarray) -> np.ndarray:
    """18-character Ids for record numbers `nums` (int64 >= 0); returns a `<U18` array."""
    nums = np.asarray(nums, dtype=np.int64)
    n = len(nums)
    buf = np.empty((n, 18), dtype=np.uint8)
    buf[:, :3] = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    buf[:, 3:6] = np.frombuffer(_POD, dtype=np.uint8)
    rest = nums.copy()
    for pos in range(14, 5, -1):
        buf[:, pos] = _BASE62[rest % 62]
        rest //= 62
    upper = (buf[:, :15] >= ord("A")) & (buf[:, :15] <= ord("Z"))
    weights = (1 << np.arange(5)).astype(np.uint8)
    for block in range(3):
        bits = (upper[:, block * 5 : block * 5 + 5] * weights).sum(axis=1)
        buf[:, 15 + block] = _SUFFIX[bits]
    return buf.view("S18").ravel().astype("U18")


def sf_id(prefix: str, num: int) -> str:
    return str(sf_ids(prefix, np.array([num]))[0])


def month_index(year: int, month: int) -> int:
    """Months since 2000-01: the block of record numbers a record created in that month uses."""
    return (year - 2000) * 12 + month - 1


class IdAllocator:
    """Hands out record numbers per month of creation, deterministically in call order."""

    def __init__(self) -> None:
        self._next: dict[int, int] = {}

    def alloc(self, month_idx: int, n: int) -> np.ndarray:
        start = self._next.get(month_idx, 0)
        if start + n > _MONTH_STRIDE:
            raise OverflowError("too many records in one month")
        self._next[month_idx] = start + n
        return _BASE_NUMBER + month_idx * _MONTH_STRIDE + start + np.arange(n, dtype=np.int64)

    def one(self, month_idx: int) -> int:
        return int(self.alloc(month_idx, 1)[0])

    def alloc_by_month(self, month_idx: np.ndarray) -> np.ndarray:
        """Numbers for records created in the given months (kept in input order within a month)."""
        month_idx = np.asarray(month_idx, dtype=np.int64)
        out = np.empty(len(month_idx), dtype=np.int64)
        order = np.argsort(month_idx, kind="stable")
        sorted_months = month_idx[order]
        uniq, starts, counts = np.unique(sorted_months, return_index=True, return_counts=True)
        for m, s, c in zip(uniq.tolist(), starts.tolist(), counts.tolist(), strict=True):
            out[order[s : s + c]] = self.alloc(m, c)
        return out
