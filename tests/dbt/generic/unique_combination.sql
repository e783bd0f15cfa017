{#- No two rows share the same values of `columns` (NULLs compare equal). -#}
{% test unique_combination(model, columns) %}
with grouped_rows as (
    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
)

select *
from grouped_rows
where row_count > 1
{% endtest %}
