-- Forecast accuracy per ended close month and region: a won deal counts for the region its owner was
-- in on its CloseDate, a forecast opportunity for the region its owner was in on the snapshot
-- date; reps without an HR match form the NULL region, so the region rows sum to the company.
with accuracy_events as (
    select *
    from {{ ref('fct_forecast_accuracy_events') }}
),

region_month_sums as (
    select
        close_month,
        region,
        {{ pipeline_accuracy_sums() }}
    from accuracy_events
    group by close_month, region
)

select
    region_month_sums.close_month,
    cast(region_month_sums.region as {{ dbt.type_string() }}) as region,
    {{ pipeline_accuracy_measures('region_month_sums', 'accuracy_months') }}
from region_month_sums
inner join {{ ref('dim_forecast_accuracy_months') }} as accuracy_months
    on region_month_sums.close_month = accuracy_months.close_month
