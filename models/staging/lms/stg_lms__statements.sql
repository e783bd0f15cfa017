-- xAPI statements (every delivery typed in base_lms__statements): one row per statement id (the
-- same id delivered twice counts once: its first delivery is kept). Statements voided by a
-- `voided` statement (whose object.id is the voided statement's id) are left out, and so are
-- the voiding statements themselves.
with statement_deliveries as (
    select *
    from {{ ref('base_lms__statements') }}
),

ranked_deliveries as (
    select
        statement_deliveries.*,
        {{ first_delivery_rank('statement_id') }} as delivery_rank
    from statement_deliveries
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
    distinct_statements.verb,
    distinct_statements.object_id as course_id,
    distinct_statements.object_type,
    distinct_statements.result_completion,
    distinct_statements.result_success,
    distinct_statements.result_score_scaled,
    distinct_statements.result_duration,
    distinct_statements.result_duration_seconds,
    distinct_statements.statement_at,
    distinct_statements.statement_date,
    distinct_statements.drop_date
from distinct_statements
left join voiding_statements
    on distinct_statements.statement_id = voiding_statements.voided_statement_id
where voiding_statements.voided_statement_id is null
    and distinct_statements.verb_id <> 'http://adlnet.gov/expapi/verbs/voided'
