-- Quota attainment per team and month: each won opportunity counts for the team its owner was in
-- on its CloseDate, each quota for the team its owner was in on its StartDate; reps without an
-- HR match form the NULL team, so the team rows sum to the company.
with attainment_events as (
    select *
    from {{ ref('fct_quota_attainment_events') }}
),

team_month_sums as (
    select
        month,
        team,
        {{ pipeline_quota_sums() }}
    from attainment_events
    group by month, team
)

select
    team_month_sums.month,
    cast(team_month_sums.team as {{ dbt.type_string() }}) as team,
    {{ pipeline_quota_measures('team_month_sums') }}
from team_month_sums
