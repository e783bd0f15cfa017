-- Salesforce Events, latest version per record (every version typed in base_crm__events);
-- records deleted in their latest version are out. who_object / what_object name the
-- referenced object from the Id key prefix.
with event_versions as (
    select *
    from {{ ref('base_crm__events') }}
),

ranked_versions as (
    select
        event_versions.*,
        {{ latest_version_rank('event_id') }} as version_rank
    from event_versions
    where event_id is not null
)

select
    event_id,
    owner_id,
    who_id,
    {{ sf_who_object('who_id') }} as who_object,
    what_id,
    {{ sf_what_object('what_id') }} as what_object,
    start_at,
    end_at,
    duration_minutes,
    event_type,
    subject,
    created_at,
    system_modstamp,
    drop_date
from ranked_versions
where version_rank = 1
    and not coalesce(is_deleted, false)
