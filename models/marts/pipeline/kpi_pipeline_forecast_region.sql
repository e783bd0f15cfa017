-- Pipeline forecast per snapshot, close month and region: each opportunity and quota counts for
-- the region its rep was in on the snapshot date; reps without an HR match form the NULL region, so
-- the region rows sum to the company.
with forecast_events as (
    select *
    from {{ ref('fct_forecast_events') }}
),

region_sums as (
    select
        snapshot_date,
        close_month,
        region,
        {{ pipeline_forecast_sums() }}
    from forecast_events
    group by snapshot_date, close_month, region
)

select
    region_sums.snapshot_date,
    region_sums.close_month,
    cast(region_sums.region as {{ dbt.type_string() }}) as region,
    {{ pipeline_forecast_measures('region_sums') }}
from region_sums
