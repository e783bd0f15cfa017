{#- The last day of the month of `month` (a date, usually a month's first day), as a date. -#}
{% macro month_end(month) -%}
    cast({{ dbt.last_day(month, 'month') }} as date)
{%- endmacro %}
