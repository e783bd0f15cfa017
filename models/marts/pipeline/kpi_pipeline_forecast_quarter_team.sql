-- Pipeline forecast per snapshot, fiscal close quarter and team (the team of the rep on the
-- snapshot date; reps without an HR match form the NULL team, so the rows sum to the company).
with forecast_events as (
    select
        forecast_events.*,
        {{ pipeline_fiscal_quarter_start('forecast_events.close_month') }} as close_quarter
    from {{ ref('fct_forecast_events') }} as forecast_events
),

team_sums as (
    select
        snapshot_date,
        close_quarter,
        team,
        {{ pipeline_forecast_sums() }}
    from forecast_events
    group by snapshot_date, close_quarter, team
)

select
    team_sums.snapshot_date,
    team_sums.close_quarter,
    cast(team_sums.team as {{ dbt.type_string() }}) as team,
    {{ pipeline_forecast_measures('team_sums') }}
from team_sums
