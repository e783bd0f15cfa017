-- Forecast accuracy per ended close month and team: a won deal counts for the team its owner was
-- in on its CloseDate, a forecast opportunity for the team its owner was in on the snapshot
-- date; reps without an HR match form the NULL team, so the team rows sum to the company.
with accuracy_events as (
    select *
    from {{ ref('fct_forecast_accuracy_events') }}
),

team_month_sums as (
    select
        close_month,
        team,
        {{ pipeline_accuracy_sums() }}
    from accuracy_events
    group by close_month, team
)

select
    team_month_sums.close_month,
    cast(team_month_sums.team as {{ dbt.type_string() }}) as team,
    {{ pipeline_accuracy_measures('team_month_sums', 'accuracy_months') }}
from team_month_sums
inner join {{ ref('dim_forecast_accuracy_months') }} as accuracy_months
    on team_month_sums.close_month = accuracy_months.close_month
