{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_strategy(),
        unique_key='statement_id',
        on_schema_change='fail'
    )
}}
-- Every xAPI statement ever delivered, one row per statement id: its first delivery (earliest
-- drop, then line: the same id delivered again counts once), and is_voided when a `voided`
-- statement (by its own first delivery) names it as its object. Voiding statements are rows
-- too. fct_training_events keeps the live learning statements and joins the course catalog,
-- which changes independently and so is not stored here.
--
-- Incremental by drop date (macros/incremental_window.sql): a run for drops D1..D2 recomputes
-- the statements delivered in those drops, plus every statement a delivery of theirs voids,
-- from ALL raw deliveries of them and of the voiding statements naming them, and replaces
-- their rows (delete+insert on statement_id): a voiding statement arriving drops after the
-- statement it voids flips that statement's row.
{%- set drop_range = incremental_drop_range() %}
{%- set voided_verb = 'http://adlnet.gov/expapi/verbs/voided' %}

with
{%- if drop_range is not none %}

delivered_statement_ids as (
    select distinct statement_id
    from {{ ref('base_lms__statements') }}
    where {{ in_drop_range('drop_date', drop_range) }}
),

changed_statement_ids as (
    -- the statements delivered in the range, and every statement a delivery of theirs voids
    select statement_id
    from delivered_statement_ids
    union
    select lower(object_id) as statement_id
    from {{ ref('base_lms__statements') }}
    where verb_id = '{{ voided_verb }}'
        and statement_id in (select statement_id from delivered_statement_ids)
),

voiding_statement_ids as (
    -- every statement that may void a changed one
    select distinct statement_id
    from {{ ref('base_lms__statements') }}
    where verb_id = '{{ voided_verb }}'
        and lower(object_id) in (select statement_id from changed_statement_ids)
),
{%- endif %}

statement_deliveries as (
    -- every raw delivery of the changed statements and of the statements that may void them
    -- (of all statements in a full build)
    select
        statement_id,
        actor_email,
        verb_id,
        verb,
        object_id,
        result_success,
        result_score_scaled,
        result_duration_seconds,
        statement_at,
        statement_date,
        drop_date,
        source_line
    from {{ ref('base_lms__statements') }}
    where statement_id is not null
    {%- if drop_range is not none %}
        and (
            statement_id in (select statement_id from changed_statement_ids)
            or statement_id in (select statement_id from voiding_statement_ids)
        )
    {%- endif %}
),

ranked_deliveries as (
    select
        statement_deliveries.*,
        {{ first_delivery_rank('statement_id') }} as delivery_rank
    from statement_deliveries
),

first_deliveries as (
    select *
    from ranked_deliveries
    where delivery_rank = 1
),

voided_statement_ids as (
    select distinct lower(object_id) as voided_statement_id
    from first_deliveries
    where verb_id = '{{ voided_verb }}'
)

select
    first_deliveries.statement_id,
    first_deliveries.actor_email,
    first_deliveries.verb_id,
    first_deliveries.verb,
    first_deliveries.object_id,
    first_deliveries.result_success,
    first_deliveries.result_score_scaled,
    first_deliveries.result_duration_seconds,
    first_deliveries.statement_at,
    first_deliveries.statement_date,
    voided_statement_ids.voided_statement_id is not null as is_voided,
    first_deliveries.drop_date
from first_deliveries
left join voided_statement_ids
    on first_deliveries.statement_id = voided_statement_ids.voided_statement_id
{%- if drop_range is not none %}
where first_deliveries.statement_id in (select statement_id from changed_statement_ids)
{%- endif %}
