-- Salesforce Tasks, latest version per record; records deleted in their latest version are out.
-- who_object / what_object name the referenced object from the Id key prefix.
with source_rows as (
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
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'crm_task') }}
),

ranked_versions as (
    select
        source_rows.*,
        {{ latest_version_rank('task_id') }} as version_rank
    from source_rows
    where task_id is not null
)

select
    task_id,
    owner_id,
    who_id,
    case substring(who_id, 1, 3) when '00Q' then 'Lead' when '003' then 'Contact' end as who_object,
    what_id,
    case substring(what_id, 1, 3) when '006' then 'Opportunity' when '001' then 'Account' end as what_object,
    task_subtype,
    task_type,
    status,
    activity_date,
    completed_at,
    call_duration_seconds,
    call_disposition,
    subject,
    created_at,
    system_modstamp,
    drop_date
from ranked_versions
where version_rank = 1
    and not coalesce(is_deleted, false)
