-- Outreach effectiveness (METRICS.md section 8) of the whole company per month.
with parts as (
    select *
    from {{ ref('fct_outreach_parts') }}
),

company_month_sums as (
    select
        month,
        {{ activity_outreach_sums() }}
    from parts
    group by month
)

select
    company_month_sums.month,
    {{ activity_outreach_ratios('company_month_sums') }}
from company_month_sums
