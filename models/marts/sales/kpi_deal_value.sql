-- Deal value per rep and close month (sparse: a row where the rep won at least one opportunity
-- that month). rep_name is the CRM User's name; team and region are as of the last day of the
-- month. Median and largest are computed from the rep's own deals.
with won_opportunities as (
    select *
    from {{ ref('int_opportunities__closed') }}
    where is_won
),

rep_months as (
    select
        month,
        rep_email,
        {{ sales_deal_value_measures() }}
    from won_opportunities
    group by month, rep_email
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
    rep_months.won_count,
    rep_months.won_with_amount_count,
    rep_months.bookings_amount,
    rep_months.avg_won_amount,
    rep_months.median_won_amount,
    rep_months.largest_won_amount
from rep_months
left join {{ ref('int_crm__reps_by_email') }} as reps
    on rep_months.rep_email = reps.rep_email
left join month_end_attributes
    on rep_months.month = month_end_attributes.month
    and {{ sales_null_safe_equal('rep_months.rep_email', 'month_end_attributes.rep_email') }}
