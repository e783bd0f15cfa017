-- Pipeline forecast per snapshot, close month and team: each opportunity and quota counts for
-- the team its rep was in on the snapshot date; reps without an HR match form the NULL team, so
-- the team rows sum to the company.
with forecast_events as (
    select *
    from {{ ref('fct_forecast_events') }}
),

team_sums as (
    select
        snapshot_date,
        close_month,
        team,
        {{ pipeline_forecast_sums() }}
    from forecast_events
    group by snapshot_date, close_month, team
)

select
    team_sums.snapshot_date,
    team_sums.close_month,
    cast(team_sums.team as {{ dbt.type_string() }}) as team,
    {{ pipeline_forecast_measures('team_sums') }}
from team_sums
