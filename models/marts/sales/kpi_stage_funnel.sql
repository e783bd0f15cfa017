-- Stage funnel per month of stage entry and stage (company level): entries into the stage, how
-- many moved on (later entered another non-lost stage or were won), how many were won later,
-- the conversion rates, and the time spent in the stage by the entries that have left it.
-- Won / lost (closed) stages are terminal: their conversion measures are NULL.
with stage_entries as (
    select *
    from {{ ref('fct_opportunity_stage_history') }}
),

stage_month_sums as (
    select
        entered_month as month,
        stage_name,
        max(case when is_closed_stage then 1 else 0 end) as closed_stage_flag,
        cast(count(*) as bigint) as entered_count,
        cast(count(case when moved_on then 1 end) as bigint) as moved_on_count,
        cast(count(case when won_later then 1 end) as bigint) as won_later_count,
        cast(count(days_in_stage) as bigint) as exited_count,
        {{ exact_avg_of_whole('days_in_stage', 86400) }} as avg_days_in_stage,
        {{ rounded_percentile('days_in_stage', 0.5) }} as median_days_in_stage
    from stage_entries
    group by entered_month, stage_name
)

select
    month,
    cast(stage_name as {{ dbt.type_string() }}) as stage_name,
    closed_stage_flag = 1 as is_closed_stage,
    entered_count,
    moved_on_count,
    won_later_count,
    exited_count,
    case when closed_stage_flag = 1 then null else cast({{ safe_divide('moved_on_count', 'entered_count') }} as double) end as conversion_rate,
    case when closed_stage_flag = 1 then null else cast({{ safe_divide('won_later_count', 'entered_count') }} as double) end as stage_win_rate,
    avg_days_in_stage,
    median_days_in_stage
from stage_month_sums
