-- New hires and ramp time: one row per employment span (fct_employment; a rehire is a new span)
-- with the worker's team / region / role in force on the hire date, whether the span ended
-- within 90 days of the hire (termination_date <= hire_date + 90 days) and the ramp time =
-- days from hire_date to the first won deal (fct_opportunities is_won, close_date) the rep owns
-- with a close_date on or after the hire date (and before the span's end). Ramp is measurable
-- only for spans hired on or after the start of the CRM history (the earliest opportunity
-- CreatedDate): for earlier hires the first won deal in the CRM is not their first.
-- team / region / role are the worker's own (int_hr__employee_periods, by employee_id). A won
-- deal's owner e-mail is credited to a span only when the e-mail identity in force on the
-- close date (int_hr__worker_periods) names this worker, or names nobody: with two workers
-- sharing one e-mail, each deal goes to one of them (issue 12).
with spans as (
    select *
    from {{ ref('fct_employment') }}
),

won_deals as (
    select
        owner_email,
        close_date
    from {{ ref('fct_opportunities') }}
    where is_won
        and is_closed
        and close_date is not null
        and owner_email is not null
),

crm_history as (
    select min(created_date) as crm_history_start
    from {{ ref('fct_opportunities') }}
),

hr_as_of as (
    select max(drop_date) as hr_as_of_date
    from {{ ref('stg_hr__workers') }}
),

first_wins as (
    select
        spans.employee_id,
        spans.span_number,
        min(won_deals.close_date) as first_won_close_date
    from spans
    inner join won_deals
        on spans.work_email = won_deals.owner_email
        and won_deals.close_date >= spans.hire_date
        and (spans.termination_date is null or won_deals.close_date <= spans.termination_date)
    left join {{ ref('int_hr__worker_periods') }} as identity_periods
        on won_deals.owner_email = identity_periods.work_email
        and {{ in_force('identity_periods', 'won_deals.close_date') }}
    where identity_periods.employee_id is null
        or identity_periods.employee_id = spans.employee_id
    group by spans.employee_id, spans.span_number
)

select
    spans.employee_id,
    spans.span_number,
    spans.work_email as rep_email,
    cast(reps.rep_name as {{ dbt.type_string() }}) as rep_name,
    spans.full_name,
    spans.hire_date,
    spans.hire_month,
    spans.termination_date,
    spans.termination_type,
    spans.is_rehire,
    cast(hire_periods.team as {{ dbt.type_string() }}) as team,
    cast(hire_periods.region as {{ dbt.type_string() }}) as region,
    cast(hire_periods.job_title as {{ dbt.type_string() }}) as role,
    reps.rep_email is not null as has_crm_user,
    cast({{ dbt.dateadd('day', 90, 'spans.hire_date') }} as date) <= hr_as_of.hr_as_of_date as is_90_day_window_complete,
    coalesce(
        spans.termination_date <= cast({{ dbt.dateadd('day', 90, 'spans.hire_date') }} as date),
        false
    ) as left_within_90_days,
    first_wins.first_won_close_date,
    crm_history.crm_history_start is not null
        and spans.hire_date >= crm_history.crm_history_start as is_ramp_measurable,
    case
        when crm_history.crm_history_start is not null and spans.hire_date >= crm_history.crm_history_start
            then {{ dbt.datediff('spans.hire_date', 'first_wins.first_won_close_date', 'day') }}
    end as ramp_days
from spans
cross join crm_history
cross join hr_as_of
left join first_wins
    on spans.employee_id = first_wins.employee_id
    and spans.span_number = first_wins.span_number
left join {{ ref('int_crm__reps_by_email') }} as reps
    on spans.work_email = reps.rep_email
left join {{ ref('int_hr__employee_periods') }} as hire_periods
    on spans.employee_id = hire_periods.employee_id
    and {{ in_force('hire_periods', 'spans.hire_date') }}
