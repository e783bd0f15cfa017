{{ config(materialized=view_materialization()) }}
-- Each opportunity event repeated for every month whose trailing 90-day window contains it:
-- window = month_end - 89 days .. month_end (a window reaches back at most 3 months, so the
-- event's month and the 3 following are the candidates). Months after the as-of month ("now",
-- the newest extract date loaded) are left out: their windows have not happened yet.
with events as (
    select *
    from {{ ref('fct_opportunity_events') }}
),

as_of as (
    select cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) as as_of_month
    from {{ ref('int_as_of_date') }}
),

month_offsets as (
    select 0 as month_offset
    union all select 1
    union all select 2
    union all select 3
),

candidate_months as (
    select
        events.*,
        cast({{ dbt.dateadd('month', 'month_offsets.month_offset', dbt.date_trunc('month', 'events.event_date')) }} as date) as month
    from events
    cross join month_offsets
),

windowed_months as (
    select
        candidate_months.*,
        cast({{ dbt.last_day('candidate_months.month', 'month') }} as date) as window_end
    from candidate_months
)

select
    windowed_months.month,
    cast({{ dbt.dateadd('day', -89, 'windowed_months.window_end') }} as date) as window_start,
    windowed_months.window_end,
    windowed_months.opportunity_id,
    windowed_months.event_type,
    windowed_months.event_date,
    windowed_months.rep_email,
    windowed_months.team,
    windowed_months.region,
    windowed_months.is_won,
    windowed_months.amount_reporting,
    windowed_months.cycle_days
from windowed_months
cross join as_of
where windowed_months.event_date >= cast({{ dbt.dateadd('day', -89, 'windowed_months.window_end') }} as date)
    and windowed_months.event_date <= windowed_months.window_end
    and windowed_months.month <= as_of.as_of_month
