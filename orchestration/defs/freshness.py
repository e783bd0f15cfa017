"""Freshness of what BI tools read: the published marts and every KPI mart must have been
updated within SALESOPS_FRESHNESS_HOURS (default 26: the nightly feed plus some slack).

Dagster freshness checks (one per asset, severity WARN, not blocking): they run at the end of
every pipeline run (right after the assets they judge, so a successful run leaves them passing),
and `marts_freshness_sensor` runs them again once the marts could have gone stale, so a night
without a successful run shows as a failed check on `published/salesops` and on each mart.

Dagster 1.13 marks `build_last_update_freshness_checks` as superseded by FreshnessPolicy objects;
those are evaluated by a daemon that has to be switched on in the instance's dagster.yaml and
only set a freshness state, while these checks need nothing more than the running sensor and
leave a pass/fail result per asset with its metadata (last update, allowed lag).

(These judge when the marts were last *built*; how old the data in them is, is the raw freshness
check against SALESOPS_AS_OF_DATE.)
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence

import dagster as dg

from salesops.settings import DEFAULT_FRESHNESS_HOURS, Settings

FRESHNESS_SENSOR_NAME = "marts_freshness_sensor"


def freshness_max_lag(settings: Settings) -> dt.timedelta:
    """SALESOPS_FRESHNESS_HOURS as a timedelta (a positive number of hours, decimals allowed);
    its default when the value is bad (reported by settings_check; the location still loads)."""
    try:
        return dt.timedelta(hours=settings.freshness_hours)
    except ValueError:
        return dt.timedelta(hours=DEFAULT_FRESHNESS_HOURS)


def build_freshness_checks(
    max_lag: dt.timedelta, asset_keys: Sequence[dg.AssetKey]
) -> Sequence[dg.AssetChecksDefinition]:
    """A freshness check per asset: failed when its last materialization is older than max_lag."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.SupersessionWarning)  # see the module docstring
        return dg.build_last_update_freshness_checks(
            assets=list(asset_keys),
            lower_bound_delta=max_lag,
            severity=dg.AssetCheckSeverity.WARN,
        )


def build_freshness_sensor(checks: Sequence[dg.AssetChecksDefinition]) -> dg.SensorDefinition:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.SupersessionWarning)
        return dg.build_sensor_for_freshness_checks(
            freshness_checks=checks,
            name=FRESHNESS_SENSOR_NAME,
            minimum_interval_seconds=600,
            default_status=dg.DefaultSensorStatus.RUNNING,
        )
