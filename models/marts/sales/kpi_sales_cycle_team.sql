-- Sales cycle and 90-day sales velocity per team and month (METRICS.md section 6).
-- Grain: one row per (month, team) where the team closed an opportunity in the month or has an
-- opportunity created or closed in the month's trailing 90-day window (months up to the as-of
-- month); owners without an HR period in force form the NULL team.
-- Rules: each opportunity counts for the team its owner was in on the event's date (CloseDate
-- for closes, CreatedDate for creations; a rep who moved mid-month splits). Percentiles and
-- velocity come from the team's own opportunities, never from rep rows (sales_cycle_sums /
-- sales_cycle_columns, the same at every grain).
with cycle_events as (
    select *
    from {{ ref('fct_sales_cycle_events') }}
),

team_month_sums as (
    select
        month,
        team,
        {{ sales_cycle_sums() }}
    from cycle_events
    group by month, team
)

select
    team_month_sums.month,
    cast(team_month_sums.team as {{ dbt.type_string() }}) as team,
    {{ sales_cycle_columns('team_month_sums') }}
from team_month_sums
