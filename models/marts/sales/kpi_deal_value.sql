-- Deal value per rep and close month (METRICS.md section 5).
-- Grain: one row per (month, rep_email) where the rep won at least one opportunity that month
-- (sparse).
-- Rules: over the rep's won opportunities closed in the month; NULL amounts (no applicable
-- rate) are left out of the amount measures; median and largest come from the rep's own deals
-- (sales_deal_value_measures, the same at every grain). rep_name is the CRM User's name; team
-- and region are the rep's HR period in force on the last day of the month (NULL without one).
with won_opportunities as (
    select *
    from {{ ref('fct_closed_opportunities') }}
    where is_won
),

rep_month_sums as (
    select
        month,
        rep_email,
        {{ sales_deal_value_measures() }}
    from won_opportunities
    group by month, rep_email
)

select
    rep_month_sums.month,
    cast(rep_month_sums.rep_email as {{ dbt.type_string() }}) as rep_email,
    cast(reps.rep_name as {{ dbt.type_string() }}) as rep_name,
    cast(month_end_periods.team as {{ dbt.type_string() }}) as team,
    cast(month_end_periods.region as {{ dbt.type_string() }}) as region,
    {{ sales_deal_value_columns('rep_month_sums') }}
from rep_month_sums
left join {{ ref('int_crm__reps_by_email') }} as reps
    on rep_month_sums.rep_email = reps.rep_email
left join {{ ref('int_hr__worker_periods') }} as month_end_periods
    on rep_month_sums.rep_email = month_end_periods.work_email
    and {{ in_force('month_end_periods', month_end('rep_month_sums.month')) }}
