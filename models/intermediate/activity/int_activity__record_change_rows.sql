{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_strategy(),
        unique_key=['record_type', 'record_id'],
        on_schema_change='fail'
    )
}}
-- The creation and the edits of every CRM record a rep works on (Task, Event, Lead,
-- Opportunity, Account), from all its raw versions, deleted records included and flagged
-- (is_live = false): int_activity__record_changes keeps the live ones and joins the owner's
-- e-mail, which changes independently of the record and so is not stored here.
--   created: one row per record, on the latest version's CreatedDate, owned by the latest
--            version's OwnerId (every record has this row, a deleted one too, so a run that
--            replaces the record's rows also removes the rows of a record deleted since).
--   edited:  one row per distinct SystemModstamp later than that CreatedDate, on that
--            SystemModstamp, owned by the OwnerId of that version's latest delivery.
--
-- Incremental by drop date (macros/incremental_window.sql), as int_activity__activities: a run
-- for drops D1..D2 recomputes the records with a raw row in those drops from ALL their raw
-- versions and replaces their rows (delete+insert on record_type, record_id).
{%- set record_sources = [
    ('Task', 'task', 'base_crm__tasks', 'task_id'),
    ('Event', 'event', 'base_crm__events', 'event_id'),
    ('Lead', 'lead', 'base_crm__leads', 'lead_id'),
    ('Opportunity', 'opportunity', 'base_crm__opportunities', 'opportunity_id'),
    ('Account', 'account', 'base_crm__accounts', 'account_id'),
] %}
{%- set drop_range = incremental_drop_range() %}

with
{%- for record_type, name, base_model, id_column in record_sources %}
{%- if drop_range is not none %}

changed_{{ name }}_ids as (
    select distinct {{ id_column }}
    from {{ ref(base_model) }}
    where {{ in_drop_range('drop_date', drop_range) }}
),
{%- endif %}

{{ name }}_versions as (
    -- every raw version of the changed records (of all records in a full build)
    select
        {{ id_column }} as record_id,
        owner_id,
        created_at,
        coalesce(is_deleted, false) as is_deleted,
        system_modstamp,
        drop_date,
        source_line,
        {{ latest_version_rank(id_column) }} as version_rank
    from {{ ref(base_model) }}
    {%- if drop_range is not none %}
    where {{ sf_source_id_in(ref(base_model), 'select ' ~ id_column ~ ' from changed_' ~ name ~ '_ids') }}
    {%- else %}
    where {{ id_column }} is not null
    {%- endif %}
),

{{ name }}_latest as (
    select
        record_id,
        owner_id,
        created_at,
        not is_deleted as is_live
    from {{ name }}_versions
    where version_rank = 1
),

{{ name }}_edits as (
    select
        {{ name }}_latest.record_id,
        {{ name }}_versions.owner_id,
        {{ name }}_versions.system_modstamp,
        {{ name }}_latest.is_live,
        row_number() over (
            partition by {{ name }}_versions.record_id, {{ name }}_versions.system_modstamp
            order by {{ name }}_versions.drop_date desc nulls last, {{ name }}_versions.source_line desc nulls last
        ) as delivery_rank
    from {{ name }}_latest
    inner join {{ name }}_versions
        on {{ name }}_latest.record_id = {{ name }}_versions.record_id
    where {{ name }}_versions.system_modstamp > {{ name }}_latest.created_at
),
{%- endfor %}

changes as (
{%- for record_type, name, base_model, id_column in record_sources %}
    select
        '{{ record_type }}' as record_type,
        record_id,
        'created' as change_kind,
        owner_id,
        created_at as changed_at,
        is_live
    from {{ name }}_latest
    union all
    select
        '{{ record_type }}' as record_type,
        record_id,
        'edited' as change_kind,
        owner_id,
        system_modstamp as changed_at,
        is_live
    from {{ name }}_edits
    where delivery_rank = 1
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
)

select
    cast(record_type as {{ dbt.type_string() }}) as record_type,
    record_id,
    cast(change_kind as {{ dbt.type_string() }}) as change_kind,
    owner_id,
    changed_at,
    is_live
from changes
