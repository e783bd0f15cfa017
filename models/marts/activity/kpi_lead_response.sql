-- Lead response time (METRICS.md section 9) per rep and month (sparse: a row where the rep has
-- something to count that month). rep_name is the CRM User's name; team and region are as of the
-- last day of the month. Percentiles are computed from the leads of the row (continuous).
with parts as (
    select *
    from {{ ref('int_activity__lead_response') }}
),

rep_month_sums as (
    select
        month,
        rep_email,
        {{ activity_lead_response_measures() }}
    from parts
    group by month, rep_email
),

rep_months as (
    select
        rep_month_sums.*,
        cast({{ dbt.last_day('rep_month_sums.month', 'month') }} as date) as month_end
    from rep_month_sums
),

month_end_attributes as (
    {{ rep_attributes_at_month_end('rep_months') }}
)

select
    rep_months.month,
    cast(rep_months.rep_email as {{ dbt.type_string() }}) as rep_email,
    cast(reps.rep_name as {{ dbt.type_string() }}) as rep_name,
    cast(month_end_attributes.team as {{ dbt.type_string() }}) as team,
    cast(month_end_attributes.region as {{ dbt.type_string() }}) as region,
    rep_months.leads_created,
    rep_months.leads_answered,
    rep_months.leads_pending,
    rep_months.leads_within_sla,
    rep_months.leads_never_answered,
    rep_months.median_response_minutes,
    rep_months.p90_response_minutes,
    rep_months.within_sla_share,
    rep_months.never_answered_share
from rep_months
left join {{ ref('int_crm__reps_by_email') }} as reps
    on rep_months.rep_email = reps.rep_email
left join month_end_attributes
    on rep_months.month = month_end_attributes.month
    and rep_months.rep_email = month_end_attributes.rep_email
