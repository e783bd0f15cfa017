"""Small SQL helpers shared by ingestion and publishing."""

from __future__ import annotations


def sql_str(value: str) -> str:
    """`value` as a SQL string literal (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"
