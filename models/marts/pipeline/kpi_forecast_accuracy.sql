-- Forecast accuracy per ended close month and rep (sparse: a row where the rep won something
-- closing in the month or had an open / won opportunity for it in one of the horizon
-- snapshots). rep_name is the CRM User's name; team and region are the rep's on the last day
-- of the month.
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
),

month_end_attributes as (
    {{ rep_attributes_at_month_end('rep_month_sums', month_column='close_month') }}
)

select
    rep_month_sums.close_month,
    cast(rep_month_sums.rep_email as {{ dbt.type_string() }}) as rep_email,
    cast(reps.rep_name as {{ dbt.type_string() }}) as rep_name,
    cast(month_end_attributes.team as {{ dbt.type_string() }}) as team,
    cast(month_end_attributes.region as {{ dbt.type_string() }}) as region,
    {{ pipeline_accuracy_measures('rep_month_sums', 'accuracy_months') }}
from rep_month_sums
inner join {{ ref('dim_forecast_accuracy_months') }} as accuracy_months
    on rep_month_sums.close_month = accuracy_months.close_month
left join {{ ref('int_crm__reps_by_email') }} as reps
    on rep_month_sums.rep_email = reps.rep_email
left join month_end_attributes
    on rep_month_sums.close_month = month_end_attributes.close_month
    and rep_month_sums.rep_email = month_end_attributes.rep_email
