-- Effective-dated HR periods per worker (employee_id): each HR row of the newest snapshot is in
-- force from its effective_date (valid_from) to the day before the SAME worker's next
-- effective_date (valid_to; NULL = open). A worker's own job history: the retention and
-- new-hire marts take a worker's team, region and role from here, by employee_id, never
-- through the work e-mail (issue 12: two workers can share one e-mail in real HR data). The
-- e-mail identity that joins CRM / LMS to HR is int_hr__worker_periods, built from these.
-- team = the manager's full name (the manager's most recent HR row).
with workers as (
    select *
    from {{ ref('stg_hr__workers') }}
    where effective_date is not null
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
            partition by workers.employee_id
            order by
                workers.effective_date asc nulls last,
                workers.hire_date asc nulls last
        ) as next_effective_date
    from workers
)

select
    sequenced_rows.employee_id,
    sequenced_rows.work_email,
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
