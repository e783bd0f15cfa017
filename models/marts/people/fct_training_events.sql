-- Learning events: one row per distinct, non-voided xAPI statement of a `completed`, `passed`
-- or `failed` verb. Staging already keeps one row per statement id and drops voided statements;
-- the same two rules are applied again here so this fact stays right whatever feeds it.
-- hours = result.duration, else the course's expected_hours for completed / passed (a failed
-- attempt without a duration has no hours). rep_email is the LMS actor's e-mail.
with statements as (
    select *
    from {{ ref('stg_lms__statements') }}
),

ranked_deliveries as (
    select
        statements.*,
        row_number() over (
            partition by statements.statement_id
            order by statements.drop_date asc nulls last, statements.statement_at asc nulls last
        ) as delivery_rank
    from statements
    where statements.statement_id is not null
),

voided_statement_ids as (
    -- a voiding statement's object.id is the id of the statement it cancels
    select distinct lower(trim(course_id)) as voided_statement_id
    from statements
    where verb = 'voided'
),

learning_statements as (
    select ranked_deliveries.*
    from ranked_deliveries
    left join voided_statement_ids
        on ranked_deliveries.statement_id = voided_statement_ids.voided_statement_id
    where ranked_deliveries.delivery_rank = 1
        and voided_statement_ids.voided_statement_id is null
        and ranked_deliveries.verb in ('completed', 'passed', 'failed')
),

courses as (
    select *
    from {{ ref('stg_lms__courses') }}
)

select
    learning_statements.statement_id,
    cast(learning_statements.actor_email as {{ dbt.type_string() }}) as rep_email,
    learning_statements.verb,
    learning_statements.course_id,
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
    on learning_statements.course_id = courses.course_id
