-- Effective-dated HR periods per work email: each HR row is in force from its effective_date
-- (valid_from) to the day before the next effective_date of the same worker (valid_to; NULL =
-- open). Periods are sequenced per work email, the key that joins HR to the CRM User, so one
-- email never has two periods in force on the same day. team = the manager's full name (the
-- manager's most recent HR row).
with workers as (
    select *
    from {{ ref('stg_hr__workers') }}
    where work_email is not null
        and effective_date is not null
),

manager_names as (
    select
        employee_id,
        full_name
    from (
        select
            employee_id,
            full_name,
            row_number() over (
                partition by employee_id
                order by effective_date desc nulls last, hire_date desc nulls last
            ) as name_rank
        from {{ ref('stg_hr__workers') }}
    ) as ranked_names
    where name_rank = 1
),

sequenced_rows as (
    select
        workers.*,
        lead(workers.effective_date) over (
            partition by workers.work_email
            order by
                workers.effective_date asc nulls last,
                workers.hire_date asc nulls last,
                workers.employee_id asc nulls last
        ) as next_effective_date
    from workers
),

periods as (
    select
        sequenced_rows.work_email,
        sequenced_rows.employee_id,
        sequenced_rows.full_name,
        sequenced_rows.department,
        sequenced_rows.job_title,
        sequenced_rows.job_level,
        sequenced_rows.manager_employee_id,
        manager_names.full_name as team,
        sequenced_rows.region,
        sequenced_rows.hire_date,
        sequenced_rows.termination_date,
        sequenced_rows.termination_type,
        sequenced_rows.is_regrettable,
        sequenced_rows.effective_date as valid_from,
        cast({{ dbt.dateadd('day', -1, 'sequenced_rows.next_effective_date') }} as date) as valid_to
    from sequenced_rows
    left join manager_names
        on sequenced_rows.manager_employee_id = manager_names.employee_id
)

-- two rows of one email on the same effective_date: the last in sequence wins, the other
-- would be an empty period
select *
from periods
where valid_to is null
    or valid_to >= valid_from
