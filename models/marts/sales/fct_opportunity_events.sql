{{ config(materialized=view_materialization()) }}
-- The two dated events of a live opportunity that sales velocity counts: its creation
-- (event_date = created_date; owner's team / region in force on that day) and, once closed with
-- a CloseDate, its close (event_date = close_date; team / region in force on the CloseDate, as
-- on fct_opportunities). Closed events carry is_won, amount_reporting and cycle_days.
with opportunities as (
    select *
    from {{ ref('fct_opportunities') }}
),

created_events as (
    select
        opportunities.opportunity_id,
        cast('created' as {{ dbt.type_string() }}) as event_type,
        opportunities.created_date as event_date,
        opportunities.owner_email as rep_email,
        worker_periods.team,
        worker_periods.region,
        cast(null as boolean) as is_won,
        cast(null as double) as amount_reporting,
        cast(null as integer) as cycle_days
    from opportunities
    left join {{ ref('int_hr__worker_periods') }} as worker_periods
        on opportunities.owner_email = worker_periods.work_email
        and {{ in_force('worker_periods', 'opportunities.created_date') }}
    where opportunities.created_date is not null
),

closed_events as (
    select
        opportunity_id,
        cast('closed' as {{ dbt.type_string() }}) as event_type,
        close_date as event_date,
        owner_email as rep_email,
        owner_team as team,
        owner_region as region,
        is_won,
        cast(amount_reporting as double) as amount_reporting,
        cast(cycle_days as integer) as cycle_days
    from opportunities
    where is_closed
        and close_date is not null
)

select * from created_events
union all
select * from closed_events
