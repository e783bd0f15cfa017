-- LMS course catalog, latest row per course_id (latest drop, then latest line).
with source_rows as (
    select
        trim(course_id) as course_id,
        {{ clean_string('title') }} as course_title,
        lower({{ clean_string('category') }}) as category,
        expected_hours,
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'lms_courses') }}
),

ranked_versions as (
    select
        source_rows.*,
        {{ latest_version_rank('course_id', by_modstamp=false) }} as version_rank
    from source_rows
    where course_id is not null
        and course_id <> ''
)

select
    course_id,
    course_title,
    category,
    expected_hours,
    drop_date
from ranked_versions
where version_rank = 1
