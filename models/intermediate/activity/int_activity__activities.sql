{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_strategy(),
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
-- Id as delivered), and replaces their rows (delete+insert on activity_id). Every record keeps
-- one row, a deletion included, so the result is the full refresh's whatever order drops
-- arrive in.
{%- set drop_range = incremental_drop_range() %}

with
{%- if drop_range is not none %}

changed_task_ids as (
    select distinct task_id
    from {{ ref('base_crm__tasks') }}
    where {{ in_drop_range('drop_date', drop_range) }}
),

changed_event_ids as (
    select distinct event_id
    from {{ ref('base_crm__events') }}
    where {{ in_drop_range('drop_date', drop_range) }}
),
{%- endif %}

task_versions as (
    -- every raw version of the changed Tasks (of all Tasks in a full build), as an activity
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
        drop_date,
        source_line
    from {{ ref('base_crm__tasks') }}
    {%- if drop_range is not none %}
    where {{ sf_source_id_in(ref('base_crm__tasks'), 'select task_id from changed_task_ids') }}
    {%- else %}
    where task_id is not null
    {%- endif %}
),

event_versions as (
    -- every raw version of the changed Events (of all Events in a full build), as an activity
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
        drop_date,
        source_line
    from {{ ref('base_crm__events') }}
    {%- if drop_range is not none %}
    where {{ sf_source_id_in(ref('base_crm__events'), 'select event_id from changed_event_ids') }}
    {%- else %}
    where event_id is not null
    {%- endif %}
),

activity_versions as (
    select * from task_versions
    union all
    select * from event_versions
),

ranked_versions as (
    select
        activity_versions.*,
        {{ latest_version_rank('activity_kind, activity_id') }} as version_rank
    from activity_versions
),

latest_activities as (
    select
        ranked_versions.*,
        {{ sf_who_object('who_id') }} as who_object,
        {{ sf_what_object('what_id') }} as what_object
    from ranked_versions
    where version_rank = 1
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
from latest_activities
