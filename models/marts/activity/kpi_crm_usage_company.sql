-- CRM usage (METRICS.md section 3) of the whole company per month.
with parts as (
    select *
    from {{ ref('fct_crm_usage_parts') }}
),

company_month_sums as (
    select
        month,
        {{ activity_crm_usage_sums() }}
    from parts
    group by month
)

select
    company_month_sums.month,
    {{ activity_crm_usage_ratios('company_month_sums') }}
from company_month_sums
