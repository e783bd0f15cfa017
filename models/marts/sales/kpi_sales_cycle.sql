-- Sales cycle and 90-day sales velocity per rep and month (METRICS.md section 6).
-- Grain: one row per (month, rep_email) where the rep closed an opportunity in the month or has
-- an opportunity created or closed in the month's trailing 90-day window (months up to the
-- as-of month).
-- Rules: cycle days of the opportunities the rep closed in the month (negative ones left out
-- and counted); velocity over the trailing 90 days ending on the month's last day
-- (sales_cycle_sums / sales_cycle_columns, the same at every grain). rep_name is the CRM User's
-- name; team and region are the rep's HR period in force on the last day of the month (NULL
-- without one).
with cycle_events as (
    select *
    from {{ ref('fct_sales_cycle_events') }}
),

rep_month_sums as (
    select
        month,
        rep_email,
        {{ sales_cycle_sums() }}
    from cycle_events
    group by month, rep_email
)

select
    rep_month_sums.month,
    cast(rep_month_sums.rep_email as {{ dbt.type_string() }}) as rep_email,
    cast(reps.rep_name as {{ dbt.type_string() }}) as rep_name,
    cast(month_end_periods.team as {{ dbt.type_string() }}) as team,
    cast(month_end_periods.region as {{ dbt.type_string() }}) as region,
    {{ sales_cycle_columns('rep_month_sums') }}
from rep_month_sums
left join {{ ref('int_crm__reps_by_email') }} as reps
    on rep_month_sums.rep_email = reps.rep_email
left join {{ ref('int_hr__worker_periods') }} as month_end_periods
    on rep_month_sums.rep_email = month_end_periods.work_email
    and {{ in_force('month_end_periods', month_end('rep_month_sums.month')) }}
