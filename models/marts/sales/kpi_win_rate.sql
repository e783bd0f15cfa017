-- Win rate per rep and close month (METRICS.md section 4).
-- Grain: one row per (month, rep_email) where the rep closed something that month (sparse).
-- Rules: won and lost counts and amounts of the rep's opportunities closed in the month; the
-- ratios are recomputed from them (win_rate_sums / win_rate_ratios, the same at every grain).
-- rep_name is the CRM User's name; team and region are the rep's HR period in force on the
-- last day of the month (NULL without one).
with closed_opportunities as (
    select *
    from {{ ref('fct_closed_opportunities') }}
),

rep_month_sums as (
    select
        month,
        rep_email,
        {{ win_rate_sums() }}
    from closed_opportunities
    group by month, rep_email
)

select
    rep_month_sums.month,
    cast(rep_month_sums.rep_email as {{ dbt.type_string() }}) as rep_email,
    cast(reps.rep_name as {{ dbt.type_string() }}) as rep_name,
    cast(month_end_periods.team as {{ dbt.type_string() }}) as team,
    cast(month_end_periods.region as {{ dbt.type_string() }}) as region,
    {{ win_rate_ratios('rep_month_sums') }}
from rep_month_sums
left join {{ ref('int_crm__reps_by_email') }} as reps
    on rep_month_sums.rep_email = reps.rep_email
left join {{ ref('int_hr__worker_periods') }} as month_end_periods
    on rep_month_sums.rep_email = month_end_periods.work_email
    and {{ in_force('month_end_periods', month_end('rep_month_sums.month')) }}
