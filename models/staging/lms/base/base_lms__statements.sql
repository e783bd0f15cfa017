-- Every raw delivery of every xAPI statement, typed and renamed (one row per raw row): the one
-- place the statement columns are typed. statement_id is the id lower-cased and trimmed (the
-- identity of a statement); verb is the verb IRI without the ADL prefix.
-- stg_lms__statements and int_people__statements keep each statement's first delivery.
select
    lower(trim(id)) as statement_id,
    nullif(trim(replace(lower(actor_mbox), 'mailto:', '')), '') as actor_email,
    trim(verb_id) as verb_id,
    replace(trim(verb_id), 'http://adlnet.gov/expapi/verbs/', '') as verb,
    trim(object_id) as object_id,
    {{ clean_string('object_objecttype') }} as object_type,
    result_completion,
    result_success,
    result_score_scaled,
    {{ clean_string('result_duration') }} as result_duration,
    result_duration_seconds,
    statement_timestamp as statement_at,
    cast(statement_timestamp as date) as statement_date,
    _drop_date as drop_date,
    _line as source_line
from {{ source('raw', 'lms_statements') }}
