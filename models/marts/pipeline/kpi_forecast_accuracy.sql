-- Forecast accuracy per ended close month and rep (METRICS.md section 7).
-- Grain: one row per (close_month, rep_email) of an ended close month where the rep won
-- something closing in the month or had an open / won opportunity for it in one of the horizon
-- snapshots (sparse).
-- Rules: actual won amount / the forecast as it stood at each horizon's snapshot
-- (pipeline_accuracy_sums / _measures, the same at every grain). rep_name is the CRM User's
-- name; team and region are the rep's HR period in force on the last day of the close month
-- (NULL without one).
with accuracy_events as (
    select *
    from {{ ref('fct_forecast_accuracy_events') }}
),

rep_month_sums as (
    select
        close_month,
        rep_email,
        {{ pipeline_accuracy_sums() }}
    from accuracy_events
    group by close_month, rep_email
)

select
    rep_month_sums.close_month,
    cast(rep_month_sums.rep_email as {{ dbt.type_string() }}) as rep_email,
    cast(reps.rep_name as {{ dbt.type_string() }}) as rep_name,
    cast(month_end_periods.team as {{ dbt.type_string() }}) as team,
    cast(month_end_periods.region as {{ dbt.type_string() }}) as region,
    {{ pipeline_accuracy_measures('rep_month_sums', 'accuracy_months') }}
from rep_month_sums
inner join {{ ref('dim_forecast_accuracy_months') }} as accuracy_months
    on rep_month_sums.close_month = accuracy_months.close_month
left join {{ ref('int_crm__reps_by_email') }} as reps
    on rep_month_sums.rep_email = reps.rep_email
left join {{ ref('int_hr__worker_periods') }} as month_end_periods
    on rep_month_sums.rep_email = month_end_periods.work_email
    and {{ in_force('month_end_periods', month_end('rep_month_sums.close_month')) }}
