{{ config(materialized=view_materialization()) }}
-- What the pipeline-forecast marts sum, one row per event, each with the rep and the team /
-- region in force on the snapshot date (the date the pipeline stood as it did):
-- - every opportunity of each snapshot with a CloseDate that is open, or closed and won
--   (closed-lost ones count in no forecast measure), with the forecast measure its
--   ForecastCategory feeds (forecast_bucket, from the seed forecast_categories);
-- - every quota (per rep and month) repeated in each snapshot: the quota the forecast of that
--   close month is measured against.
with snapshot_opportunities as (
    select *
    from {{ ref('fct_pipeline_snapshots') }}
    where close_date is not null
        and (not is_closed or is_won)
),

snapshot_dates as (
    select snapshot_date
    from {{ ref('int_pipeline__snapshot_dates') }}
),

quota_months as (
    select
        rep_email,
        quota_month,
        {{ exact_sum('quota_amount_reporting') }} as quota_amount_reporting
    from {{ ref('int_pipeline__quotas') }}
    group by rep_email, quota_month
),

snapshot_quotas as (
    select
        snapshot_dates.snapshot_date,
        quota_months.quota_month as close_month,
        quota_months.rep_email,
        worker_periods.team,
        worker_periods.region,
        quota_months.quota_amount_reporting
    from snapshot_dates
    cross join quota_months
    left join {{ ref('int_hr__worker_periods') }} as worker_periods
        on quota_months.rep_email = worker_periods.work_email
        and {{ in_force('worker_periods', 'snapshot_dates.snapshot_date') }}
)

select
    snapshot_date,
    close_month,
    owner_email as rep_email,
    owner_team as team,
    owner_region as region,
    not is_closed as is_open,
    is_closed and is_won as is_closed_won,
    snapshot_opportunities.forecast_category,
    forecast_categories.forecast_bucket,
    amount_reporting,
    weighted_amount_reporting,
    cast(null as decimal(38, 6)) as quota_amount_reporting
from snapshot_opportunities
-- reference data (seed): the forecast measure each ForecastCategory feeds (none if missing)
left join {{ ref('forecast_categories') }} as forecast_categories
    on snapshot_opportunities.forecast_category = forecast_categories.forecast_category

union all

select
    snapshot_date,
    close_month,
    rep_email,
    team,
    region,
    false as is_open,
    false as is_closed_won,
    cast(null as {{ dbt.type_string() }}) as forecast_category,
    cast(null as {{ dbt.type_string() }}) as forecast_bucket,
    cast(null as double) as amount_reporting,
    cast(null as double) as weighted_amount_reporting,
    quota_amount_reporting
from snapshot_quotas
