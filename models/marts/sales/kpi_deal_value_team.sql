-- Deal value per team and close month (METRICS.md section 5).
-- Grain: one row per (month, team) with a won deal; owners without an HR period in force on the
-- CloseDate form the NULL team, so the team rows of a month sum to the company.
-- Rules: each won opportunity counts for the team its owner was in on its CloseDate (a rep who
-- moved mid-month splits). Median and largest come from the team's own deals, never from rep
-- rows (sales_deal_value_measures, the same at every grain).
with won_opportunities as (
    select *
    from {{ ref('fct_closed_opportunities') }}
    where is_won
),

team_month_sums as (
    select
        month,
        team,
        {{ sales_deal_value_measures() }}
    from won_opportunities
    group by month, team
)

select
    team_month_sums.month,
    cast(team_month_sums.team as {{ dbt.type_string() }}) as team,
    {{ sales_deal_value_columns('team_month_sums') }}
from team_month_sums
