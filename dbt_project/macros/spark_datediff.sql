{#- dbt.datediff on Spark with DuckDB's meaning for hours, minutes and seconds: the number of
    unit boundaries crossed between the two timestamps (10:00:50 -> 10:01:10 is 1 minute),
    as DuckDB's date_diff counts them. dbt-spark's own version rounds the elapsed seconds up
    (ceil(40 s / 60) = 1, but ceil(100 s / 60) = 2 for 10:00:10 -> 10:01:50, where DuckDB
    says 1). Other dateparts are dbt-spark's (day: datediff of the dates, the same count). -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- if datepart in ('hour', 'minute', 'second') -%}
        {%- set seconds = {'hour': 3600, 'minute': 60, 'second': 1}[datepart] -%}
        (floor(unix_timestamp({{ second_date }}) / {{ seconds }})
            - floor(unix_timestamp({{ first_date }}) / {{ seconds }}))
    {%- else -%}
        {{ dbt.spark__datediff(first_date, second_date, datepart) }}
    {%- endif -%}
{%- endmacro %}
