-- Rep attributes over time: one row per CRM User per period of the HR e-mail identity
-- (int_hr__worker_periods): the worker the user's e-mail names in the period (employee_id; when
-- several HR workers share the e-mail, the documented choice of that model, and
-- hr_workers_sharing_email > 1). Users without an HR match get one open row (valid_from and
-- valid_to NULL) with NULL HR attributes.
with users as (
    select *
    from {{ ref('stg_crm__users') }}
),

worker_periods as (
    select *
    from {{ ref('int_hr__worker_periods') }}
),

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

rep_periods as (
    select
        users.user_id,
        users.email as rep_email,
        users.user_name as rep_name,
        worker_periods.employee_id,
        worker_periods.workers_sharing_email as hr_workers_sharing_email,
        worker_periods.full_name as hr_full_name,
        worker_periods.team,
        worker_periods.manager_employee_id,
        worker_periods.region,
        worker_periods.job_title as role,
        worker_periods.job_level,
        worker_periods.department,
        worker_periods.hire_date,
        worker_periods.termination_date,
        worker_periods.valid_from,
        worker_periods.valid_to,
        worker_periods.employee_id is not null as has_hr_match
    from users
    left join worker_periods
        on users.email = worker_periods.work_email
)

select
    rep_periods.user_id,
    rep_periods.rep_email,
    rep_periods.rep_name,
    rep_periods.employee_id,
    rep_periods.hr_workers_sharing_email,
    rep_periods.hr_full_name,
    rep_periods.team,
    rep_periods.manager_employee_id,
    rep_periods.region,
    rep_periods.role,
    rep_periods.job_level,
    rep_periods.department,
    rep_periods.hire_date,
    rep_periods.termination_date,
    rep_periods.valid_from,
    rep_periods.valid_to,
    rep_periods.has_hr_match,
    coalesce(
        (rep_periods.valid_from is null or rep_periods.valid_from <= as_of.as_of_date)
        and (rep_periods.valid_to is null or as_of.as_of_date <= rep_periods.valid_to),
        false
    ) as is_current
from rep_periods
cross join as_of
