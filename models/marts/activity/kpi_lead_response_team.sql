-- Lead response time (METRICS.md section 9) per team and month. Each part counts for the team in
-- force on the date it happened (a rep who moved mid-month splits between the two); reps without
-- an HR match form the NULL team row, so the team rows sum to the company. Percentiles are
-- computed from the leads of the row (continuous).
with parts as (
    select *
    from {{ ref('fct_lead_response') }}
),

team_month_sums as (
    select
        month,
        team,
        {{ activity_lead_response_measures() }}
    from parts
    group by month, team
)

select
    team_month_sums.month,
    cast(team_month_sums.team as {{ dbt.type_string() }}) as team,
    team_month_sums.leads_created,
    team_month_sums.leads_answered,
    team_month_sums.leads_pending,
    team_month_sums.leads_within_sla,
    team_month_sums.leads_never_answered,
    team_month_sums.median_response_minutes,
    team_month_sums.p90_response_minutes,
    team_month_sums.within_sla_share,
    team_month_sums.never_answered_share
from team_month_sums
