-- xAPI statements: one row per statement id (the same id delivered twice counts once: its first
-- delivery is kept). Statements voided by a `voided` statement (whose object.id is the voided
-- statement's id) are left out, and so are the voiding statements themselves.
with source_rows as (
    select
        lower(trim(id)) as statement_id,
        nullif(trim(replace(lower(actor_mbox), 'mailto:', '')), '') as actor_email,
        trim(verb_id) as verb_id,
        trim(object_id) as object_id,
        {{ clean_string('object_objecttype') }} as object_type,
        result_completion,
        result_success,
        result_score_scaled,
        {{ clean_string('result_duration') }} as result_duration,
        result_duration_seconds,
        statement_timestamp as statement_at,
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'lms_statements') }}
),

ranked_deliveries as (
    select
        source_rows.*,
        row_number() over (
            partition by statement_id
            order by drop_date asc nulls last, source_line asc nulls last
        ) as delivery_rank
    from source_rows
    where statement_id is not null
),

distinct_statements as (
    select *
    from ranked_deliveries
    where delivery_rank = 1
),

voiding_statements as (
    select distinct lower(object_id) as voided_statement_id
    from distinct_statements
    where verb_id = 'http://adlnet.gov/expapi/verbs/voided'
)

select
    distinct_statements.statement_id,
    distinct_statements.actor_email,
    distinct_statements.verb_id,
    replace(distinct_statements.verb_id, 'http://adlnet.gov/expapi/verbs/', '') as verb,
    distinct_statements.object_id as course_id,
    distinct_statements.object_type,
    distinct_statements.result_completion,
    distinct_statements.result_success,
    distinct_statements.result_score_scaled,
    distinct_statements.result_duration,
    distinct_statements.result_duration_seconds,
    distinct_statements.statement_at,
    cast(distinct_statements.statement_at as date) as statement_date,
    distinct_statements.drop_date
from distinct_statements
left join voiding_statements
    on distinct_statements.statement_id = voiding_statements.voided_statement_id
where voiding_statements.voided_statement_id is null
    and distinct_statements.verb_id <> 'http://adlnet.gov/expapi/verbs/voided'
