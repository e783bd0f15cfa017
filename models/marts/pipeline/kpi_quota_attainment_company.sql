-- Quota attainment of the whole company per month.
with attainment_events as (
    select *
    from {{ ref('fct_quota_attainment_events') }}
),

company_month_sums as (
    select
        month,
        {{ pipeline_quota_sums() }}
    from attainment_events
    group by month
)

select
    company_month_sums.month,
    {{ pipeline_quota_measures('company_month_sums') }}
from company_month_sums
