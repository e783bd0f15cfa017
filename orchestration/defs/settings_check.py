"""Bad settings in the code location: reported, never fatal to the location's load.

A mistyped `SALESOPS_*` value must not take the whole Dagster location down (the UI would show
nothing but an import error). The location loads with the defaults in place of the bad values
and says so: a warning in `dagster dev`'s log when it loads, the schedule and the sensor skip
with the problems as their reason, and every step refuses to start with the same lines (one per
bad value, no traceback), before it touches any data.
"""

from __future__ import annotations

import logging

import dagster as dg

from salesops.settings import settings_problems

_log = logging.getLogger("salesops.settings")

LOAD_PROBLEMS = settings_problems()
for _problem in LOAD_PROBLEMS:
    _log.warning(f"salesops setting ignored (its default is used until it is fixed): {_problem}")


def problems_text(problems: list[str]) -> str:
    return "bad settings, nothing was run: " + "; ".join(problems)


def require_valid_settings() -> None:
    """Raise a Failure naming every bad setting (read now: a fixed value counts at once)."""
    problems = settings_problems()
    if problems:
        raise dg.Failure(description=problems_text(problems), allow_retries=False)
