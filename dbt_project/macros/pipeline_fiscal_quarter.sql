{#- First day of the fiscal quarter of a month's first day (var fiscal_year_start_month, as in
    dim_dates: with the default 1 the fiscal quarters are the calendar quarters). -#}
{% macro pipeline_fiscal_quarter_start(month_start) -%}
    {%- set fiscal_start = var('fiscal_year_start_month') | int -%}
    cast({{ dbt.dateadd('month', '-1 * (((extract(month from ' ~ month_start ~ ') - ' ~ fiscal_start ~ ' + 12) % 12) % 3)', month_start) }} as date)
{%- endmacro %}
