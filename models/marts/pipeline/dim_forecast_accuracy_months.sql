{{ config(materialized=view_materialization()) }}
-- The close months that have ended (month end before "now") and have a won deal or a
-- forecast, with the snapshot each forecast-accuracy horizon reads: the latest CRM snapshot
-- on or before 30, 60 and 90 days before the month end (NULL when there is none).
{%- set horizons = [30, 60, 90] %}

with months as (
    select distinct close_month
    from {{ ref('fct_forecast_accuracy_events') }}
),

month_ends as (
    select
        close_month,
        cast({{ dbt.last_day('close_month', 'month') }} as date) as month_end
    from months
),

snapshot_dates as (
    select snapshot_date
    from {{ ref('int_pipeline__snapshot_dates') }}
)

select
    month_ends.close_month,
    month_ends.month_end
    {%- for horizon in horizons %},
    max(case
        when snapshot_dates.snapshot_date <= cast({{ dbt.dateadd('day', -horizon, 'month_ends.month_end') }} as date)
            then snapshot_dates.snapshot_date
    end) as snapshot_date_{{ horizon }}d
    {%- endfor %}
from month_ends
left join snapshot_dates
    on snapshot_dates.snapshot_date <= month_ends.month_end
group by month_ends.close_month, month_ends.month_end
