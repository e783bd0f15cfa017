-- Pipeline forecast of the whole company per snapshot and close month.
with forecast_events as (
    select *
    from {{ ref('fct_forecast_events') }}
),

company_sums as (
    select
        snapshot_date,
        close_month,
        {{ pipeline_forecast_sums() }}
    from forecast_events
    group by snapshot_date, close_month
)

select
    company_sums.snapshot_date,
    company_sums.close_month,
    {{ pipeline_forecast_measures('company_sums') }}
from company_sums
