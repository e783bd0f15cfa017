{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='activity_id',
        on_schema_change='fail'
    )
}}
-- The latest version of every Task and Event ever delivered (highest SystemModstamp, then later
-- drop, then later line; 15- and 18-character Ids are one record), deleted ones included and
-- flagged (is_deleted): fct_activities keeps the live ones and joins the owner's e-mail, which
-- changes independently of the activity and so is not stored here.
--
-- Incremental by drop date (macros/incremental_window.sql): a run for drops D1..D2 recomputes
-- the records with a raw row in those drops, from ALL their raw versions (a semi-join on the
-- Id), and replaces their rows (delete+insert on activity_id). Every record keeps one row, a
-- deletion included, so the result is the full refresh's whatever order drops arrive in.
{%- set drop_range = incremental_drop_range() %}

with
{%- if drop_range is not none %}

changed_task_ids as (
    select distinct {{ sf_id('id') }} as task_id
    from {{ source('raw', 'crm_task') }}
    where {{ in_drop_range('_drop_date', drop_range) }}
),

changed_event_ids as (
    select distinct {{ sf_id('id') }} as event_id
    from {{ source('raw', 'crm_event') }}
    where {{ in_drop_range('_drop_date', drop_range) }}
),
{%- endif %}

task_rows as (
    -- every raw version of the changed Tasks (of all Tasks in a full build)
    select
        {{ sf_id('id') }} as task_id,
        {{ sf_id('ownerid') }} as owner_id,
        {{ sf_id('whoid') }} as who_id,
        {{ sf_id('whatid') }} as what_id,
        {{ clean_string('tasksubtype') }} as task_subtype,
        {{ clean_string('status') }} as status,
        activitydate as activity_date,
        completeddatetime as completed_at,
        calldurationinseconds as call_duration_seconds,
        createddate as created_at,
        systemmodstamp as system_modstamp,
        isdeleted as is_deleted,
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'crm_task') }}
    {%- if drop_range is not none %}
    where {{ sf_id_in('id', 'select task_id from changed_task_ids') }}
    {%- else %}
    where {{ sf_id('id') }} is not null
    {%- endif %}
),

event_rows as (
    -- every raw version of the changed Events (of all Events in a full build)
    select
        {{ sf_id('id') }} as event_id,
        {{ sf_id('ownerid') }} as owner_id,
        {{ sf_id('whoid') }} as who_id,
        {{ sf_id('whatid') }} as what_id,
        startdatetime as start_at,
        enddatetime as end_at,
        durationinminutes as duration_minutes,
        {{ clean_string('type') }} as event_type,
        createddate as created_at,
        systemmodstamp as system_modstamp,
        isdeleted as is_deleted,
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'crm_event') }}
    {%- if drop_range is not none %}
    where {{ sf_id_in('id', 'select event_id from changed_event_ids') }}
    {%- else %}
    where {{ sf_id('id') }} is not null
    {%- endif %}
),

ranked_task_versions as (
    select
        task_rows.*,
        {{ latest_version_rank('task_id') }} as version_rank
    from task_rows
),

ranked_event_versions as (
    select
        event_rows.*,
        {{ latest_version_rank('event_id') }} as version_rank
    from event_rows
),

task_activities as (
    select
        task_id as activity_id,
        'task' as activity_kind,
        task_subtype as subtype,
        owner_id,
        who_id,
        what_id,
        coalesce(completed_at is not null or status = 'Completed', false) as is_completed,
        coalesce(completed_at, created_at) as touch_at,
        coalesce(activity_date, cast(coalesce(completed_at, created_at) as date)) as activity_date,
        created_at,
        cast(coalesce(call_duration_seconds, 0) as bigint) as call_seconds,
        cast(0 as bigint) as meeting_minutes,
        coalesce(is_deleted, false) as is_deleted,
        system_modstamp,
        drop_date
    from ranked_task_versions
    where version_rank = 1
),

event_activities as (
    select
        event_id as activity_id,
        'event' as activity_kind,
        coalesce(event_type, 'Event') as subtype,
        owner_id,
        who_id,
        what_id,
        true as is_completed,
        created_at as touch_at,
        cast(coalesce(start_at, created_at) as date) as activity_date,
        created_at,
        cast(0 as bigint) as call_seconds,
        cast(
            coalesce(
                duration_minutes,
                case when end_at >= start_at then {{ dbt.datediff('start_at', 'end_at', 'minute') }} end,
                0
            ) as bigint
        ) as meeting_minutes,
        coalesce(is_deleted, false) as is_deleted,
        system_modstamp,
        drop_date
    from ranked_event_versions
    where version_rank = 1
),

activities as (
    select * from task_activities
    union all
    select * from event_activities
),

classified_activities as (
    select
        activities.*,
        case substring(activities.who_id, 1, 3) when '00Q' then 'Lead' when '003' then 'Contact' end as who_object,
        case substring(activities.what_id, 1, 3) when '006' then 'Opportunity' when '001' then 'Account' end as what_object
    from activities
)

select
    activity_id,
    cast(activity_kind as {{ dbt.type_string() }}) as activity_kind,
    subtype,
    owner_id,
    who_id,
    who_object,
    what_id,
    what_object,
    is_completed,
    touch_at,
    cast(touch_at as date) as touch_date,
    activity_date,
    created_at,
    cast(created_at as date) as created_date,
    call_seconds,
    meeting_minutes,
    coalesce(
        who_object in ('Lead', 'Contact')
        and (
            activity_kind = 'event'
            or (is_completed and subtype in ('Call', 'Email', 'ListEmail', 'Cadence'))
        ),
        false
    ) as is_touch,
    is_deleted,
    system_modstamp,
    drop_date as version_drop_date
from classified_activities
