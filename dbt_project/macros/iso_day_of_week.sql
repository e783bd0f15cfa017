{#- ISO day of the week of `day` (a date), 1 (Monday) .. 7 (Sunday): 1900-01-01 was a Monday
    (portable: no dialect's day-of-week numbering). dim_dates.iso_day_of_week; CRM usage joins it to
    the seed working_weekdays. -#}
{% macro iso_day_of_week(day) -%}
    ({{ dbt.datediff("cast('1900-01-01' as date)", day, 'day') }} % 7 + 1)
{%- endmacro %}
