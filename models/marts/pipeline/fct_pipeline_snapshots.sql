-- The pipeline as it stood at each CRM drop date: one row per snapshot_date d (a CRM drop
-- date) and opportunity, from the opportunity's latest version among the drops up to d
-- (highest SystemModstamp, then later drop, then later line). A record deleted in its latest
-- version is left out of every snapshot, old ones too; a version deleted as of d leaves that
-- snapshot. Amounts are in the reporting currency at the rate in force on the version's
-- CloseDate; the owner's team and region are those in force on the snapshot date.
-- Which version is in force at each snapshot is kept incrementally by
-- int_pipeline__snapshot_versions; the version's values, whether the record is deleted now,
-- the conversion rates, the owner's e-mail and HR team (any later drop can change them) are
-- joined here, at build time.
with snapshot_versions as (
    select
        snapshots.snapshot_date,
        versions.*
    from {{ ref('int_pipeline__snapshot_versions') }} as snapshots
    inner join {{ ref('int_pipeline__opportunity_versions') }} as versions
        on snapshots.version_drop_date = versions.drop_date
        and snapshots.version_source_line = versions.source_line
    where not versions.is_deleted
        and not versions.is_deleted_in_latest_version
),

owners as (
    select
        user_id,
        email,
        user_name
    from {{ ref('stg_crm__users') }}
),

owner_periods as (
    select
        worker_periods.work_email,
        worker_periods.team,
        worker_periods.region,
        worker_periods.valid_from,
        worker_periods.valid_to
    from {{ ref('int_hr__worker_periods') }} as worker_periods
)

select
    snapshot_versions.snapshot_date,
    snapshot_versions.opportunity_id,
    snapshot_versions.account_id,
    snapshot_versions.owner_id,
    cast(owners.email as {{ dbt.type_string() }}) as owner_email,
    cast(owners.user_name as {{ dbt.type_string() }}) as owner_name,
    cast(owner_periods.team as {{ dbt.type_string() }}) as owner_team,
    cast(owner_periods.region as {{ dbt.type_string() }}) as owner_region,
    snapshot_versions.stage_name,
    snapshot_versions.forecast_category,
    snapshot_versions.is_closed,
    snapshot_versions.is_won,
    snapshot_versions.close_date,
    cast({{ dbt.date_trunc('month', 'snapshot_versions.close_date') }} as date) as close_month,
    snapshot_versions.amount,
    snapshot_versions.currency_iso_code,
    cast(snapshot_versions.amount_reporting as double) as amount_reporting,
    cast(snapshot_versions.probability as double) as probability,
    -- Probability is a percent (0 to 100)
    cast(snapshot_versions.amount_reporting * snapshot_versions.probability / 100 as double) as weighted_amount_reporting,
    snapshot_versions.system_modstamp,
    snapshot_versions.drop_date as version_drop_date
from snapshot_versions
left join owners
    on snapshot_versions.owner_id = owners.user_id
left join owner_periods
    on owners.email = owner_periods.work_email
    and {{ in_force('owner_periods', 'snapshot_versions.snapshot_date') }}
