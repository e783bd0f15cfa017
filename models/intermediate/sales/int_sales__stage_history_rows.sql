{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_strategy(),
        unique_key='opportunity_history_id',
        on_schema_change='fail'
    )
}}
-- Every OpportunityHistory row ever delivered (latest version per Id: no SystemModstamp, so the
-- later drop, then the later line, wins) with its place in its opportunity's stage sequence:
-- the rows of an opportunity that have a stage and a CreatedDate, ordered by CreatedDate then
-- Id; a row whose stage differs from the previous row's opens a stage entry (is_stage_entry,
-- stage_entry_number 1, 2, ...), and an entry is exited when the next entry begins.
-- Whether the opportunity is live, won or lost, and what its stages mean, can change in any
-- later Opportunity drop: fct_opportunity_stage_history joins that at read time.
--
-- Incremental by drop date (macros/incremental_window.sql): a run for drops D1..D2 recomputes
-- every opportunity with a history row in those drops (the opportunity of any version of such
-- a row, so a row moved to another opportunity updates both), from ALL raw versions of all of
-- their rows, and replaces those rows (delete+insert on the history Id; each Id keeps one row).
{%- set drop_range = incremental_drop_range() %}

with
{%- if drop_range is not none %}

changed_history_ids as (
    select distinct opportunity_history_id
    from {{ ref('base_crm__opportunity_history') }}
    where {{ in_drop_range('drop_date', drop_range) }}
),

changed_opportunity_ids as (
    -- the opportunities of every version of those rows
    select distinct opportunity_id
    from {{ ref('base_crm__opportunity_history') }}
    where {{ sf_source_id_in(
        ref('base_crm__opportunity_history'),
        'select opportunity_history_id from changed_history_ids'
    ) }}
),

history_ids_of_changed_opportunities as (
    select distinct opportunity_history_id
    from {{ ref('base_crm__opportunity_history') }}
    where {{ sf_source_id_in(
        ref('base_crm__opportunity_history'),
        'select opportunity_id from changed_opportunity_ids',
        column='source_opportunity_id'
    ) }}
),
{%- endif %}

history_rows as (
    -- every raw version of the rows of the changed opportunities (of all rows in a full build)
    select
        opportunity_history_id,
        opportunity_id,
        stage_name,
        probability,
        forecast_category,
        created_at,
        drop_date,
        source_line
    from {{ ref('base_crm__opportunity_history') }}
    {%- if drop_range is not none %}
    where {{ sf_source_id_in(
        ref('base_crm__opportunity_history'),
        'select opportunity_history_id from history_ids_of_changed_opportunities'
    ) }}
    {%- else %}
    where opportunity_history_id is not null
    {%- endif %}
),

ranked_history_versions as (
    select
        history_rows.*,
        {{ latest_version_rank('opportunity_history_id', by_modstamp=false) }} as version_rank
    from history_rows
),

latest_history_rows as (
    select *
    from ranked_history_versions
    where version_rank = 1
    {%- if drop_range is not none %}
        -- the rows that belong to a changed opportunity now (a row moved to another one
        -- before the range belongs to that one, which is not recomputed)
        and opportunity_id in (select opportunity_id from changed_opportunity_ids)
    {%- endif %}
),

sequenced_rows as (
    select
        latest_history_rows.*,
        lag(stage_name) over (
            partition by opportunity_id
            order by created_at asc nulls last, opportunity_history_id asc nulls last
        ) as previous_stage_name
    from latest_history_rows
    where opportunity_id is not null
        and stage_name is not null
        and created_at is not null
),

stage_entries as (
    select
        opportunity_history_id,
        opportunity_id,
        stage_name,
        created_at as entered_at
    from sequenced_rows
    where previous_stage_name is null
        or previous_stage_name <> stage_name
),

numbered_entries as (
    select
        opportunity_history_id,
        row_number() over (
            partition by opportunity_id
            order by entered_at asc nulls last, opportunity_history_id asc nulls last
        ) as stage_entry_number,
        lead(entered_at) over (
            partition by opportunity_id
            order by entered_at asc nulls last, opportunity_history_id asc nulls last
        ) as exited_at,
        lead(stage_name) over (
            partition by opportunity_id
            order by entered_at asc nulls last, opportunity_history_id asc nulls last
        ) as next_stage_name
    from stage_entries
)

select
    latest_history_rows.opportunity_history_id,
    latest_history_rows.opportunity_id,
    latest_history_rows.stage_name,
    latest_history_rows.forecast_category,
    latest_history_rows.probability,
    latest_history_rows.created_at,
    numbered_entries.opportunity_history_id is not null as is_stage_entry,
    cast(numbered_entries.stage_entry_number as integer) as stage_entry_number,
    numbered_entries.exited_at,
    numbered_entries.next_stage_name,
    latest_history_rows.drop_date as version_drop_date
from latest_history_rows
left join numbered_entries
    on latest_history_rows.opportunity_history_id = numbered_entries.opportunity_history_id
