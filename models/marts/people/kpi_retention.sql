-- Retention per team and month: the published kpi_retention interface, the same rows as
-- kpi_retention_team (METRICS.md section 2). Each headcount counts under the team in force on
-- its day, a separation under the team in force on the termination date; workers without a
-- manager form the NULL team, so team rows sum to the company.
-- Grain: month x team, a row when the team had an event in the month or the trailing 12 months
-- (fct_retention_event_months holds each event once per month whose figures it counts in).
-- Measures: retention_sums / retention_rates (one definition for every grain).
with event_months as (
    select *
    from {{ ref('fct_retention_event_months') }}
),

months as (
    select
        month,
        month_index
    from {{ ref('int_people__months') }}
),

team_month_sums as (
    select
        month,
        team,
        {{ retention_sums() }}
    from event_months
    group by month, team
)

select
    team_month_sums.month,
    cast(team_month_sums.team as {{ dbt.type_string() }}) as team,
    {{ retention_rates('team_month_sums', 'months') }}
from team_month_sums
inner join months
    on team_month_sums.month = months.month
