-- Quota attainment per rep and month (METRICS.md section 7).
-- Grain: one row per (month, rep_email) where the rep won something closing in the month or has
-- a quota for it (sparse).
-- Rules: won amount / quota amount, NULL without a quota or with quota 0 (pipeline_quota_sums /
-- _measures, the same at every grain).
-- rep_name is the CRM User's name; team and region are the rep's HR period in force on the
-- last day of the month (NULL without one).
with attainment_events as (
    select *
    from {{ ref('fct_quota_attainment_events') }}
),

rep_month_sums as (
    select
        month,
        rep_email,
        {{ pipeline_quota_sums() }}
    from attainment_events
    group by month, rep_email
)

select
    rep_month_sums.month,
    cast(rep_month_sums.rep_email as {{ dbt.type_string() }}) as rep_email,
    cast(reps.rep_name as {{ dbt.type_string() }}) as rep_name,
    cast(month_end_periods.team as {{ dbt.type_string() }}) as team,
    cast(month_end_periods.region as {{ dbt.type_string() }}) as region,
    {{ pipeline_quota_measures('rep_month_sums') }}
from rep_month_sums
left join {{ ref('int_crm__reps_by_email') }} as reps
    on rep_month_sums.rep_email = reps.rep_email
left join {{ ref('int_hr__worker_periods') }} as month_end_periods
    on rep_month_sums.rep_email = month_end_periods.work_email
    and {{ in_force('month_end_periods', month_end('rep_month_sums.month')) }}
