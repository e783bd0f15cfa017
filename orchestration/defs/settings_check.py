"""Bad settings in the code location: reported, never fatal to the location's load.

A mistyped `SALESOPS_*` value must not take the whole Dagster location down (the UI would show
nothing but an import error). The location loads with the defaults in place of the bad values
and says so once: a warning in `dagster dev`'s log when it loads; the schedule and the sensor
skip with the problems as their reason, and every step refuses to start with the same lines
(one per bad value, no traceback), before it touches any data.
"""

from __future__ import annotations

import logging

import dagster as dg

from salesops.settings import Settings, settings_problems

_log = logging.getLogger("salesops.settings")


def report_load_problems(settings: Settings) -> list[str]:
    """The settings' problems, each logged once as a warning (when the definitions are built)."""
    problems = settings_problems(settings.env)
    for problem in problems:
        _log.warning(f"salesops setting ignored (its default is used until it is fixed): {problem}")
    return problems


def problems_text(problems: list[str]) -> str:
    return "bad settings, nothing was run: " + "; ".join(problems)


def require_valid_settings(settings: Settings) -> None:
    """Raise a Failure naming every bad setting of `settings` (the definitions' settings)."""
    problems = settings_problems(settings.env)
    if problems:
        raise dg.Failure(description=problems_text(problems), allow_retries=False)
