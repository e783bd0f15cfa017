-- Lead response time per rep and month (METRICS.md section 9).
-- Grain: one row per (month, rep_email) where the rep has something to count that month (sparse).
-- Rules: counts and shares over the rep's leads of the month; percentiles are continuous, over
-- the answered leads of the row (activity_lead_response_measures, the same at every grain).
-- rep_name is the CRM User's name; team and region are the rep's HR period in force on the
-- last day of the month (NULL without one).
with parts as (
    select *
    from {{ ref('fct_lead_response') }}
),

rep_month_sums as (
    select
        month,
        rep_email,
        {{ activity_lead_response_measures() }}
    from parts
    group by month, rep_email
)

select
    rep_month_sums.month,
    cast(rep_month_sums.rep_email as {{ dbt.type_string() }}) as rep_email,
    cast(reps.rep_name as {{ dbt.type_string() }}) as rep_name,
    cast(month_end_periods.team as {{ dbt.type_string() }}) as team,
    cast(month_end_periods.region as {{ dbt.type_string() }}) as region,
    rep_month_sums.leads_created,
    rep_month_sums.leads_answered,
    rep_month_sums.leads_pending,
    rep_month_sums.leads_within_sla,
    rep_month_sums.leads_never_answered,
    rep_month_sums.median_response_minutes,
    rep_month_sums.p90_response_minutes,
    rep_month_sums.within_sla_share,
    rep_month_sums.never_answered_share
from rep_month_sums
left join {{ ref('int_crm__reps_by_email') }} as reps
    on rep_month_sums.rep_email = reps.rep_email
left join {{ ref('int_hr__worker_periods') }} as month_end_periods
    on rep_month_sums.rep_email = month_end_periods.work_email
    and {{ in_force('month_end_periods', month_end('rep_month_sums.month')) }}
