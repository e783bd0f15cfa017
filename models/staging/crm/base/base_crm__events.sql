-- Every raw version of every Salesforce Event, typed and renamed (one row per raw row): the one
-- place the Event columns are typed. Ids and references are 15-character identities (sf_id);
-- source_id is the Id as delivered, for the incremental models' semi-join on the raw column
-- (macro sf_source_id_in). stg_crm__events keeps the latest version of each record.
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
    id as source_id,
    _drop_date as drop_date,
    _line as source_line
from {{ source('raw', 'crm_event') }}
