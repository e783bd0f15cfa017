-- Training per team and month. Each learning event counts for the team in force on its date (an
-- assignment on its due_date), so a rep who moved mid-month splits; learners without an HR
-- period in force form the NULL team row. The team rows sum to the company.
with measure_rows as (
    select *
    from {{ ref('fct_training_measures') }}
),

team_month_sums as (
    select
        month,
        team,
        {{ people_training_sums() }}
    from measure_rows
    group by month, team
)

select
    team_month_sums.month,
    cast(team_month_sums.team as {{ dbt.type_string() }}) as team,
    {{ people_training_ratios('team_month_sums') }}
from team_month_sums
