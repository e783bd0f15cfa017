"""Where a file DuckDB could not read breaks the contract.

DuckDB's error names a record, not a physical line; a second pass over the file in Python
(its csv module, or a UTF-8 decoder for JSON lines) finds the physical line, and the column
when one is to blame.
"""

from __future__ import annotations

import codecs
import csv
import re
from pathlib import Path

import duckdb

from salesops.contract import ContractViolation

_DUCKDB_LINE = re.compile(r"on Line: (\d+)")
_MAX_LINE = re.compile(r"Maximum line size of \d+ bytes exceeded\. Actual Size:\s*(\d+)")

# The longest record (physical line, or quoted value spanning lines) a file may hold. DuckDB's
# default (2,000,000 bytes) would refuse a 1 Mi-character text value of non-Latin script (3 to 4
# bytes a character in UTF-8); 16 MiB holds any such value with room, and costs no speed.
MAX_LINE_BYTES = 16 << 20


def csv_error(
    rel: str, err: duckdb.Error, path: Path | None = None, header: list[str] | None = None
) -> ContractViolation:
    """The contract violation for a file DuckDB could not read, located at the physical line
    (and the column, when one is to blame) by a second, Python pass over the file.

    DuckDB's "Line" counts records, not physical lines: a quoted value with line breaks before
    the problem would make it point above the problem."""
    text = str(err)
    m = _DUCKDB_LINE.search(text)
    line = int(m.group(1)) if m else None
    column = None
    too_long = _MAX_LINE.search(text)
    if too_long:
        problem = (f"a record of {int(too_long.group(1)):,} bytes is longer than the "
                   f"{MAX_LINE_BYTES:,}-byte limit")
    elif "unicode" in text.lower() or "utf-8" in text.lower():
        problem = "not valid UTF-8"
    elif "unterminated quote" in text.lower():
        problem = "truncated: a quoted value is never closed"
    elif "Expected Number of Columns" in text:
        found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
        problem = (
            f"a row has {found.group(2)} fields where the header has {found.group(1)}"
            if found else "a row has the wrong number of fields"
        )
    else:
        problem = "can't be read as CSV: " + text.splitlines()[0][:300]
    if path is not None:
        try:
            located = _locate_problem(path, header, line)
        except OSError:
            located = None
        if located is not None:
            line, column, found_problem = located
            problem = found_problem or problem
    return ContractViolation(rel, problem, column=column, line=line)


def _locate_problem(
    path: Path, header: list[str] | None, duckdb_line: int | None
) -> tuple[int, str | None, str | None] | None:
    """(physical line, column, problem) of the first problem in the file, read with Python's
    csv module (strict RFC 4180; bytes that are not UTF-8 kept as surrogates). `header` None
    means a JSON-lines file (one record a line). When Python finds nothing wrong, the physical
    line where DuckDB's record `duckdb_line` starts (problem None: DuckDB's stands)."""
    if header is None:
        bad = _first_invalid_utf8(path)
        if bad is None:
            return None
        offset, byte = bad
        return _line_at(path, offset), None, f"not valid UTF-8 (byte 0x{byte:02x})"
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, 2 * MAX_LINE_BYTES))
    try:
        with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            record = 0
            start = 1
            try:
                for row in reader:
                    record += 1
                    for i, value in enumerate(row):
                        pos = _SURROGATE.search(value)
                        if pos is not None:
                            before = ",".join(row[:i]) + value[: pos.start()]
                            byte = ord(pos.group()) - 0xDC00
                            name = header[i] if i < len(header) else None
                            return (start + before.count("\n"), name,
                                    f"not valid UTF-8 (byte 0x{byte:02x})")
                    if record > 1 and row and len(row) != len(header):
                        return (start, None,
                                f"a row has {len(row)} fields where the header has {len(header)}")
                    if record == duckdb_line and duckdb_line > 1:
                        return start, None, None
                    start = reader.line_num + 1
            except csv.Error as e:
                if "unexpected end of data" in str(e):
                    return start, None, "truncated: a quoted value is never closed"
                if "expected after" in str(e):
                    return (start, None, "a quoted value has text after its closing quote "
                            "(a quote inside it that is not doubled?)")
                return start, None, f"can't be read as CSV: {e}"
    finally:
        csv.field_size_limit(old_limit)
    return None


_SURROGATE = re.compile("[\udc80-\udcff]")


def _first_invalid_utf8(path: Path) -> tuple[int, int] | None:
    """(byte offset, byte value) of the first byte that isn't UTF-8, or None."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0  # bytes of the file handed to the decoder before this chunk
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(1 << 20)
            pending = decoder.getstate()[0]
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as e:
                data = pending + chunk
                return offset - len(pending) + e.start, data[e.start]
            if not chunk:
                return None
            offset += len(chunk)


def _line_at(path: Path, offset: int) -> int:
    """Physical line (1-based) of the byte at `offset`."""
    lines = 1
    with open(path, "rb") as fh:
        while offset > 0:
            chunk = fh.read(min(1 << 20, offset))
            if not chunk:
                break
            lines += chunk.count(b"\n")
            offset -= len(chunk)
    return lines
