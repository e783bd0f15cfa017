{{ config(materialized='table') }}
-- Additive parts of the outreach KPIs (METRICS.md section 8) at grain (month, rep_email, team,
-- region), with team / region in force on the date of each part, so every grain sums alike:
--   touch parts: by the month of the touch (touch_at) and its owner, team of the touch date:
--     touches (leads + contacts), lead_touches (touches whose WhoId is a lead) and
--     leads_touched = distinct leads the rep touched in the month; a lead counts once per rep
--     and month, for the team of the rep's first touch of it that month (a lead touched by two
--     reps counts for each: roll-ups sum the reps, never double a rep's lead).
--   cohort parts: by the lead's creation month and current owner, team of the creation date:
--     leads_owned, leads_final (converted or Status "Closed..."), leads_converted,
--     converted_lead_touches (all touches of converted leads), leads_under_touched and
--     leads_over_nurtured (fct_leads flags).
with touches as (
    select *
    from {{ ref('fct_activities') }}
    where is_touch
),

leads as (
    select *
    from {{ ref('fct_leads') }}
),

touch_parts as (
    select
        cast({{ dbt.date_trunc('month', 'touches.touch_date') }} as date) as month,
        touches.owner_email as rep_email,
        periods.team,
        periods.region,
        cast(count(*) as bigint) as touches,
        cast(count(case when touches.who_object = 'Lead' then 1 end) as bigint) as lead_touches,
        cast(0 as bigint) as leads_touched,
        cast(0 as bigint) as leads_owned,
        cast(0 as bigint) as leads_final,
        cast(0 as bigint) as leads_converted,
        cast(0 as bigint) as converted_lead_touches,
        cast(0 as bigint) as leads_under_touched,
        cast(0 as bigint) as leads_over_nurtured
    from touches
    left join {{ ref('int_hr__worker_periods') }} as periods
        on touches.owner_email = periods.work_email
        and {{ in_force('periods', 'touches.touch_date') }}
    group by
        cast({{ dbt.date_trunc('month', 'touches.touch_date') }} as date),
        touches.owner_email,
        periods.team,
        periods.region
),

rep_lead_months as (
    select
        cast({{ dbt.date_trunc('month', 'touch_date') }} as date) as month,
        owner_email as rep_email,
        who_id as lead_id,
        min(touch_date) as first_touch_date
    from touches
    where who_object = 'Lead'
    group by
        cast({{ dbt.date_trunc('month', 'touch_date') }} as date),
        owner_email,
        who_id
),

leads_touched_parts as (
    select
        rep_lead_months.month,
        rep_lead_months.rep_email,
        periods.team,
        periods.region,
        cast(0 as bigint) as touches,
        cast(0 as bigint) as lead_touches,
        cast(count(*) as bigint) as leads_touched,
        cast(0 as bigint) as leads_owned,
        cast(0 as bigint) as leads_final,
        cast(0 as bigint) as leads_converted,
        cast(0 as bigint) as converted_lead_touches,
        cast(0 as bigint) as leads_under_touched,
        cast(0 as bigint) as leads_over_nurtured
    from rep_lead_months
    left join {{ ref('int_hr__worker_periods') }} as periods
        on rep_lead_months.rep_email = periods.work_email
        and {{ in_force('periods', 'rep_lead_months.first_touch_date') }}
    group by rep_lead_months.month, rep_lead_months.rep_email, periods.team, periods.region
),

cohort_parts as (
    select
        leads.created_month as month,
        leads.owner_email as rep_email,
        periods.team,
        periods.region,
        cast(0 as bigint) as touches,
        cast(0 as bigint) as lead_touches,
        cast(0 as bigint) as leads_touched,
        cast(count(*) as bigint) as leads_owned,
        cast(count(case when leads.is_final then 1 end) as bigint) as leads_final,
        cast(count(case when leads.is_converted then 1 end) as bigint) as leads_converted,
        cast(coalesce(sum(case when leads.is_converted then leads.touches end), 0) as bigint) as converted_lead_touches,
        cast(count(case when leads.is_under_touched then 1 end) as bigint) as leads_under_touched,
        cast(count(case when leads.is_over_nurtured then 1 end) as bigint) as leads_over_nurtured
    from leads
    left join {{ ref('int_hr__worker_periods') }} as periods
        on leads.owner_email = periods.work_email
        and {{ in_force('periods', 'leads.created_date') }}
    where leads.created_month is not null
    group by leads.created_month, leads.owner_email, periods.team, periods.region
)

select * from touch_parts
union all
select * from leads_touched_parts
union all
select * from cohort_parts
