-- Pipeline forecast of the whole company per snapshot and fiscal close quarter.
with forecast_events as (
    select
        forecast_events.*,
        {{ pipeline_fiscal_quarter_start('forecast_events.close_month') }} as close_quarter
    from {{ ref('fct_forecast_events') }} as forecast_events
),

company_sums as (
    select
        snapshot_date,
        close_quarter,
        {{ pipeline_forecast_sums() }}
    from forecast_events
    group by snapshot_date, close_quarter
)

select
    company_sums.snapshot_date,
    company_sums.close_quarter,
    {{ pipeline_forecast_measures('company_sums') }}
from company_sums
