{{ config(materialized=view_materialization()) }}
-- The lead-response population (METRICS.md section 9): one row per live lead with its creation
-- month, its owner (current OwnerId) and the owner's team / region on the lead's CreatedDate.
select
    leads.lead_id,
    leads.created_month as month,
    leads.owner_email as rep_email,
    periods.team,
    periods.region,
    leads.created_at,
    leads.first_touch_at,
    leads.response_minutes,
    leads.is_answered,
    leads.is_pending,
    leads.is_within_sla,
    leads.is_never_answered
from {{ ref('fct_leads') }} as leads
left join {{ ref('int_hr__worker_periods') }} as periods
    on leads.owner_email = periods.work_email
    and {{ in_force('periods', 'leads.created_date') }}
where leads.created_month is not null
