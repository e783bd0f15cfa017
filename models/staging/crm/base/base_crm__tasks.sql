-- Every raw version of every Salesforce Task, typed and renamed (one row per raw row): the one
-- place the Task columns are typed. Ids and references are 15-character identities (sf_id);
-- source_id is the Id as delivered, for the incremental models' semi-join on the raw column
-- (macro sf_source_id_in). stg_crm__tasks keeps the latest version of each record.
select
    {{ sf_id('id') }} as task_id,
    {{ sf_id('ownerid') }} as owner_id,
    {{ sf_id('whoid') }} as who_id,
    {{ sf_id('whatid') }} as what_id,
    {{ clean_string('tasksubtype') }} as task_subtype,
    {{ clean_string('type') }} as task_type,
    {{ clean_string('status') }} as status,
    activitydate as activity_date,
    completeddatetime as completed_at,
    calldurationinseconds as call_duration_seconds,
    {{ clean_string('calldisposition') }} as call_disposition,
    {{ clean_string('subject') }} as subject,
    createddate as created_at,
    systemmodstamp as system_modstamp,
    isdeleted as is_deleted,
    id as source_id,
    _drop_date as drop_date,
    _line as source_line
from {{ source('raw', 'crm_task') }}
