-- Deal value per region and close month (METRICS.md section 5).
-- Grain: one row per (month, region) with a won deal; owners without an HR period in force on
-- the CloseDate form the NULL region, so the region rows of a month sum to the company.
-- Rules: each won opportunity counts for the region its owner was in on its CloseDate (a rep who
-- moved mid-month splits). Median and largest come from the region's own deals, never from rep
-- rows (sales_deal_value_measures, the same at every grain).
with won_opportunities as (
    select *
    from {{ ref('fct_closed_opportunities') }}
    where is_won
),

region_month_sums as (
    select
        month,
        region,
        {{ sales_deal_value_measures() }}
    from won_opportunities
    group by month, region
)

select
    region_month_sums.month,
    cast(region_month_sums.region as {{ dbt.type_string() }}) as region,
    {{ sales_deal_value_columns('region_month_sums') }}
from region_month_sums
