-- New-hire attrition and ramp time per hire cohort month and team (the same rows as
-- kpi_new_hire_attrition).
-- Grain: hire month x team in force on the hire date (dim_rep_ramp; NULL team without a
-- manager); sparse: a row per cohort with a hire. Every employment span is a hire (a rehire too).
-- Measures: new_hire_sums / new_hire_rates (one definition for every grain).
with hires as (
    select *
    from {{ ref('dim_rep_ramp') }}
),

team_month_sums as (
    select
        hire_month as month,
        team,
        {{ new_hire_sums() }}
    from hires
    group by hire_month, team
)

select
    team_month_sums.month,
    cast(team_month_sums.team as {{ dbt.type_string() }}) as team,
    {{ new_hire_rates('team_month_sums') }}
from team_month_sums
