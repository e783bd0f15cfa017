-- Pipeline forecast per snapshot, fiscal close quarter and region (the region of the rep on the
-- snapshot date; reps without an HR match form the NULL region, so the rows sum to the company).
with forecast_events as (
    select
        forecast_events.*,
        {{ pipeline_fiscal_quarter_start('forecast_events.close_month') }} as close_quarter
    from {{ ref('fct_forecast_events') }} as forecast_events
),

region_sums as (
    select
        snapshot_date,
        close_quarter,
        region,
        {{ pipeline_forecast_sums() }}
    from forecast_events
    group by snapshot_date, close_quarter, region
)

select
    region_sums.snapshot_date,
    region_sums.close_quarter,
    cast(region_sums.region as {{ dbt.type_string() }}) as region,
    {{ pipeline_forecast_measures('region_sums') }}
from region_sums
