-- Deal value per region and close month. Each won opportunity counts for the region its owner was in
-- on its CloseDate (a rep who moved mid-month splits); owners without an HR period in force form
-- the NULL region. Median and largest come from the region's own deals, never from rep rows.
with won_opportunities as (
    select *
    from {{ ref('fct_closed_opportunities') }}
    where is_won
)

select
    month,
    cast(region as {{ dbt.type_string() }}) as region,
    {{ sales_deal_value_measures() }}
from won_opportunities
group by month, region
