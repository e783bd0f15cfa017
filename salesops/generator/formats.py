"""Column values and their text form in the landing files.

A frame is a dict of column name -> values. Values are numpy arrays whose dtype says how they are
written (datetime64[ms] -> `2026-03-01T14:05:00.000Z`, datetime64[D] -> `YYYY-MM-DD`, bool ->
`true`/`false`, float -> plain decimal, int64 -> integer with -1 as empty), or `Refs` (Salesforce
Ids), or `Codes` (small vocabularies stored as integer codes). NaT / NaN / -1 are written empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesops.generator.ids import sf_ids


@dataclass(frozen=True)
class Refs:
    """Salesforce Ids: record numbers plus which key prefix each uses (-1: no reference)."""

    prefixes: tuple[str, ...]
    which: np.ndarray  # int8 index into prefixes, -1 for empty
    nums: np.ndarray  # int64 record numbers

    def take(self, idx: np.ndarray) -> Refs:
        return Refs(self.prefixes, self.which[idx], self.nums[idx])

    def text(self) -> np.ndarray:
        out = np.full(len(self.nums), "", dtype="U18")
        for i, prefix in enumerate(self.prefixes):
            mask = self.which == i
            if mask.any():
                out[mask] = sf_ids(prefix, self.nums[mask])
        return out


def refs(prefix: str, nums: np.ndarray | list[int]) -> Refs:
    """Ids of one object; negative numbers are empty references."""
    nums = np.asarray(nums, dtype=np.int64)
    return Refs((prefix,), np.where(nums >= 0, 0, -1).astype(np.int8), nums)


@dataclass(frozen=True)
class Codes:
    vocab: tuple[str, ...]
    codes: np.ndarray  # int index into vocab, -1 for empty

    def take(self, idx: np.ndarray) -> Codes:
        return Codes(self.vocab, self.codes[idx])

    def text(self) -> np.ndarray:
        table = np.array([*self.vocab, ""], dtype=object)
        return table[np.where(self.codes < 0, len(self.vocab), self.codes)]


Column = np.ndarray | Refs | Codes


def take(col: Column, idx: np.ndarray) -> Column:
    if isinstance(col, Refs | Codes):
        return col.take(idx)
    return col[idx]


def _fmt_number(v: float) -> str:
    if v != v:  # NaN
        return ""
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.6f}".rstrip("0").rstrip(".")


def to_text(col: Column) -> list[str]:
    """The text form of every value of a column."""
    if isinstance(col, Refs | Codes):
        return col.text().tolist()
    kind = col.dtype.kind
    if kind == "M":
        unit = np.datetime_data(col.dtype)[0]
        nat = np.isnat(col)
        if unit == "D":
            s = np.datetime_as_string(col, unit="D")
        else:
            s = np.strings.add(np.datetime_as_string(col.astype("datetime64[ms]"), unit="ms"), "Z")
        return np.where(nat, "", s).tolist()
    if kind == "b":
        return np.where(col, "true", "false").tolist()
    if kind == "f":
        return [_fmt_number(v) for v in col.tolist()]
    if kind in "iu":
        s = col.astype(str)
        return np.where(col < 0, "", s).tolist()
    return ["" if v is None else str(v) for v in col.tolist()]


def ms_col(ms: np.ndarray | list[int]) -> np.ndarray:
    """Epoch milliseconds (NULL_MS for empty) as a datetime column."""
    return np.asarray(ms, dtype=np.int64).view("datetime64[ms]")


def day_col(days: np.ndarray | list[int]) -> np.ndarray:
    """Epoch days (NULL_DAY for empty) as a date column."""
    return np.asarray(days, dtype=np.int64).view("datetime64[D]")


def const(value: object, n: int) -> np.ndarray:
    if isinstance(value, bool):
        return np.full(n, value, dtype=bool)
    return np.full(n, value, dtype=object)
