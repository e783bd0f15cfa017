-- CRM usage per rep e-mail and day (sparse: a row where the rep logged in, created or edited a
-- record, or had an activity that day). Owners / users without an e-mail (or unknown) form the
-- NULL rep_email row of the day.
--   activities_logged: Tasks + Events owned, on their CreatedDate (the day they were logged).
--   call_seconds / meeting_minutes: selling time on the activity_date (when it happened).
--   records_created_*: live records owned by the rep (current owner) created that day.
--   records_edited: later versions of live records (fct: int_activity__record_changes).
--   admin_minutes: (records created + edited) x var admin_minutes_per_record of their type.
--   is_active_day: a successful login or a record owned by the rep created that day.
-- Days after the as-of date (a Task's future ActivityDate, an Event scheduled later) are left out.
with users as (
    select
        user_id,
        email
    from {{ ref('stg_crm__users') }}
),

login_parts as (
    select
        users.email as rep_email,
        logins.login_date as activity_day,
        cast(count(*) as bigint) as logins,
        cast(0 as bigint) as activities_logged,
        cast(0 as bigint) as call_seconds,
        cast(0 as bigint) as meeting_minutes,
        cast(0 as bigint) as records_created,
        cast(0 as bigint) as records_created_task,
        cast(0 as bigint) as records_created_event,
        cast(0 as bigint) as records_created_lead,
        cast(0 as bigint) as records_created_opportunity,
        cast(0 as bigint) as records_created_account,
        cast(0 as bigint) as records_edited,
        cast(0 as double) as admin_minutes
    from {{ ref('stg_crm__login_history') }} as logins
    left join users
        on logins.user_id = users.user_id
    where logins.is_success
        and logins.login_date is not null
    group by users.email, logins.login_date
),

logged_parts as (
    select
        owner_email as rep_email,
        created_date as activity_day,
        cast(0 as bigint) as logins,
        cast(count(*) as bigint) as activities_logged,
        cast(0 as bigint) as call_seconds,
        cast(0 as bigint) as meeting_minutes,
        cast(0 as bigint) as records_created,
        cast(0 as bigint) as records_created_task,
        cast(0 as bigint) as records_created_event,
        cast(0 as bigint) as records_created_lead,
        cast(0 as bigint) as records_created_opportunity,
        cast(0 as bigint) as records_created_account,
        cast(0 as bigint) as records_edited,
        cast(0 as double) as admin_minutes
    from {{ ref('fct_activities') }}
    where created_date is not null
    group by owner_email, created_date
),

selling_parts as (
    select
        owner_email as rep_email,
        activity_date as activity_day,
        cast(0 as bigint) as logins,
        cast(0 as bigint) as activities_logged,
        cast(sum(call_seconds) as bigint) as call_seconds,
        cast(sum(meeting_minutes) as bigint) as meeting_minutes,
        cast(0 as bigint) as records_created,
        cast(0 as bigint) as records_created_task,
        cast(0 as bigint) as records_created_event,
        cast(0 as bigint) as records_created_lead,
        cast(0 as bigint) as records_created_opportunity,
        cast(0 as bigint) as records_created_account,
        cast(0 as bigint) as records_edited,
        cast(0 as double) as admin_minutes
    from {{ ref('fct_activities') }}
    where activity_date is not null
        and (call_seconds > 0 or meeting_minutes > 0)
    group by owner_email, activity_date
),

record_parts as (
    select
        owner_email as rep_email,
        change_date as activity_day,
        cast(0 as bigint) as logins,
        cast(0 as bigint) as activities_logged,
        cast(0 as bigint) as call_seconds,
        cast(0 as bigint) as meeting_minutes,
        cast(count(case when change_kind = 'created' then 1 end) as bigint) as records_created,
        cast(count(case when change_kind = 'created' and record_type = 'Task' then 1 end) as bigint) as records_created_task,
        cast(count(case when change_kind = 'created' and record_type = 'Event' then 1 end) as bigint) as records_created_event,
        cast(count(case when change_kind = 'created' and record_type = 'Lead' then 1 end) as bigint) as records_created_lead,
        cast(count(case when change_kind = 'created' and record_type = 'Opportunity' then 1 end) as bigint) as records_created_opportunity,
        cast(count(case when change_kind = 'created' and record_type = 'Account' then 1 end) as bigint) as records_created_account,
        cast(count(case when change_kind = 'edited' then 1 end) as bigint) as records_edited,
        cast(sum(admin_minutes) as double) as admin_minutes
    from {{ ref('int_activity__record_changes') }}
    group by owner_email, change_date
),

all_parts as (
    select * from login_parts
    union all
    select * from logged_parts
    union all
    select * from selling_parts
    union all
    select * from record_parts
),

daily_sums as (
    select
        rep_email,
        activity_day,
        sum(logins) as logins,
        sum(activities_logged) as activities_logged,
        sum(call_seconds) as call_seconds,
        sum(meeting_minutes) as meeting_minutes,
        sum(records_created) as records_created,
        sum(records_created_task) as records_created_task,
        sum(records_created_event) as records_created_event,
        sum(records_created_lead) as records_created_lead,
        sum(records_created_opportunity) as records_created_opportunity,
        sum(records_created_account) as records_created_account,
        sum(records_edited) as records_edited,
        sum(admin_minutes) as admin_minutes
    from all_parts
    -- a Task due / an Event scheduled after "now" (the as-of date) has not happened yet
    where activity_day <= (select max(as_of_date) from {{ ref('int_as_of_date') }})
    group by rep_email, activity_day
)

select
    cast(rep_email as {{ dbt.type_string() }}) as rep_email,
    cast(activity_day as date) as activity_date,
    cast({{ dbt.date_trunc('month', 'activity_day') }} as date) as month,
    cast(logins as bigint) as logins,
    cast(activities_logged as bigint) as activities_logged,
    cast(call_seconds as bigint) as call_seconds,
    cast(meeting_minutes as bigint) as meeting_minutes,
    cast(call_seconds + 60 * meeting_minutes as bigint) as selling_seconds,
    cast(records_created as bigint) as records_created,
    cast(records_created_task as bigint) as records_created_task,
    cast(records_created_event as bigint) as records_created_event,
    cast(records_created_lead as bigint) as records_created_lead,
    cast(records_created_opportunity as bigint) as records_created_opportunity,
    cast(records_created_account as bigint) as records_created_account,
    cast(records_edited as bigint) as records_edited,
    cast(admin_minutes as double) as admin_minutes,
    logins > 0 or records_created > 0 as is_active_day
from daily_sums
