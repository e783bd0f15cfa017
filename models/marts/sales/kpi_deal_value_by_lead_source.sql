-- Deal value per LeadSource and close month (METRICS.md section 5).
-- Grain: one row per (month, lead_source) with a won deal; opportunities without a LeadSource
-- form the NULL lead_source row, so the rows of a month sum to the company.
-- Rules: sales_deal_value_measures, the same at every grain.
with won_opportunities as (
    select *
    from {{ ref('fct_closed_opportunities') }}
    where is_won
),

lead_source_month_sums as (
    select
        month,
        lead_source,
        {{ sales_deal_value_measures() }}
    from won_opportunities
    group by month, lead_source
)

select
    lead_source_month_sums.month,
    cast(lead_source_month_sums.lead_source as {{ dbt.type_string() }}) as lead_source,
    {{ sales_deal_value_columns('lead_source_month_sums') }}
from lead_source_month_sums
