"""Domain rules of the contract as DuckDB SQL.

For each field, `typed_expr` turns the text value into the raw column's type and `violation_expr`
is a SQL expression that yields a reason string when the value breaks the field's domain (NULL
when it is fine). Ingestion quarantines a row when any of its fields yields a reason.
Text values are NULL when empty (ingestion turns '' into NULL before these apply).
"""

from __future__ import annotations

from salesops.contract import Field
from salesops.sql import sql_str

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
# ISO 8601 durations as xAPI uses them (days, weeks and time parts; no years/months).
DURATION_PATTERN = (
    r"^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def _num(v: str) -> str:
    return f"try_cast({v} as double)"


def _finite(v: str) -> str:
    return f"isfinite({_num(v)})"


def typed_expr(f: Field, v: str) -> str:
    """SQL turning the text expression `v` into the field's raw type (NULL when invalid)."""
    t = f.type
    if t == "bool":
        return f"case lower({v}) when 'true' then true when 'false' then false end"
    if t == "datetime":
        return f"cast(timezone('UTC', try_cast({v} as timestamptz)) as timestamp)"
    if t == "date":
        return f"try_cast({v} as date)"
    if t in ("amount", "percent", "number", "positive", "scaled"):
        return _num(v)
    if t == "integer":
        return f"cast(round({_num(v)}) as bigint)"
    if t in ("id", "ref", "email", "string", "enum", "uuid", "mbox", "duration"):
        return f"trim({v})" if t in ("id", "ref") else v
    raise ValueError(f"unknown field type {t}")


def violation_expr(f: Field, v: str, label: str | None = None) -> str:
    """SQL yielding the reason the value `v` breaks the field's domain, else NULL."""
    name = label or f.name
    t = f.type
    checks: list[tuple[str, str]] = []
    # Ids (Salesforce Ids, xAPI statement ids) and mailboxes are not format-checked: the
    # contract names no such domain, identity is the first 15 characters, and a stricter
    # check would only drop records that the metrics can use. Empty ones are (not_null).
    if t in ("id", "uuid", "mbox"):
        pass
    elif t == "bool":
        checks.append((f"lower({v}) not in ('true', 'false')", f"{name} is not true/false"))
    elif t == "datetime":
        checks.append(
            (f"try_cast({v} as timestamptz) is null", f"{name} is not an ISO 8601 datetime")
        )
    elif t == "date":
        checks.append((f"not regexp_full_match({v}, '{DATE_PATTERN}') "
                       f"or try_cast({v} as date) is null",
                       f"{name} is not a valid YYYY-MM-DD date"))
    elif t == "duration":
        checks.append((f"not regexp_full_match({v}, '{DURATION_PATTERN}') or {v} in ('P', 'PT')"
                       f" or ends_with({v}, 'T')", f"{name} is not an ISO 8601 duration"))
    elif t in ("amount", "number", "percent", "positive", "integer", "scaled"):
        checks.append((f"{_num(v)} is null or not {_finite(v)}", f"{name} is not a number"))
        if t == "amount":
            checks.append((f"{_num(v)} < 0", f"{name} is negative"))
        elif t == "percent":
            checks.append((f"{_num(v)} < 0 or {_num(v)} > 100", f"{name} is outside 0-100"))
        elif t == "scaled":
            checks.append((f"{_num(v)} < -1 or {_num(v)} > 1", f"{name} is outside -1..1"))
        elif t == "positive":
            checks.append((f"{_num(v)} <= 0", f"{name} is not positive"))
        elif t == "integer":
            checks.append((f"{_num(v)} < 0 or {_num(v)} <> round({_num(v)})",
                           f"{name} is not a whole number >= 0"))
    elif t == "enum":
        allowed = ", ".join(sql_str(x) for x in f.values)
        checks.append((f"{v} not in ({allowed})", f"{name} is not one of {', '.join(f.values)}"))
    whens = " ".join(
        f"when {cond} then {sql_str(reason + ': ')} || left({v}, 80)" for cond, reason in checks
    )
    if f.not_null:
        whens = f"when {v} is null then {sql_str(name + ' is empty')} " + whens
    if not whens:
        return "cast(null as varchar)"
    # The value itself is quoted in the reason so the on-call engineer sees what was there.
    if f.not_null:
        return f"case {whens} end"
    return f"case when {v} is not null then case {whens} end end"


def duration_seconds_expr(v: str) -> str:
    """SQL: seconds of an ISO 8601 duration (weeks, days, hours, minutes, seconds); NULL when
    the statement has no duration (the metrics then fall back to the course's expected hours)."""
    parts = f"regexp_extract({v}, '{DURATION_PATTERN}', ['w', 'd', 'h', 'm', 's'])"
    seconds = " + ".join(
        f"coalesce(try_cast(nullif({parts}.{k}, '') as double), 0) * {mult}"
        for k, mult in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
    )
    return f"(case when {v} is null then null else {seconds} end)"
