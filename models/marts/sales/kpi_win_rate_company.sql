-- Win rate of the whole company per close month.
with closed_opportunities as (
    select *
    from {{ ref('fct_closed_opportunities') }}
),

company_month_sums as (
    select
        month,
        {{ win_rate_sums() }}
    from closed_opportunities
    group by month
)

select
    company_month_sums.month,
    {{ win_rate_ratios('company_month_sums') }}
from company_month_sums
