{{ config(materialized=view_materialization()) }}
-- One row per live Task and Event (latest version, not deleted), with its owner's e-mail, its
-- touch time and whether it is an outreach touch (METRICS.md section 8).
--   touch_at: Task = CompletedDateTime, else CreatedDate; Event = CreatedDate (it has no
--             CompletedDateTime).
--   activity_date: when the activity happened: Task = ActivityDate, else the date of touch_at;
--             Event = the date of StartDateTime, else of CreatedDate.
--   is_touch: a completed Task of subtype Call / Email / ListEmail / Cadence, or an Event, whose
--             WhoId is a Lead (00Q) or a Contact (003).
-- The activities themselves are kept incrementally by int_activity__activities; the owner's
-- e-mail (a User attribute that can change in any later drop) is joined here, at read time, so
-- an incremental run can never leave a stale copy behind.
with activities as (
    select *
    from {{ ref('int_activity__activities') }}
    where not is_deleted
),

owners as (
    select
        user_id,
        email
    from {{ ref('stg_crm__users') }}
)

select
    activities.activity_id,
    activities.activity_kind,
    activities.subtype,
    activities.owner_id,
    owners.email as owner_email,
    activities.who_id,
    activities.who_object,
    activities.what_id,
    activities.what_object,
    activities.is_completed,
    activities.touch_at,
    activities.touch_date,
    activities.activity_date,
    activities.created_at,
    activities.created_date,
    activities.call_seconds,
    activities.meeting_minutes,
    activities.is_touch
from activities
left join owners
    on activities.owner_id = owners.user_id
