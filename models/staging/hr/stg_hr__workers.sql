-- HR worker job history. Every HR drop is a full snapshot, so only the rows of the newest HR
-- drop count. One row per worker per effective-dated job change. annual_salary is
-- confidential and not carried past raw.
with source_rows as (
    select
        {{ clean_string('employee_id') }} as employee_id,
        {{ clean_email('work_email') }} as work_email,
        {{ clean_string('full_name') }} as full_name,
        {{ clean_string('department') }} as department,
        {{ clean_string('job_title') }} as job_title,
        {{ clean_string('job_level') }} as job_level,
        {{ clean_string('manager_employee_id') }} as manager_employee_id,
        {{ clean_string('region') }} as region,
        hire_date,
        termination_date,
        lower({{ clean_string('termination_type') }}) as termination_type,
        regrettable as is_regrettable,
        effective_date,
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'hr_workers') }}
),

newest_drop as (
    select max(drop_date) as drop_date
    from source_rows
),

newest_snapshot_rows as (
    select
        source_rows.*,
        row_number() over (
            partition by source_rows.employee_id, source_rows.effective_date
            order by source_rows.source_line desc nulls last
        ) as row_rank
    from source_rows
    inner join newest_drop
        on source_rows.drop_date = newest_drop.drop_date
    where source_rows.employee_id is not null
)

select
    employee_id,
    work_email,
    full_name,
    department,
    job_title,
    job_level,
    manager_employee_id,
    region,
    hire_date,
    termination_date,
    termination_type,
    is_regrettable,
    effective_date,
    drop_date
from newest_snapshot_rows
where row_rank = 1
