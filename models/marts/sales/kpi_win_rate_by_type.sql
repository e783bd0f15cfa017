-- Win rate per Type and close month (METRICS.md section 4, "by LeadSource and Type"), with the
-- win-rate macros of kpi_win_rate. Opportunities without a Type form the NULL row.
with closed_opportunities as (
    select *
    from {{ ref('fct_closed_opportunities') }}
),

opportunity_type_month_sums as (
    select
        month,
        opportunity_type,
        {{ win_rate_sums() }}
    from closed_opportunities
    group by month, opportunity_type
)

select
    opportunity_type_month_sums.month,
    cast(opportunity_type_month_sums.opportunity_type as {{ dbt.type_string() }}) as opportunity_type,
    {{ win_rate_ratios('opportunity_type_month_sums') }}
from opportunity_type_month_sums
