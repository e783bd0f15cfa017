-- CRM usage (METRICS.md section 3) per team and month. Each part counts for the team in force on
-- the date it happened (a rep who moved mid-month splits between the two); reps without an HR
-- match form the NULL team row, so the team rows sum to the company.
with parts as (
    select *
    from {{ ref('fct_crm_usage_parts') }}
),

team_month_sums as (
    select
        month,
        team,
        {{ activity_crm_usage_sums() }}
    from parts
    group by month, team
)

select
    team_month_sums.month,
    cast(team_month_sums.team as {{ dbt.type_string() }}) as team,
    {{ activity_crm_usage_ratios('team_month_sums') }}
from team_month_sums
