-- LMS course assignments, latest row per (work_email, course_id, assigned_date) by drop, then line.
with source_rows as (
    select
        {{ clean_email('work_email') }} as work_email,
        trim(course_id) as course_id,
        assigned_date,
        due_date,
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'lms_assignments') }}
),

ranked_versions as (
    select
        source_rows.*,
        {{ latest_version_rank('work_email, course_id, assigned_date', by_modstamp=false) }} as version_rank
    from source_rows
    where work_email is not null
        and course_id is not null
        and course_id <> ''
)

select
    work_email,
    course_id,
    assigned_date,
    due_date,
    drop_date
from ranked_versions
where version_rank = 1
