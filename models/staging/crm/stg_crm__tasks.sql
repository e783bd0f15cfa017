-- Salesforce Tasks, latest version per record (every version typed in base_crm__tasks); records
-- deleted in their latest version are out.
-- who_object / what_object name the referenced object from the Id key prefix.
with task_versions as (
    select *
    from {{ ref('base_crm__tasks') }}
),

ranked_versions as (
    select
        task_versions.*,
        {{ latest_version_rank('task_id') }} as version_rank
    from task_versions
    where task_id is not null
)

select
    task_id,
    owner_id,
    who_id,
    {{ sf_who_object('who_id') }} as who_object,
    what_id,
    {{ sf_what_object('what_id') }} as what_object,
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
