-- Every record creation and edit of the live CRM records a rep works on (Task, Event, Lead,
-- Opportunity, Account): the population of CRM usage's records created / admin time.
--   created: one row per live record (latest version, not deleted), on its CreatedDate, owned
--            by its current owner (latest version's OwnerId).
--   edited:  one row per further version of a live record, i.e. per distinct SystemModstamp
--            later than the record's CreatedDate found in the raw history (every drop is kept),
--            on the date of that SystemModstamp, owned by that version's OwnerId. A version
--            delivered in two drops is one edit. Records deleted in their latest version count
--            nowhere, their versions neither.
{%- set record_sources = [
    ('Task', 'crm_task', 'stg_crm__tasks', 'base_crm__tasks', 'task_id'),
    ('Event', 'crm_event', 'stg_crm__events', 'base_crm__events', 'event_id'),
    ('Lead', 'crm_lead', 'stg_crm__leads', 'base_crm__leads', 'lead_id'),
    ('Opportunity', 'crm_opportunity', 'stg_crm__opportunities', 'base_crm__opportunities', 'opportunity_id'),
    ('Account', 'crm_account', 'stg_crm__accounts', 'base_crm__accounts', 'account_id'),
] %}

with
{%- for record_type, raw_table, staging_model, base_model, id_column in record_sources %}
live_{{ raw_table }} as (
    select
        '{{ record_type }}' as record_type,
        {{ id_column }} as record_id,
        owner_id,
        created_at
    from {{ ref(staging_model) }}
),

versions_{{ raw_table }} as (
    select
        {{ id_column }} as record_id,
        owner_id,
        system_modstamp,
        drop_date,
        source_line
    from {{ ref(base_model) }}
),

edits_{{ raw_table }} as (
    select
        live_{{ raw_table }}.record_type,
        live_{{ raw_table }}.record_id,
        versions_{{ raw_table }}.owner_id,
        versions_{{ raw_table }}.system_modstamp,
        row_number() over (
            partition by live_{{ raw_table }}.record_id, versions_{{ raw_table }}.system_modstamp
            order by versions_{{ raw_table }}.drop_date desc nulls last, versions_{{ raw_table }}.source_line desc nulls last
        ) as delivery_rank
    from live_{{ raw_table }}
    inner join versions_{{ raw_table }}
        on live_{{ raw_table }}.record_id = versions_{{ raw_table }}.record_id
    where versions_{{ raw_table }}.system_modstamp > live_{{ raw_table }}.created_at
),
{% endfor %}

changes as (
{%- for record_type, raw_table, staging_model, base_model, id_column in record_sources %}
    select
        record_type,
        record_id,
        'created' as change_kind,
        owner_id,
        created_at as changed_at
    from live_{{ raw_table }}
    union all
    select
        record_type,
        record_id,
        'edited' as change_kind,
        owner_id,
        system_modstamp as changed_at
    from edits_{{ raw_table }}
    where delivery_rank = 1
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
)

select
    cast(changes.record_type as {{ dbt.type_string() }}) as record_type,
    changes.record_id,
    cast(changes.change_kind as {{ dbt.type_string() }}) as change_kind,
    changes.owner_id,
    users.email as owner_email,
    changes.changed_at,
    cast(changes.changed_at as date) as change_date,
    {{ activity_admin_minutes('changes.record_type') }} as admin_minutes
from changes
left join {{ ref('stg_crm__users') }} as users
    on changes.owner_id = users.user_id
where changes.changed_at is not null
