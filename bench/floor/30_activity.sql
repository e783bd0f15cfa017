-- ==== 30_activity: the activity marts (kpi_crm_usage*, kpi_lead_response*, kpi_outreach*)
-- Computed from staging.* (stg_* and base_* relations, and staging.int_hr__worker_periods, the
-- pipeline's int_hr__worker_periods) and marts.dim_dates only; the logic of the pipeline's
-- int_activity__*, fct_activities, fct_leads, fct_crm_usage_daily and int_crm__reps_by_email is
-- rewritten here.
-- fct_activities = the live Tasks and Events, i.e. staging.stg_crm__tasks / stg_crm__events
-- (same latest-version rule as int_activity__activities, deleted ones out), so the big
-- Task / Event tables are scanned without any window over their versions.
-- Parameters of the pipeline (dbt_project.yml vars): lead response SLA 60 minutes, under-touched
-- < 3 touches, over-nurtured > 12 touches, admin minutes per record Task 2 / Event 3 / Lead 3 /
-- Opportunity 5 / Account 5.
-- The as-of date ("now"): getvariable('as_of_date'), the newest complete drop's date (any
-- system) that the runner sets (the pipeline's int_as_of_date).
-- Temp tables (dropped at the end): activity_as_of, activity_daily, activity_lead_touches,
-- activity_leads, activity_usage_parts, activity_outreach_parts, activity_lead_response.

-- the as-of date: newest drop date loaded
create temp table activity_as_of as
select cast(getvariable('as_of_date') as date) as as_of_date;

-- CRM usage per rep e-mail and day (fct_crm_usage_daily): logins, activities logged (on their
-- CreatedDate), selling time (on their activity date), records created / edited and admin
-- minutes; every part keyed by the CRM user id first, mapped to the user's e-mail at the end
create temp table activity_daily as
with task_edits as (
    -- one edit per distinct SystemModstamp after the live record's CreatedDate, owned by the
    -- OwnerId of its latest delivery. The live version has the highest SystemModstamp of the
    -- record, so only live records stamped after their CreatedDate can have an edit: the hash
    -- table is built on those alone (exact, and a fraction of the live records)
    select
        arg_max_null(versions.owner_id, (versions.drop_date, versions.source_line)) as owner_id,
        cast(versions.system_modstamp as date) as change_day
    from staging.base_crm__tasks as versions
    inner join (
        select task_id, created_at
        from staging.stg_crm__tasks
        where system_modstamp > created_at
    ) as live
        on versions.task_id = live.task_id
    where versions.system_modstamp > live.created_at
    group by versions.task_id, versions.system_modstamp
),

event_edits as (
    select
        arg_max_null(versions.owner_id, (versions.drop_date, versions.source_line)) as owner_id,
        cast(versions.system_modstamp as date) as change_day
    from staging.base_crm__events as versions
    inner join (
        select event_id, created_at
        from staging.stg_crm__events
        where system_modstamp > created_at
    ) as live
        on versions.event_id = live.event_id
    where versions.system_modstamp > live.created_at
    group by versions.event_id, versions.system_modstamp
),

lead_edits as (
    select
        arg_max_null(versions.owner_id, (versions.drop_date, versions.source_line)) as owner_id,
        cast(versions.system_modstamp as date) as change_day
    from staging.base_crm__leads as versions
    inner join (
        select lead_id, created_at
        from staging.stg_crm__leads
        where system_modstamp > created_at
    ) as live
        on versions.lead_id = live.lead_id
    where versions.system_modstamp > live.created_at
    group by versions.lead_id, versions.system_modstamp
),

opportunity_edits as (
    select
        arg_max_null(versions.owner_id, (versions.drop_date, versions.source_line)) as owner_id,
        cast(versions.system_modstamp as date) as change_day
    from staging.base_crm__opportunities as versions
    inner join (
        select opportunity_id, created_at
        from staging.stg_crm__opportunities
        where system_modstamp > created_at
    ) as live
        on versions.opportunity_id = live.opportunity_id
    where versions.system_modstamp > live.created_at
    group by versions.opportunity_id, versions.system_modstamp
),

account_edits as (
    select
        arg_max_null(versions.owner_id, (versions.drop_date, versions.source_line)) as owner_id,
        cast(versions.system_modstamp as date) as change_day
    from staging.base_crm__accounts as versions
    inner join (
        select account_id, created_at
        from staging.stg_crm__accounts
        where system_modstamp > created_at
    ) as live
        on versions.account_id = live.account_id
    where versions.system_modstamp > live.created_at
    group by versions.account_id, versions.system_modstamp
),

-- (user_id, day, logins, logged, call_seconds, meeting_minutes, created task / event / lead /
--  opportunity / account, edited, admin_minutes)
user_day_parts as (
    select user_id, login_date as day, count(*) as logins, 0 as logged, 0 as call_seconds,
        0 as meeting_minutes, 0 as created_task, 0 as created_event, 0 as created_lead,
        0 as created_opportunity, 0 as created_account, 0 as edited, 0 as admin_minutes
    from staging.stg_crm__login_history
    where is_success and login_date is not null
    group by all
    union all
    -- Tasks: logged and created on CreatedDate (same count: every live Task is both)
    select owner_id, cast(created_at as date), 0, count(*), 0, 0, count(*), 0, 0, 0, 0, 0, 2 * count(*)
    from staging.stg_crm__tasks
    where created_at is not null
    group by all
    union all
    select owner_id, cast(created_at as date), 0, count(*), 0, 0, 0, count(*), 0, 0, 0, 0, 3 * count(*)
    from staging.stg_crm__events
    where created_at is not null
    group by all
    union all
    -- selling time on the activity date
    select owner_id, coalesce(activity_date, cast(coalesce(completed_at, created_at) as date)),
        0, 0, sum(call_duration_seconds), 0, 0, 0, 0, 0, 0, 0, 0
    from staging.stg_crm__tasks
    where call_duration_seconds > 0
    group by all
    union all
    select owner_id, cast(coalesce(start_at, created_at) as date), 0, 0, 0, sum(minutes), 0, 0, 0, 0, 0, 0, 0
    from (
        select
            owner_id,
            start_at,
            created_at,
            coalesce(
                duration_minutes,
                case when end_at >= start_at then date_diff('minute', start_at, end_at) end,
                0
            ) as minutes
        from staging.stg_crm__events
    ) as event_minutes
    where minutes > 0
    group by all
    union all
    select owner_id, cast(created_at as date), 0, 0, 0, 0, 0, 0, count(*), 0, 0, 0, 3 * count(*)
    from staging.stg_crm__leads
    where created_at is not null
    group by all
    union all
    select owner_id, cast(created_at as date), 0, 0, 0, 0, 0, 0, 0, count(*), 0, 0, 5 * count(*)
    from staging.stg_crm__opportunities
    where created_at is not null
    group by all
    union all
    select owner_id, cast(created_at as date), 0, 0, 0, 0, 0, 0, 0, 0, count(*), 0, 5 * count(*)
    from staging.stg_crm__accounts
    where created_at is not null
    group by all
    union all
    select owner_id, change_day, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(*), 2 * count(*) from task_edits group by all
    union all
    select owner_id, change_day, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(*), 3 * count(*) from event_edits group by all
    union all
    select owner_id, change_day, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(*), 3 * count(*) from lead_edits group by all
    union all
    select owner_id, change_day, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(*), 5 * count(*) from opportunity_edits group by all
    union all
    select owner_id, change_day, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(*), 5 * count(*) from account_edits group by all
),

email_day_sums as (
    select
        users.email as rep_email,
        parts.day,
        sum(parts.logins) as logins,
        sum(parts.logged) as activities_logged,
        sum(parts.call_seconds) as call_seconds,
        sum(parts.meeting_minutes) as meeting_minutes,
        sum(parts.created_task + parts.created_event + parts.created_lead
            + parts.created_opportunity + parts.created_account) as records_created,
        sum(parts.admin_minutes) as admin_minutes
    from user_day_parts as parts
    left join staging.stg_crm__users as users
        on parts.user_id = users.user_id
    -- a Task due / an Event scheduled after the as-of date has not happened yet
    where parts.day <= (select as_of_date from activity_as_of)
    group by all
)

select
    cast(rep_email as varchar) as rep_email,
    day as activity_date,
    cast(date_trunc('month', day) as date) as month,
    cast(logins as bigint) as logins,
    cast(activities_logged as bigint) as activities_logged,
    cast(call_seconds + 60 * meeting_minutes as bigint) as selling_seconds,
    cast(admin_minutes as double) as admin_minutes,
    logins > 0 or records_created > 0 as is_active_day
from email_day_sums;

-- lead touches (fct_activities where is_touch and WhoId is a lead): lead, owner e-mail, touch time
create temp table activity_lead_touches as
with touches as (
    select who_id, owner_id, coalesce(completed_at, created_at) as touch_at
    from staging.stg_crm__tasks
    where who_object = 'Lead'
        and (completed_at is not null or status = 'Completed')
        and task_subtype in ('Call', 'Email', 'ListEmail', 'Cadence')
    union all
    select who_id, owner_id, created_at
    from staging.stg_crm__events
    where who_object = 'Lead'
)

select touches.who_id as lead_id, users.email as owner_email, touches.touch_at
from touches
left join staging.stg_crm__users as users
    on touches.owner_id = users.user_id;

-- one row per live lead (fct_leads): owner, final status, first response, touch counts, flags
create temp table activity_leads as
with final_moments as (
    -- int_activity__lead_final_at: first SystemModstamp of a final version, or the end of the
    -- ConvertedDate when earlier
    select
        lead_id,
        case
            when min(converted_day_end) is not null and min(converted_day_end) < min(system_modstamp)
                then min(converted_day_end)
            else min(system_modstamp)
        end as final_at
    from (
        select
            lead_id,
            system_modstamp,
            case
                when coalesce(is_converted, false) and converted_date is not null
                    then cast(converted_date as timestamp) + interval 1 day - interval 1 second
            end as converted_day_end
        from staging.base_crm__leads
        where lead_id is not null
            and (coalesce(is_converted, false) or status like 'Closed%')
    ) as final_versions
    group by lead_id
),

lead_states as (
    select
        leads.lead_id,
        leads.owner_id,
        leads.created_at,
        leads.created_date,
        coalesce(leads.is_converted, false) as is_converted,
        coalesce(coalesce(leads.is_converted, false) or leads.status like 'Closed%', false) as is_final,
        final_moments.final_at
    from staging.stg_crm__leads as leads
    left join final_moments
        on leads.lead_id = final_moments.lead_id
),

touch_counts as (
    select
        lead_states.lead_id,
        min(case when lead_touches.touch_at >= lead_states.created_at then lead_touches.touch_at end) as first_touch_at,
        count(lead_touches.touch_at) as touches,
        count(case when lead_touches.touch_at <= lead_states.final_at then 1 end) as touches_by_final
    from lead_states
    inner join activity_lead_touches as lead_touches
        on lead_states.lead_id = lead_touches.lead_id
    group by lead_states.lead_id
),

lead_facts as (
    select
        lead_states.lead_id,
        lead_states.owner_id,
        lead_states.created_at,
        lead_states.created_date,
        lead_states.is_converted,
        lead_states.is_final,
        touch_counts.first_touch_at,
        cast(date_diff('second', lead_states.created_at, touch_counts.first_touch_at) as double) / 60.0 as response_minutes,
        cast(coalesce(touch_counts.touches, 0) as bigint) as touches,
        case
            when lead_states.is_final and lead_states.final_at is null then cast(coalesce(touch_counts.touches, 0) as bigint)
            when lead_states.is_final then cast(coalesce(touch_counts.touches_by_final, 0) as bigint)
        end as touches_before_final,
        coalesce(
            touch_counts.first_touch_at is null
            and lead_states.created_at + interval 60 minute
                > cast((select as_of_date from activity_as_of) as timestamp) + interval 1 day,
            false
        ) as is_pending
    from lead_states
    left join touch_counts
        on lead_states.lead_id = touch_counts.lead_id
)

select
    lead_facts.lead_id,
    users.email as owner_email,
    lead_facts.created_date,
    cast(date_trunc('month', lead_facts.created_date) as date) as created_month,
    lead_facts.is_converted,
    lead_facts.is_final,
    lead_facts.response_minutes,
    lead_facts.first_touch_at is not null as is_answered,
    lead_facts.is_pending,
    case
        when lead_facts.first_touch_at is not null then lead_facts.response_minutes <= 60
        when lead_facts.is_pending then null
        else false
    end as is_within_sla,
    lead_facts.first_touch_at is null and not lead_facts.is_pending as is_never_answered,
    lead_facts.touches,
    coalesce(lead_facts.is_final and lead_facts.touches_before_final < 3, false) as is_under_touched,
    coalesce(
        lead_facts.is_final and not lead_facts.is_converted and lead_facts.touches_before_final > 12,
        false
    ) as is_over_nurtured
from lead_facts
left join staging.stg_crm__users as users
    on lead_facts.owner_id = users.user_id;

-- additive CRM-usage parts at (month, rep_email, team, region), team / region in force on the
-- day of each part (fct_crm_usage_parts): daily usage, working days (Mon-Fri) of every
-- rep-month with an e-mail, open opportunities at month end
create temp table activity_usage_parts as
with months as (
    select distinct
        month_start as month,
        month_end,
        cast(month_end as timestamp) + interval 1 day as month_end_close
    from marts.dim_dates
    where month_start <= (select as_of_date from activity_as_of)
        and month_end >= (select min(created_date) from staging.stg_crm__opportunities)
),

candidates as (
    -- live opportunities created on or before each month end
    select months.month, months.month_end, months.month_end_close, live.opportunity_id
    from months
    inner join staging.stg_crm__opportunities as live
        on live.created_date <= months.month_end
),

stamped_versions as (
    -- one version per (opportunity, SystemModstamp): the latest delivery
    select opportunity_id, owner_id, is_closed, close_date, amount, next_step, system_modstamp
    from staging.base_crm__opportunities
    where system_modstamp is not null
        and opportunity_id in (select opportunity_id from staging.stg_crm__opportunities)
    qualify row_number() over (
        partition by opportunity_id, system_modstamp
        order by drop_date desc nulls last, source_line desc nulls last
    ) = 1
),

stand_in_versions as (
    -- the earliest known version, standing in when no version was stamped before a month end
    select opportunity_id, owner_id, is_closed, close_date, amount, next_step
    from staging.base_crm__opportunities
    where opportunity_id in (select opportunity_id from staging.stg_crm__opportunities)
    qualify row_number() over (
        partition by opportunity_id
        order by system_modstamp asc nulls last, drop_date desc nulls last, source_line desc nulls last
    ) = 1
),

versions_at_month_end as (
    select
        candidates.month,
        candidates.month_end,
        stamped_versions.opportunity_id is not null as is_in_force,
        case when stamped_versions.opportunity_id is not null then stamped_versions.owner_id else stand_in_versions.owner_id end as owner_id,
        case when stamped_versions.opportunity_id is not null then stamped_versions.is_closed else stand_in_versions.is_closed end as is_closed,
        case when stamped_versions.opportunity_id is not null then stamped_versions.close_date else stand_in_versions.close_date end as close_date,
        case when stamped_versions.opportunity_id is not null then stamped_versions.amount else stand_in_versions.amount end as amount,
        case when stamped_versions.opportunity_id is not null then stamped_versions.next_step else stand_in_versions.next_step end as next_step
    from candidates
    asof left join stamped_versions
        on candidates.opportunity_id = stamped_versions.opportunity_id
        and candidates.month_end_close > stamped_versions.system_modstamp
    left join stand_in_versions
        on candidates.opportunity_id = stand_in_versions.opportunity_id
),

open_opps as (
    select
        versions.month,
        users.email as rep_email,
        periods.team,
        periods.region,
        coalesce(
            versions.close_date is null
            or versions.close_date < versions.month_end
            or versions.amount is null
            or versions.next_step is null,
            false
        ) as is_stale
    from versions_at_month_end as versions
    left join staging.stg_crm__users as users
        on versions.owner_id = users.user_id
    left join staging.int_hr__worker_periods as periods
        on users.email = periods.work_email
        and periods.valid_from <= versions.month_end
        and (periods.valid_to is null or versions.month_end <= periods.valid_to)
    where not coalesce(versions.is_closed, false)
        or (not versions.is_in_force and versions.close_date > versions.month_end)
),

rep_months as (
    select distinct month, rep_email from activity_daily
    union
    select distinct month, rep_email from open_opps
),

working_days as (
    select rep_months.month, rep_months.rep_email, cast(unnest(generate_series(
        rep_months.month, rep_months.month + interval 1 month - interval 1 day, interval 1 day
    )) as date) as work_day
    from rep_months
    where rep_months.rep_email is not null
)

select
    daily.month, daily.rep_email, periods.team, periods.region,
    cast(sum(daily.activities_logged) as bigint) as activities_logged,
    cast(sum(daily.logins) as bigint) as logins,
    cast(count(case when daily.is_active_day then 1 end) as bigint) as active_days,
    -- adoption's numerator: active days Monday-Friday, for reps with an e-mail (as working days)
    cast(count(case when daily.is_active_day and daily.rep_email is not null
        and isodow(daily.activity_date) <= 5 then 1 end) as bigint) as active_working_days,
    cast(0 as bigint) as working_days,
    cast(sum(daily.selling_seconds) as bigint) as selling_seconds,
    cast(sum(daily.admin_minutes) as double) as admin_minutes,
    cast(0 as bigint) as open_opps,
    cast(0 as bigint) as stale_open_opps
from activity_daily as daily
left join staging.int_hr__worker_periods as periods
    on daily.rep_email = periods.work_email
    and periods.valid_from <= daily.activity_date
    and (periods.valid_to is null or daily.activity_date <= periods.valid_to)
group by all
union all
select
    working_days.month, working_days.rep_email, periods.team, periods.region,
    0, 0, 0, 0, count(*), 0, 0.0, 0, 0
from working_days
left join staging.int_hr__worker_periods as periods
    on working_days.rep_email = periods.work_email
    and periods.valid_from <= working_days.work_day
    and (periods.valid_to is null or working_days.work_day <= periods.valid_to)
where isodow(working_days.work_day) <= 5
group by all
union all
select
    month, rep_email, team, region,
    0, 0, 0, 0, 0, 0, 0.0, count(*), count(case when is_stale then 1 end)
from open_opps
group by all;

-- additive outreach parts at (month, rep_email, team, region) (fct_outreach_parts):
-- touches by the touch's month / owner / team of the touch date; leads touched once per rep and
-- month, team of the rep's first touch of the lead that month; lead cohorts by creation month and
-- current owner, team of the creation date
create temp table activity_outreach_parts as
with touch_days as (
    select owner_id, cast(touch_at as date) as touch_date, count(*) as touches,
        count(case when who_object = 'Lead' then 1 end) as lead_touches
    from (
        select owner_id, who_object, coalesce(completed_at, created_at) as touch_at
        from staging.stg_crm__tasks
        where who_object in ('Lead', 'Contact')
            and (completed_at is not null or status = 'Completed')
            and task_subtype in ('Call', 'Email', 'ListEmail', 'Cadence')
        union all
        select owner_id, who_object, created_at
        from staging.stg_crm__events
        where who_object in ('Lead', 'Contact')
    ) as touches
    group by all
),

email_touch_days as (
    select users.email as rep_email, touch_days.touch_date, sum(touch_days.touches) as touches,
        sum(touch_days.lead_touches) as lead_touches
    from touch_days
    left join staging.stg_crm__users as users
        on touch_days.owner_id = users.user_id
    group by all
),

rep_lead_months as (
    select
        cast(date_trunc('month', cast(touch_at as date)) as date) as month,
        owner_email as rep_email,
        min(cast(touch_at as date)) as first_touch_date
    from activity_lead_touches
    group by 1, owner_email, lead_id
)

select
    cast(date_trunc('month', touches.touch_date) as date) as month, touches.rep_email,
    periods.team, periods.region,
    cast(sum(touches.touches) as bigint) as touches,
    cast(sum(touches.lead_touches) as bigint) as lead_touches,
    cast(0 as bigint) as leads_touched,
    cast(0 as bigint) as leads_owned,
    cast(0 as bigint) as leads_final,
    cast(0 as bigint) as leads_converted,
    cast(0 as bigint) as converted_lead_touches,
    cast(0 as bigint) as leads_under_touched,
    cast(0 as bigint) as leads_over_nurtured
from email_touch_days as touches
left join staging.int_hr__worker_periods as periods
    on touches.rep_email = periods.work_email
    and periods.valid_from <= touches.touch_date
    and (periods.valid_to is null or touches.touch_date <= periods.valid_to)
group by all
union all
select
    rep_lead_months.month, rep_lead_months.rep_email, periods.team, periods.region,
    0, 0, count(*), 0, 0, 0, 0, 0, 0
from rep_lead_months
left join staging.int_hr__worker_periods as periods
    on rep_lead_months.rep_email = periods.work_email
    and periods.valid_from <= rep_lead_months.first_touch_date
    and (periods.valid_to is null or rep_lead_months.first_touch_date <= periods.valid_to)
group by all
union all
select
    leads.created_month, leads.owner_email, periods.team, periods.region,
    0, 0, 0,
    count(*),
    count(case when leads.is_final then 1 end),
    count(case when leads.is_converted then 1 end),
    coalesce(sum(case when leads.is_converted then leads.touches end), 0),
    count(case when leads.is_under_touched then 1 end),
    count(case when leads.is_over_nurtured then 1 end)
from activity_leads as leads
left join staging.int_hr__worker_periods as periods
    on leads.owner_email = periods.work_email
    and periods.valid_from <= leads.created_date
    and (periods.valid_to is null or leads.created_date <= periods.valid_to)
where leads.created_month is not null
group by all;

-- the lead-response population (fct_lead_response): live leads with their creation
-- month, owner e-mail and the owner's team / region on the CreatedDate
create temp table activity_lead_response as
select
    leads.created_month as month,
    leads.owner_email as rep_email,
    periods.team,
    periods.region,
    leads.response_minutes,
    leads.is_answered,
    leads.is_pending,
    leads.is_within_sla,
    leads.is_never_answered
from activity_leads as leads
left join staging.int_hr__worker_periods as periods
    on leads.owner_email = periods.work_email
    and periods.valid_from <= leads.created_date
    and (periods.valid_to is null or leads.created_date <= periods.valid_to)
where leads.created_month is not null;

-- kpi_crm_usage: CRM usage per rep e-mail and month (rep name from the CRM User, team / region
-- as of the month's last day); ratios NULL on a 0 denominator
create table marts.kpi_crm_usage as
with rep_months as (
    select
        month,
        rep_email,
        cast(sum(activities_logged) as bigint) as activities_logged,
        cast(sum(logins) as bigint) as logins,
        cast(sum(active_days) as bigint) as active_days,
        cast(sum(active_working_days) as bigint) as active_working_days,
        cast(sum(working_days) as bigint) as working_days,
        cast(sum(selling_seconds) as double) / 3600.0 as selling_hours,
        cast(sum(admin_minutes) as double) / 60.0 as admin_hours,
        cast(sum(open_opps) as bigint) as open_opps,
        cast(sum(stale_open_opps) as bigint) as stale_open_opps
    from activity_usage_parts
    group by month, rep_email
),

reps_by_email as (
    select email as rep_email, user_name as rep_name
    from staging.stg_crm__users
    where email is not null
    qualify row_number() over (
        partition by email
        order by case when is_active then 0 else 1 end, system_modstamp desc nulls last, user_id asc nulls last
    ) = 1
)

select
    rep_months.month,
    cast(rep_months.rep_email as varchar) as rep_email,
    cast(reps_by_email.rep_name as varchar) as rep_name,
    cast(periods.team as varchar) as team,
    cast(periods.region as varchar) as region,
    rep_months.activities_logged,
    rep_months.logins,
    rep_months.active_days,
    rep_months.active_working_days,
    rep_months.working_days,
    rep_months.active_working_days / nullif(rep_months.working_days, 0) as adoption_rate,
    rep_months.selling_hours,
    rep_months.admin_hours,
    rep_months.selling_hours / nullif(rep_months.selling_hours + rep_months.admin_hours, 0) as selling_share,
    rep_months.open_opps,
    rep_months.stale_open_opps,
    rep_months.stale_open_opps / nullif(rep_months.open_opps, 0) as stale_open_opp_share
from rep_months
left join reps_by_email
    on rep_months.rep_email = reps_by_email.rep_email
left join staging.int_hr__worker_periods as periods
    on rep_months.rep_email = periods.work_email
    and periods.valid_from <= last_day(rep_months.month)
    and (periods.valid_to is null or last_day(rep_months.month) <= periods.valid_to);

-- kpi_crm_usage_company: CRM usage of the whole company per month
create table marts.kpi_crm_usage_company as
with company_months as (
    select
        month,
        cast(sum(activities_logged) as bigint) as activities_logged,
        cast(sum(logins) as bigint) as logins,
        cast(sum(active_days) as bigint) as active_days,
        cast(sum(active_working_days) as bigint) as active_working_days,
        cast(sum(working_days) as bigint) as working_days,
        cast(sum(selling_seconds) as double) / 3600.0 as selling_hours,
        cast(sum(admin_minutes) as double) / 60.0 as admin_hours,
        cast(sum(open_opps) as bigint) as open_opps,
        cast(sum(stale_open_opps) as bigint) as stale_open_opps
    from activity_usage_parts
    group by month
)

select
    month,
    activities_logged,
    logins,
    active_days,
    active_working_days,
    working_days,
    active_working_days / nullif(working_days, 0) as adoption_rate,
    selling_hours,
    admin_hours,
    selling_hours / nullif(selling_hours + admin_hours, 0) as selling_share,
    open_opps,
    stale_open_opps,
    stale_open_opps / nullif(open_opps, 0) as stale_open_opp_share
from company_months;

-- kpi_crm_usage_region: CRM usage per region and month (each part in the region in force on
-- its day; reps without an HR match in the NULL region)
create table marts.kpi_crm_usage_region as
with region_months as (
    select
        month,
        region,
        cast(sum(activities_logged) as bigint) as activities_logged,
        cast(sum(logins) as bigint) as logins,
        cast(sum(active_days) as bigint) as active_days,
        cast(sum(active_working_days) as bigint) as active_working_days,
        cast(sum(working_days) as bigint) as working_days,
        cast(sum(selling_seconds) as double) / 3600.0 as selling_hours,
        cast(sum(admin_minutes) as double) / 60.0 as admin_hours,
        cast(sum(open_opps) as bigint) as open_opps,
        cast(sum(stale_open_opps) as bigint) as stale_open_opps
    from activity_usage_parts
    group by month, region
)

select
    month,
    cast(region as varchar) as region,
    activities_logged,
    logins,
    active_days,
    active_working_days,
    working_days,
    active_working_days / nullif(working_days, 0) as adoption_rate,
    selling_hours,
    admin_hours,
    selling_hours / nullif(selling_hours + admin_hours, 0) as selling_share,
    open_opps,
    stale_open_opps,
    stale_open_opps / nullif(open_opps, 0) as stale_open_opp_share
from region_months;

-- kpi_crm_usage_team: CRM usage per team (manager's name) and month (each part in the team in
-- force on its day; reps without an HR match in the NULL team)
create table marts.kpi_crm_usage_team as
with team_months as (
    select
        month,
        team,
        cast(sum(activities_logged) as bigint) as activities_logged,
        cast(sum(logins) as bigint) as logins,
        cast(sum(active_days) as bigint) as active_days,
        cast(sum(active_working_days) as bigint) as active_working_days,
        cast(sum(working_days) as bigint) as working_days,
        cast(sum(selling_seconds) as double) / 3600.0 as selling_hours,
        cast(sum(admin_minutes) as double) / 60.0 as admin_hours,
        cast(sum(open_opps) as bigint) as open_opps,
        cast(sum(stale_open_opps) as bigint) as stale_open_opps
    from activity_usage_parts
    group by month, team
)

select
    month,
    cast(team as varchar) as team,
    activities_logged,
    logins,
    active_days,
    active_working_days,
    working_days,
    active_working_days / nullif(working_days, 0) as adoption_rate,
    selling_hours,
    admin_hours,
    selling_hours / nullif(selling_hours + admin_hours, 0) as selling_share,
    open_opps,
    stale_open_opps,
    stale_open_opps / nullif(open_opps, 0) as stale_open_opp_share
from team_months;

-- kpi_lead_response: lead response per owner e-mail and lead creation month: counts, continuous
-- median / p90 of the answered leads' response minutes, within-SLA and never-answered shares of
-- the non-pending leads (rep name from the CRM User, team / region as of the month's last day)
create table marts.kpi_lead_response as
with rep_months as (
    select
        month,
        rep_email,
        count(*) as leads_created,
        count(case when is_answered then 1 end) as leads_answered,
        count(case when is_pending then 1 end) as leads_pending,
        count(case when is_within_sla then 1 end) as leads_within_sla,
        count(case when is_never_answered then 1 end) as leads_never_answered,
        quantile_cont(response_minutes, 0.5) as median_response_minutes,
        quantile_cont(response_minutes, 0.9) as p90_response_minutes,
        count(case when not is_pending then 1 end) as leads_settled
    from activity_lead_response
    group by month, rep_email
),

reps_by_email as (
    select email as rep_email, user_name as rep_name
    from staging.stg_crm__users
    where email is not null
    qualify row_number() over (
        partition by email
        order by case when is_active then 0 else 1 end, system_modstamp desc nulls last, user_id asc nulls last
    ) = 1
)

select
    rep_months.month,
    cast(rep_months.rep_email as varchar) as rep_email,
    cast(reps_by_email.rep_name as varchar) as rep_name,
    cast(periods.team as varchar) as team,
    cast(periods.region as varchar) as region,
    rep_months.leads_created,
    rep_months.leads_answered,
    rep_months.leads_pending,
    rep_months.leads_within_sla,
    rep_months.leads_never_answered,
    cast(rep_months.median_response_minutes as double) as median_response_minutes,
    cast(rep_months.p90_response_minutes as double) as p90_response_minutes,
    rep_months.leads_within_sla / nullif(rep_months.leads_settled, 0) as within_sla_share,
    rep_months.leads_never_answered / nullif(rep_months.leads_settled, 0) as never_answered_share
from rep_months
left join reps_by_email
    on rep_months.rep_email = reps_by_email.rep_email
left join staging.int_hr__worker_periods as periods
    on rep_months.rep_email = periods.work_email
    and periods.valid_from <= last_day(rep_months.month)
    and (periods.valid_to is null or last_day(rep_months.month) <= periods.valid_to);

-- kpi_lead_response_company: lead response of the whole company per lead creation month
create table marts.kpi_lead_response_company as
select
    month,
    count(*) as leads_created,
    count(case when is_answered then 1 end) as leads_answered,
    count(case when is_pending then 1 end) as leads_pending,
    count(case when is_within_sla then 1 end) as leads_within_sla,
    count(case when is_never_answered then 1 end) as leads_never_answered,
    cast(quantile_cont(response_minutes, 0.5) as double) as median_response_minutes,
    cast(quantile_cont(response_minutes, 0.9) as double) as p90_response_minutes,
    count(case when is_within_sla then 1 end) / nullif(count(case when not is_pending then 1 end), 0) as within_sla_share,
    count(case when is_never_answered then 1 end) / nullif(count(case when not is_pending then 1 end), 0) as never_answered_share
from activity_lead_response
group by month;

-- kpi_lead_response_region: lead response per region (of the owner on the lead's CreatedDate)
-- and lead creation month
create table marts.kpi_lead_response_region as
select
    month,
    cast(region as varchar) as region,
    count(*) as leads_created,
    count(case when is_answered then 1 end) as leads_answered,
    count(case when is_pending then 1 end) as leads_pending,
    count(case when is_within_sla then 1 end) as leads_within_sla,
    count(case when is_never_answered then 1 end) as leads_never_answered,
    cast(quantile_cont(response_minutes, 0.5) as double) as median_response_minutes,
    cast(quantile_cont(response_minutes, 0.9) as double) as p90_response_minutes,
    count(case when is_within_sla then 1 end) / nullif(count(case when not is_pending then 1 end), 0) as within_sla_share,
    count(case when is_never_answered then 1 end) / nullif(count(case when not is_pending then 1 end), 0) as never_answered_share
from activity_lead_response
group by month, region;

-- kpi_lead_response_team: lead response per team (of the owner on the lead's CreatedDate) and
-- lead creation month
create table marts.kpi_lead_response_team as
select
    month,
    cast(team as varchar) as team,
    count(*) as leads_created,
    count(case when is_answered then 1 end) as leads_answered,
    count(case when is_pending then 1 end) as leads_pending,
    count(case when is_within_sla then 1 end) as leads_within_sla,
    count(case when is_never_answered then 1 end) as leads_never_answered,
    cast(quantile_cont(response_minutes, 0.5) as double) as median_response_minutes,
    cast(quantile_cont(response_minutes, 0.9) as double) as p90_response_minutes,
    count(case when is_within_sla then 1 end) / nullif(count(case when not is_pending then 1 end), 0) as within_sla_share,
    count(case when is_never_answered then 1 end) / nullif(count(case when not is_pending then 1 end), 0) as never_answered_share
from activity_lead_response
group by month, team;

-- kpi_outreach: outreach per rep e-mail and month: touches / leads touched by the touch month,
-- lead cohort (owned, final, converted, under-touched, over-nurtured) by creation month, and
-- their ratios (rep name from the CRM User, team / region as of the month's last day)
create table marts.kpi_outreach as
with rep_months as (
    select
        month,
        rep_email,
        cast(sum(touches) as bigint) as touches,
        cast(sum(lead_touches) as bigint) as lead_touches,
        cast(sum(leads_touched) as bigint) as leads_touched,
        cast(sum(leads_owned) as bigint) as leads_owned,
        cast(sum(leads_final) as bigint) as leads_final,
        cast(sum(leads_converted) as bigint) as leads_converted,
        cast(sum(converted_lead_touches) as bigint) as converted_lead_touches,
        cast(sum(leads_under_touched) as bigint) as leads_under_touched,
        cast(sum(leads_over_nurtured) as bigint) as leads_over_nurtured
    from activity_outreach_parts
    group by month, rep_email
),

reps_by_email as (
    select email as rep_email, user_name as rep_name
    from staging.stg_crm__users
    where email is not null
    qualify row_number() over (
        partition by email
        order by case when is_active then 0 else 1 end, system_modstamp desc nulls last, user_id asc nulls last
    ) = 1
)

select
    rep_months.month,
    cast(rep_months.rep_email as varchar) as rep_email,
    cast(reps_by_email.rep_name as varchar) as rep_name,
    cast(periods.team as varchar) as team,
    cast(periods.region as varchar) as region,
    rep_months.touches,
    rep_months.lead_touches,
    rep_months.leads_touched,
    rep_months.lead_touches / nullif(rep_months.leads_touched, 0) as touches_per_touched_lead,
    rep_months.leads_owned,
    rep_months.leads_final,
    rep_months.leads_converted,
    rep_months.leads_converted / nullif(rep_months.leads_final, 0) as lead_conversion_rate,
    rep_months.converted_lead_touches,
    rep_months.converted_lead_touches / nullif(rep_months.leads_converted, 0) as touches_per_converted_lead,
    rep_months.leads_under_touched,
    rep_months.leads_under_touched / nullif(rep_months.leads_final, 0) as under_touched_share,
    rep_months.leads_over_nurtured,
    rep_months.leads_over_nurtured / nullif(rep_months.leads_final, 0) as over_nurtured_share
from rep_months
left join reps_by_email
    on rep_months.rep_email = reps_by_email.rep_email
left join staging.int_hr__worker_periods as periods
    on rep_months.rep_email = periods.work_email
    and periods.valid_from <= last_day(rep_months.month)
    and (periods.valid_to is null or last_day(rep_months.month) <= periods.valid_to);

-- kpi_outreach_company: outreach of the whole company per month
create table marts.kpi_outreach_company as
with company_months as (
    select
        month,
        cast(sum(touches) as bigint) as touches,
        cast(sum(lead_touches) as bigint) as lead_touches,
        cast(sum(leads_touched) as bigint) as leads_touched,
        cast(sum(leads_owned) as bigint) as leads_owned,
        cast(sum(leads_final) as bigint) as leads_final,
        cast(sum(leads_converted) as bigint) as leads_converted,
        cast(sum(converted_lead_touches) as bigint) as converted_lead_touches,
        cast(sum(leads_under_touched) as bigint) as leads_under_touched,
        cast(sum(leads_over_nurtured) as bigint) as leads_over_nurtured
    from activity_outreach_parts
    group by month
)

select
    month,
    touches,
    lead_touches,
    leads_touched,
    lead_touches / nullif(leads_touched, 0) as touches_per_touched_lead,
    leads_owned,
    leads_final,
    leads_converted,
    leads_converted / nullif(leads_final, 0) as lead_conversion_rate,
    converted_lead_touches,
    converted_lead_touches / nullif(leads_converted, 0) as touches_per_converted_lead,
    leads_under_touched,
    leads_under_touched / nullif(leads_final, 0) as under_touched_share,
    leads_over_nurtured,
    leads_over_nurtured / nullif(leads_final, 0) as over_nurtured_share
from company_months;

-- kpi_outreach_region: outreach per region (in force on the date of each part) and month
create table marts.kpi_outreach_region as
with region_months as (
    select
        month,
        region,
        cast(sum(touches) as bigint) as touches,
        cast(sum(lead_touches) as bigint) as lead_touches,
        cast(sum(leads_touched) as bigint) as leads_touched,
        cast(sum(leads_owned) as bigint) as leads_owned,
        cast(sum(leads_final) as bigint) as leads_final,
        cast(sum(leads_converted) as bigint) as leads_converted,
        cast(sum(converted_lead_touches) as bigint) as converted_lead_touches,
        cast(sum(leads_under_touched) as bigint) as leads_under_touched,
        cast(sum(leads_over_nurtured) as bigint) as leads_over_nurtured
    from activity_outreach_parts
    group by month, region
)

select
    month,
    cast(region as varchar) as region,
    touches,
    lead_touches,
    leads_touched,
    lead_touches / nullif(leads_touched, 0) as touches_per_touched_lead,
    leads_owned,
    leads_final,
    leads_converted,
    leads_converted / nullif(leads_final, 0) as lead_conversion_rate,
    converted_lead_touches,
    converted_lead_touches / nullif(leads_converted, 0) as touches_per_converted_lead,
    leads_under_touched,
    leads_under_touched / nullif(leads_final, 0) as under_touched_share,
    leads_over_nurtured,
    leads_over_nurtured / nullif(leads_final, 0) as over_nurtured_share
from region_months;

-- kpi_outreach_team: outreach per team (in force on the date of each part) and month
create table marts.kpi_outreach_team as
with team_months as (
    select
        month,
        team,
        cast(sum(touches) as bigint) as touches,
        cast(sum(lead_touches) as bigint) as lead_touches,
        cast(sum(leads_touched) as bigint) as leads_touched,
        cast(sum(leads_owned) as bigint) as leads_owned,
        cast(sum(leads_final) as bigint) as leads_final,
        cast(sum(leads_converted) as bigint) as leads_converted,
        cast(sum(converted_lead_touches) as bigint) as converted_lead_touches,
        cast(sum(leads_under_touched) as bigint) as leads_under_touched,
        cast(sum(leads_over_nurtured) as bigint) as leads_over_nurtured
    from activity_outreach_parts
    group by month, team
)

select
    month,
    cast(team as varchar) as team,
    touches,
    lead_touches,
    leads_touched,
    lead_touches / nullif(leads_touched, 0) as touches_per_touched_lead,
    leads_owned,
    leads_final,
    leads_converted,
    leads_converted / nullif(leads_final, 0) as lead_conversion_rate,
    converted_lead_touches,
    converted_lead_touches / nullif(leads_converted, 0) as touches_per_converted_lead,
    leads_under_touched,
    leads_under_touched / nullif(leads_final, 0) as under_touched_share,
    leads_over_nurtured,
    leads_over_nurtured / nullif(leads_final, 0) as over_nurtured_share
from team_months;

drop table activity_lead_response;
drop table activity_outreach_parts;
drop table activity_usage_parts;
drop table activity_leads;
drop table activity_lead_touches;
drop table activity_daily;
drop table activity_as_of;
