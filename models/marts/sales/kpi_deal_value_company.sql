-- Deal value of the whole company per close month (METRICS.md section 5).
-- Grain: one row per month with a won deal.
-- Rules: over every won opportunity closed in the month (sales_deal_value_measures, the same at
-- every grain).
with won_opportunities as (
    select *
    from {{ ref('fct_closed_opportunities') }}
    where is_won
),

company_month_sums as (
    select
        month,
        {{ sales_deal_value_measures() }}
    from won_opportunities
    group by month
)

select
    company_month_sums.month,
    {{ sales_deal_value_columns('company_month_sums') }}
from company_month_sums
