{{ config(materialized=view_materialization()) }}
-- The events kpi_sales_cycle counts at every grain, one row per event and month it counts for:
-- 'closed_in_month': an opportunity closed in the month (fct_closed_opportunities; team and
-- region in force on its CloseDate), for the cycle measures;
-- 'created_in_90d' / 'closed_in_90d': an opportunity created / closed in the month's trailing
-- 90-day window (fct_sales_velocity_windows; team and region in force on the event's date),
-- for the velocity measures.
-- A grain's mart groups these rows by its columns: a group has a row for a month when it closed
-- something in the month or has an event in the month's window.
with closed_opportunities as (
    select *
    from {{ ref('fct_closed_opportunities') }}
),

velocity_events as (
    select *
    from {{ ref('fct_sales_velocity_windows') }}
)

select
    closed_opportunities.month,
    closed_opportunities.opportunity_id,
    cast('closed_in_month' as {{ dbt.type_string() }}) as event_type,
    closed_opportunities.rep_email,
    closed_opportunities.team,
    closed_opportunities.region,
    closed_opportunities.is_won,
    closed_opportunities.amount_reporting,
    closed_opportunities.cycle_days
from closed_opportunities

union all

select
    velocity_events.month,
    velocity_events.opportunity_id,
    cast(
        case velocity_events.event_type
            when 'created' then 'created_in_90d'
            when 'closed' then 'closed_in_90d'
        end
        as {{ dbt.type_string() }}
    ) as event_type,
    velocity_events.rep_email,
    velocity_events.team,
    velocity_events.region,
    velocity_events.is_won,
    velocity_events.amount_reporting,
    velocity_events.cycle_days
from velocity_events
