-- Learning events: one row per distinct, non-voided xAPI statement of a `completed`, `passed`
-- or `failed` verb (the same statement id delivered twice counts once, its first delivery;
-- a statement named by a `voided` statement is out). hours = result.duration, else the
-- course's expected_hours for completed / passed (a failed attempt without a duration has no
-- hours). rep_email is the LMS actor's e-mail.
-- The statements are kept incrementally by int_people__statements; the course catalog (which
-- can change in any later drop) is joined here, at build time.
with learning_statements as (
    select *
    from {{ ref('int_people__statements') }}
    where not is_voided
        and verb in ('completed', 'passed', 'failed')
),

courses as (
    select *
    from {{ ref('stg_lms__courses') }}
)

select
    learning_statements.statement_id,
    cast(learning_statements.actor_email as {{ dbt.type_string() }}) as rep_email,
    learning_statements.verb,
    learning_statements.object_id as course_id,
    courses.course_title,
    courses.category,
    learning_statements.statement_at,
    learning_statements.statement_date,
    cast({{ dbt.date_trunc('month', 'learning_statements.statement_date') }} as date) as month,
    learning_statements.verb in ('completed', 'passed') as is_completion,
    cast(
        case
            when learning_statements.result_duration_seconds is not null
                then learning_statements.result_duration_seconds / 3600.0
            when learning_statements.verb in ('completed', 'passed')
                then courses.expected_hours
        end
        as double
    ) as hours,
    learning_statements.result_duration_seconds is null
        and learning_statements.verb in ('completed', 'passed') as is_hours_from_catalog,
    cast(learning_statements.result_score_scaled as double) as scaled_score,
    learning_statements.result_success,
    learning_statements.drop_date
from learning_statements
left join courses
    on learning_statements.object_id = courses.course_id
