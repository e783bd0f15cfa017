-- Forecast accuracy of the whole company per ended close month.
with accuracy_events as (
    select *
    from {{ ref('fct_forecast_accuracy_events') }}
),

company_month_sums as (
    select
        close_month,
        {{ pipeline_accuracy_sums() }}
    from accuracy_events
    group by close_month
)

select
    company_month_sums.close_month,
    {{ pipeline_accuracy_measures('company_month_sums', 'accuracy_months') }}
from company_month_sums
inner join {{ ref('dim_forecast_accuracy_months') }} as accuracy_months
    on company_month_sums.close_month = accuracy_months.close_month
