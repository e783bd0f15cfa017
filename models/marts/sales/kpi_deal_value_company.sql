-- Deal value of the whole company per close month (a row for every month with a won deal).
with won_opportunities as (
    select *
    from {{ ref('fct_closed_opportunities') }}
    where is_won
)

select
    month,
    {{ sales_deal_value_measures() }}
from won_opportunities
group by month
