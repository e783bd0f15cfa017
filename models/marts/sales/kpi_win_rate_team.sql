-- Win rate per team and close month. Each opportunity counts for the team in force on its
-- CloseDate (a rep who moved mid-month splits); reps without an HR match form the NULL group,
-- so the team rows sum to the company.
with closed_opportunities as (
    select *
    from {{ ref('fct_closed_opportunities') }}
),

team_month_sums as (
    select
        month,
        team,
        {{ win_rate_sums() }}
    from closed_opportunities
    group by month, team
)

select
    team_month_sums.month,
    cast(team_month_sums.team as {{ dbt.type_string() }}) as team,
    {{ win_rate_ratios('team_month_sums') }}
from team_month_sums
