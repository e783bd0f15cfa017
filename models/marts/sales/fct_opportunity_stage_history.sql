-- One row per stage entry of a live opportunity (latest version, not deleted), from
-- OpportunityHistory: history rows ordered by CreatedDate (then Id); a row whose stage differs
-- from the previous row's opens an entry (rows that only change Amount / CloseDate do not).
-- exited_at = when the next entry began; days_in_stage = elapsed days (fractional) between
-- them, NULL for the entry the opportunity is still in. A stage is a won stage when a live
-- opportunity that is closed and won is in it now, or its history row has ForecastCategory
-- Closed (forecast_bucket closed in the seed forecast_categories); a lost stage when a live
-- closed-and-lost opportunity is in it now. moved_on: the opportunity later entered another
-- stage that is not a lost stage, or is won now (the
-- funnel's conversion rule: the contract has no stage order).
-- The entries are kept incrementally by int_sales__stage_history_rows; what depends on the
-- opportunities' current versions (live or deleted, won, lost, which stages are won or lost
-- stages: any later drop can change it, for every opportunity) is decided here, at build time.
with opportunities as (
    select *
    from {{ ref('stg_crm__opportunities') }}
),

stage_entries as (
    select
        history.opportunity_id,
        history.opportunity_history_id,
        history.stage_name,
        history.forecast_category,
        history.probability,
        history.created_at as entered_at,
        history.stage_entry_number,
        history.exited_at,
        history.next_stage_name
    from {{ ref('int_sales__stage_history_rows') }} as history
    inner join opportunities
        on history.opportunity_id = opportunities.opportunity_id
    where history.is_stage_entry
),

closed_stage_kinds as (
    select
        stage_name,
        max(case when is_won then 1 else 0 end) as has_won,
        max(case when not is_won then 1 else 0 end) as has_lost
    from opportunities
    where is_closed
        and stage_name is not null
    group by stage_name
),

classified_entries as (
    select
        stage_entries.*,
        coalesce(closed_stage_kinds.has_won = 1 or forecast_categories.forecast_bucket = 'closed', false) as is_won_stage,
        coalesce(closed_stage_kinds.has_lost = 1, false)
            and not coalesce(closed_stage_kinds.has_won = 1, false) as is_lost_stage
    from stage_entries
    left join closed_stage_kinds
        on stage_entries.stage_name = closed_stage_kinds.stage_name
    -- reference data (seed): which ForecastCategory values are the closed (won) category
    left join {{ ref('forecast_categories') }} as forecast_categories
        on stage_entries.forecast_category = forecast_categories.forecast_category
),

later_progress as (
    select
        this_entry.opportunity_id,
        this_entry.stage_entry_number,
        max(case when later_entry.stage_name <> this_entry.stage_name and not later_entry.is_lost_stage then 1 else 0 end) as has_later_open_or_won,
        max(case when later_entry.is_won_stage and later_entry.stage_name <> this_entry.stage_name then 1 else 0 end) as has_later_won
    from classified_entries as this_entry
    inner join classified_entries as later_entry
        on this_entry.opportunity_id = later_entry.opportunity_id
        and later_entry.stage_entry_number > this_entry.stage_entry_number
    group by this_entry.opportunity_id, this_entry.stage_entry_number
)

select
    classified_entries.opportunity_id,
    cast(classified_entries.stage_entry_number as integer) as stage_entry_number,
    classified_entries.stage_name,
    classified_entries.forecast_category,
    classified_entries.probability,
    classified_entries.entered_at,
    cast({{ dbt.date_trunc('month', 'classified_entries.entered_at') }} as date) as entered_month,
    classified_entries.exited_at,
    classified_entries.next_stage_name,
    cast(
        {{ dbt.datediff('classified_entries.entered_at', 'classified_entries.exited_at', 'second') }}
        as double
    ) / 86400.0 as days_in_stage,
    classified_entries.exited_at is null as is_current_stage,
    classified_entries.is_won_stage,
    classified_entries.is_lost_stage,
    classified_entries.is_won_stage or classified_entries.is_lost_stage as is_closed_stage,
    coalesce(later_progress.has_later_open_or_won = 1, false)
        or (opportunities.is_won and not classified_entries.is_won_stage) as moved_on,
    coalesce(later_progress.has_later_won = 1, false)
        or (opportunities.is_won and not classified_entries.is_won_stage) as won_later,
    opportunities.owner_id,
    opportunities.is_closed as opportunity_is_closed,
    opportunities.is_won as opportunity_is_won
from classified_entries
inner join opportunities
    on classified_entries.opportunity_id = opportunities.opportunity_id
left join later_progress
    on classified_entries.opportunity_id = later_progress.opportunity_id
    and classified_entries.stage_entry_number = later_progress.stage_entry_number
