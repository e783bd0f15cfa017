{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_strategy(),
        unique_key=['snapshot_date', 'opportunity_id'],
        on_schema_change='fail'
    )
}}
-- Which version of each Opportunity was in force at each pipeline snapshot: one row per
-- snapshot date d (a CRM drop date, int_pipeline__snapshot_dates) and opportunity with a
-- version delivered by d, naming that version (its drop date and line): the best-ranked one
-- among the drops up to d (highest SystemModstamp, then later drop, then later line; the same
-- rule as int_pipeline__opportunity_versions' counts_from <= d < counts_until). Deleted
-- versions and records are rows too: fct_pipeline_snapshots reads each version's values, its
-- deletion flags and its converted amount from int_pipeline__opportunity_versions, and so
-- follows a deletion, a new rate or a new owner e-mail at build time.
--
-- Incremental by drop date (macros/incremental_window.sql): a run for drops D1..D2 recomputes
--   - every snapshot of the opportunities with a row in those drops (a late drop can change
--     the version in force of later snapshots), from ALL their raw versions (a semi-join);
--   - the snapshots dated D1..D2 of the other opportunities: nothing of theirs arrived since
--     the last snapshot before D1, so their version in force is carried forward from it;
-- and replaces those rows (delete+insert on snapshot_date, opportunity_id). A (date,
-- opportunity) pair once in force stays in force (raw tables only grow), so no row ever has
-- to disappear: the result is the full refresh's whatever order drops arrive in, given that
-- every loaded drop has been processed by some run.
{%- set drop_range = incremental_drop_range() %}

with snapshot_dates as (
    select snapshot_date
    from {{ ref('int_pipeline__snapshot_dates') }}
),

{%- if drop_range is not none %}

changed_opportunity_ids as (
    select distinct opportunity_id
    from {{ ref('base_crm__opportunities') }}
    where opportunity_id is not null
        and {{ in_drop_range('drop_date', drop_range) }}
),

range_snapshot_dates as (
    select snapshot_date
    from snapshot_dates
    where {{ in_drop_range('snapshot_date', drop_range) }}
),

previous_snapshot as (
    -- the last snapshot already built before the range
    select max(snapshot_date) as snapshot_date
    from {{ this }}
    where snapshot_date < (select min(snapshot_date) from range_snapshot_dates)
),

carried_forward_versions as (
    select
        range_snapshot_dates.snapshot_date,
        previous_versions.opportunity_id,
        previous_versions.version_drop_date,
        previous_versions.version_source_line
    from {{ this }} as previous_versions
    inner join previous_snapshot
        on previous_versions.snapshot_date = previous_snapshot.snapshot_date
    cross join range_snapshot_dates
    left join changed_opportunity_ids
        on previous_versions.opportunity_id = changed_opportunity_ids.opportunity_id
    where changed_opportunity_ids.opportunity_id is null
),
{%- endif %}

opportunity_rows as (
    -- every raw version of the changed opportunities (of all of them in a full build)
    select
        opportunity_id,
        system_modstamp,
        drop_date,
        source_line
    from {{ ref('base_crm__opportunities') }}
    where drop_date is not null
    {%- if drop_range is not none %}
        and {{ sf_source_id_in(
            ref('base_crm__opportunities'),
            'select opportunity_id from changed_opportunity_ids'
        ) }}
    {%- else %}
        and opportunity_id is not null
    {%- endif %}
),

ranked_versions as (
    select
        opportunity_rows.*,
        {{ latest_version_rank('opportunity_id') }} as version_rank
    from opportunity_rows
),

superseded_versions as (
    -- in force from its own drop until the earliest drop that delivered a better-ranked version
    select
        ranked_versions.*,
        {{ version_counts_until('opportunity_id') }} as counts_until
    from ranked_versions
),

recomputed_versions as (
    select
        snapshot_dates.snapshot_date,
        superseded_versions.opportunity_id,
        superseded_versions.drop_date as version_drop_date,
        superseded_versions.source_line as version_source_line
    from snapshot_dates
    inner join superseded_versions
        on superseded_versions.drop_date <= snapshot_dates.snapshot_date
        and (superseded_versions.counts_until is null or snapshot_dates.snapshot_date < superseded_versions.counts_until)
)

select * from recomputed_versions
{%- if drop_range is not none %}
union all
select * from carried_forward_versions
{%- endif %}
