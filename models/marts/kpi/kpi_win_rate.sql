-- Win rate per rep and close month (sparse: a row where the rep closed something that month).
-- rep_name is the CRM User's name; team and region are as of the last day of the month.
with closed_opportunities as (
    select *
    from {{ ref('int_opportunities__closed') }}
),

rep_month_sums as (
    select
        month,
        rep_email,
        {{ win_rate_sums() }}
    from closed_opportunities
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
    {{ win_rate_ratios('rep_months') }}
from rep_months
left join {{ ref('int_crm__reps_by_email') }} as reps
    on rep_months.rep_email = reps.rep_email
left join month_end_attributes
    on rep_months.month = month_end_attributes.month
    and rep_months.rep_email = month_end_attributes.rep_email
