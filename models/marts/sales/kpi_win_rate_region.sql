-- Win rate per region and close month. Each opportunity counts for the region in force on its
-- CloseDate (a rep who moved mid-month splits); reps without an HR match form the NULL group,
-- so the region rows sum to the company.
with closed_opportunities as (
    select *
    from {{ ref('fct_closed_opportunities') }}
),

region_month_sums as (
    select
        month,
        region,
        {{ win_rate_sums() }}
    from closed_opportunities
    group by month, region
)

select
    region_month_sums.month,
    cast(region_month_sums.region as {{ dbt.type_string() }}) as region,
    {{ win_rate_ratios('region_month_sums') }}
from region_month_sums
