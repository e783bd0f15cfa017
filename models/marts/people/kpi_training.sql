-- Training per rep and month (METRICS.md section 1).
-- Grain: one row per (month, rep_email) where the rep has a learning event or an assignment due
-- that month (sparse). The rep is the LMS actor whose e-mail is a CRM User's (learners who are
-- not CRM Users are left out upstream, in fct_training_measures).
-- Rules: hours, courses, assignments and scores summed over the rep and month, the ratios
-- recomputed from the sums (people_training_sums / _ratios, the same at every grain).
-- rep_name is that CRM User's name; team and region are the HR attributes in force on the last
-- day of the month (NULL without one).
with measure_rows as (
    select *
    from {{ ref('fct_training_measures') }}
),

rep_month_sums as (
    select
        month,
        rep_email,
        {{ people_training_sums() }}
    from measure_rows
    group by month, rep_email
)

select
    rep_month_sums.month,
    cast(rep_month_sums.rep_email as {{ dbt.type_string() }}) as rep_email,
    cast(reps.rep_name as {{ dbt.type_string() }}) as rep_name,
    cast(month_end_periods.team as {{ dbt.type_string() }}) as team,
    cast(month_end_periods.region as {{ dbt.type_string() }}) as region,
    {{ people_training_ratios('rep_month_sums') }}
from rep_month_sums
left join {{ ref('int_crm__reps_by_email') }} as reps
    on rep_month_sums.rep_email = reps.rep_email
left join {{ ref('int_hr__worker_periods') }} as month_end_periods
    on rep_month_sums.rep_email = month_end_periods.work_email
    and {{ in_force('month_end_periods', month_end('rep_month_sums.month')) }}
