-- Win rate per LeadSource and close month (METRICS.md section 4, "by LeadSource and Type"), with the
-- win-rate macros of kpi_win_rate. Opportunities without a LeadSource form the NULL row.
with closed_opportunities as (
    select *
    from {{ ref('fct_closed_opportunities') }}
),

lead_source_month_sums as (
    select
        month,
        lead_source,
        {{ win_rate_sums() }}
    from closed_opportunities
    group by month, lead_source
)

select
    lead_source_month_sums.month,
    cast(lead_source_month_sums.lead_source as {{ dbt.type_string() }}) as lead_source,
    {{ win_rate_ratios('lead_source_month_sums') }}
from lead_source_month_sums
