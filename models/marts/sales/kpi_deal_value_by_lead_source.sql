-- Deal value per LeadSource and close month; opportunities without a LeadSource form the NULL
-- lead_source row, so the rows of a month sum to the company.
with won_opportunities as (
    select *
    from {{ ref('fct_closed_opportunities') }}
    where is_won
)

select
    month,
    cast(lead_source as {{ dbt.type_string() }}) as lead_source,
    {{ sales_deal_value_measures() }}
from won_opportunities
group by month, lead_source
