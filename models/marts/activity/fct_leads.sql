-- One row per live lead (latest version, not deleted) with its owner, final status, first
-- response and touch counts (METRICS.md sections 8 and 9).
--   first_touch_at: earliest touch_at (Task: CompletedDateTime, else CreatedDate; Event:
--       CreatedDate) of a touch (fct_activities.is_touch) whose WhoId is the lead, at or after
--       the lead's CreatedDate (an activity dated before the lead existed can't answer it).
--   response_minutes: first_touch_at - CreatedDate in minutes (fractional), NULL if unanswered.
--   is_pending: unanswered and the SLA (var lead_response_sla_minutes) has not run out at
--       "now" = the end of the as-of date (newest extract date loaded + 1 day, 00:00): the
--       extract of day d holds the records of that whole day.
--   is_within_sla: answered with response_minutes <= SLA; NULL when pending.
--   is_never_answered: unanswered and not pending (older than the SLA at now).
--   touches_before_final: touches on the lead at or before final_at (int_activity__lead_final_at);
--       NULL while the lead is not final.
{%- set sla = var('lead_response_sla_minutes') %}
{%- set under_touched = var('under_touched_touches') %}
{%- set over_nurtured = var('over_nurtured_touches') %}

with leads as (
    select *
    from {{ ref('stg_crm__leads') }}
),

owners as (
    select
        user_id,
        email
    from {{ ref('stg_crm__users') }}
),

lead_touches as (
    select
        who_id as lead_id,
        touch_at
    from {{ ref('fct_activities') }}
    where is_touch
        and who_object = 'Lead'
),

final_moments as (
    select *
    from {{ ref('int_activity__lead_final_at') }}
),

now_moment as (
    select cast({{ dbt.dateadd('day', 1, 'cast(as_of_date as timestamp)') }} as timestamp) as now_at
    from {{ ref('int_as_of_date') }}
),

lead_states as (
    select
        leads.lead_id,
        leads.owner_id,
        leads.status,
        leads.lead_source,
        leads.created_at,
        leads.created_date,
        coalesce(leads.is_converted, false) as is_converted,
        leads.converted_date,
        coalesce(coalesce(leads.is_converted, false) or leads.status like 'Closed%', false) as is_final
    from leads
),

touch_counts as (
    select
        lead_states.lead_id,
        min(case when lead_touches.touch_at >= lead_states.created_at then lead_touches.touch_at end) as first_touch_at,
        count(lead_touches.touch_at) as touches,
        count(case when lead_touches.touch_at <= final_moments.final_at then 1 end) as touches_by_final
    from lead_states
    inner join lead_touches
        on lead_states.lead_id = lead_touches.lead_id
    left join final_moments
        on lead_states.lead_id = final_moments.lead_id
    group by lead_states.lead_id
),

lead_facts as (
    select
        lead_states.*,
        case when lead_states.is_final then coalesce(final_moments.final_at, lead_states.created_at) end as final_at,
        touch_counts.first_touch_at,
        case
            when touch_counts.first_touch_at is not null
                then {{ activity_minutes_between('lead_states.created_at', 'touch_counts.first_touch_at') }}
        end as response_minutes,
        cast(coalesce(touch_counts.touches, 0) as bigint) as touches,
        case
            when lead_states.is_final and final_moments.final_at is null then cast(coalesce(touch_counts.touches, 0) as bigint)
            when lead_states.is_final then cast(coalesce(touch_counts.touches_by_final, 0) as bigint)
        end as touches_before_final,
        coalesce(
            touch_counts.first_touch_at is null
            and cast({{ dbt.dateadd('minute', sla, 'lead_states.created_at') }} as timestamp) > now_moment.now_at,
            false
        ) as is_pending
    from lead_states
    cross join now_moment
    left join touch_counts
        on lead_states.lead_id = touch_counts.lead_id
    left join final_moments
        on lead_states.lead_id = final_moments.lead_id
)

select
    lead_facts.lead_id,
    lead_facts.owner_id,
    owners.email as owner_email,
    lead_facts.status,
    lead_facts.lead_source,
    lead_facts.created_at,
    lead_facts.created_date,
    cast({{ dbt.date_trunc('month', 'lead_facts.created_date') }} as date) as created_month,
    lead_facts.is_converted,
    lead_facts.converted_date,
    lead_facts.is_final,
    lead_facts.final_at,
    lead_facts.first_touch_at,
    cast(lead_facts.response_minutes as double) as response_minutes,
    lead_facts.first_touch_at is not null as is_answered,
    lead_facts.is_pending,
    case
        when lead_facts.first_touch_at is not null then lead_facts.response_minutes <= {{ sla }}
        when lead_facts.is_pending then null
        else false
    end as is_within_sla,
    lead_facts.first_touch_at is null and not lead_facts.is_pending as is_never_answered,
    lead_facts.touches,
    lead_facts.touches_before_final,
    coalesce(lead_facts.is_final and lead_facts.touches_before_final < {{ under_touched }}, false) as is_under_touched,
    coalesce(
        lead_facts.is_final and not lead_facts.is_converted and lead_facts.touches_before_final > {{ over_nurtured }},
        false
    ) as is_over_nurtured
from lead_facts
left join owners
    on lead_facts.owner_id = owners.user_id
