{#- The rep grain of a KPI mart: one row per (month, rep_email) of `events` (sparse), with
    rep_name (the CRM User's name), team and region as of the last day of the month (NULL
    without an HR match), then the mart's `measures`. `sums` are the aggregate columns over the
    events of a rep and month; `measures` the published columns computed from them, reading
    the relation `rep_months`. `events_filter`: a condition on the events that count (none:
    all of them). -#}
{% macro rep_month_mart(events, sums, measures, events_filter=none) -%}
with rep_months as (
    select
        month,
        rep_email,
        {{ sums }}
    from {{ events }}
    {%- if events_filter is not none %}
    where {{ events_filter }}
    {%- endif %}
    group by month, rep_email
),

month_end_attributes as (
    {{ rep_attributes_at_month_end('rep_months') }}
)

select
    rep_months.month,
    cast(rep_months.rep_email as {{ dbt.type_string() }}) as rep_email,
    cast(reps.rep_name as {{ dbt.type_string() }}) as rep_name,
    cast(month_end_attributes.team as {{ dbt.type_string() }}) as team,
    cast(month_end_attributes.region as {{ dbt.type_string() }}) as region,
    {{ measures }}
from rep_months
left join {{ ref('int_crm__reps_by_email') }} as reps
    on rep_months.rep_email = reps.rep_email
left join month_end_attributes
    on rep_months.month = month_end_attributes.month
    and rep_months.rep_email = month_end_attributes.rep_email
{%- endmacro %}
