-- Retention events, each once for every month whose retention figures it counts in. An event is
-- a worker span counted in a month's headcount on its first day (headcount_start) or on its last
-- day (headcount_end; the newest HR drop date for the month still running), or a separation
-- (termination_date in the month), from fct_headcount_monthly. team / region / role are the ones
-- in force on the event's day (a mid-month move starts under the old team and ends under the
-- new one; a separation counts under the team in force on the termination date).
-- An event of month E counts in the monthly figures of E (is_event_month) and in the trailing
-- 12-month figures of E and of the 11 months after it that the series has (the trailing year
-- of month M is M and the 11 months before it). So the kpi_retention marts group these rows by
-- month and grain: a (month, group) has a row exactly when the group had an event in the
-- trailing year, and no dense month x group grid is needed.
with worker_months as (
    select *
    from {{ ref('fct_headcount_monthly') }}
),

months as (
    select month
    from {{ ref('int_people__months') }}
),

events as (
    select
        month as event_month,
        employee_id,
        span_number,
        'headcount_start' as event_type,
        team_start as team,
        region_start as region,
        role_start as role,
        cast(null as {{ dbt.type_string() }}) as termination_type,
        cast(null as {{ dbt.type_boolean() }}) as is_regrettable
    from worker_months
    where is_employed_start

    union all

    select
        month as event_month,
        employee_id,
        span_number,
        'headcount_end' as event_type,
        team_end as team,
        region_end as region,
        role_end as role,
        cast(null as {{ dbt.type_string() }}) as termination_type,
        cast(null as {{ dbt.type_boolean() }}) as is_regrettable
    from worker_months
    where is_employed_end

    union all

    select
        month as event_month,
        employee_id,
        span_number,
        'separation' as event_type,
        team_at_separation as team,
        region_at_separation as region,
        role_at_separation as role,
        termination_type,
        is_regrettable
    from worker_months
    where is_separation
)

select
    months.month,
    events.event_month,
    events.event_month = months.month as is_event_month,
    cast(events.event_type as {{ dbt.type_string() }}) as event_type,
    events.employee_id,
    events.span_number,
    cast(events.team as {{ dbt.type_string() }}) as team,
    cast(events.region as {{ dbt.type_string() }}) as region,
    cast(events.role as {{ dbt.type_string() }}) as role,
    cast(events.termination_type as {{ dbt.type_string() }}) as termination_type,
    events.is_regrettable
from events
inner join months
    on events.event_month <= months.month
    and months.month <= cast({{ dbt.dateadd('month', 11, 'events.event_month') }} as date)
