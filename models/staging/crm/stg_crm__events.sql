-- Salesforce Events, latest version per record; records deleted in their latest version are out.
with source_rows as (
    select
        {{ sf_id('id') }} as event_id,
        {{ sf_id('ownerid') }} as owner_id,
        {{ sf_id('whoid') }} as who_id,
        {{ sf_id('whatid') }} as what_id,
        startdatetime as start_at,
        enddatetime as end_at,
        durationinminutes as duration_minutes,
        {{ clean_string('type') }} as event_type,
        {{ clean_string('subject') }} as subject,
        createddate as created_at,
        systemmodstamp as system_modstamp,
        isdeleted as is_deleted,
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'crm_event') }}
),

ranked_versions as (
    select
        source_rows.*,
        {{ latest_version_rank('event_id') }} as version_rank
    from source_rows
    where event_id is not null
)

select
    event_id,
    owner_id,
    who_id,
    case substring(who_id, 1, 3) when '00Q' then 'Lead' when '003' then 'Contact' end as who_object,
    what_id,
    case substring(what_id, 1, 3) when '006' then 'Opportunity' when '001' then 'Account' end as what_object,
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
