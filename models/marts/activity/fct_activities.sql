-- One row per live Task and Event (latest version, not deleted), with its owner's e-mail, its
-- touch time and whether it is an outreach touch (METRICS.md section 8).
--   touch_at: Task = CompletedDateTime, else CreatedDate; Event = CreatedDate (it has no
--             CompletedDateTime).
--   activity_date: when the activity happened: Task = ActivityDate, else the date of touch_at;
--             Event = the date of StartDateTime, else of CreatedDate.
--   is_touch: a completed Task of subtype Call / Email / ListEmail / Cadence, or an Event, whose
--             WhoId is a Lead (00Q) or a Contact (003).
with tasks as (
    select *
    from {{ ref('stg_crm__tasks') }}
),

events as (
    select *
    from {{ ref('stg_crm__events') }}
),

owners as (
    select
        user_id,
        email
    from {{ ref('stg_crm__users') }}
),

task_activities as (
    select
        task_id as activity_id,
        'task' as activity_kind,
        task_subtype as subtype,
        owner_id,
        who_id,
        who_object,
        what_id,
        what_object,
        coalesce(completed_at is not null or status = 'Completed', false) as is_completed,
        coalesce(completed_at, created_at) as touch_at,
        coalesce(activity_date, cast(coalesce(completed_at, created_at) as date)) as activity_date,
        created_at,
        cast(coalesce(call_duration_seconds, 0) as bigint) as call_seconds,
        cast(0 as bigint) as meeting_minutes
    from tasks
),

event_activities as (
    select
        event_id as activity_id,
        'event' as activity_kind,
        coalesce(event_type, 'Event') as subtype,
        owner_id,
        who_id,
        who_object,
        what_id,
        what_object,
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
        ) as meeting_minutes
    from events
),

activities as (
    select * from task_activities
    union all
    select * from event_activities
)

select
    activities.activity_id,
    cast(activities.activity_kind as {{ dbt.type_string() }}) as activity_kind,
    activities.subtype,
    activities.owner_id,
    owners.email as owner_email,
    activities.who_id,
    activities.who_object,
    activities.what_id,
    activities.what_object,
    activities.is_completed,
    activities.touch_at,
    cast(activities.touch_at as date) as touch_date,
    activities.activity_date,
    activities.created_at,
    cast(activities.created_at as date) as created_date,
    activities.call_seconds,
    activities.meeting_minutes,
    coalesce(
        activities.who_object in ('Lead', 'Contact')
        and (
            activities.activity_kind = 'event'
            or (activities.is_completed and activities.subtype in ('Call', 'Email', 'ListEmail', 'Cadence'))
        ),
        false
    ) as is_touch
from activities
left join owners
    on activities.owner_id = owners.user_id
