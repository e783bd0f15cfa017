{#- A sum of money that comes out the same whatever order the rows are added in: each value is
    fixed to 6 decimals and summed as a decimal, so parallel aggregation can't change the last
    digits between runs (a double sum can). -#}
{% macro exact_sum(expression) -%}
    sum(cast({{ expression }} as decimal(38, 6)))
{%- endmacro %}

{#- An average that comes out the same whatever the order of the rows and whatever the engine:
    the exact_sum of the values (each fixed to 6 decimals) as a double, divided by their count;
    NULL when there is none. avg() over doubles depends on the order of the additions (DuckDB's
    own result changed between two builds of the same input). -#}
{% macro exact_avg(expression) -%}
    cast({{ safe_divide('cast(' ~ exact_sum(expression) ~ ' as double)', 'count(' ~ expression ~ ')') }} as double)
{%- endmacro %}

{#- The average of a duration kept in a larger unit (days) that is a whole number of a smaller
    one (seconds): the whole seconds are summed exactly, then divided. exact_avg would round each
    day value to 6 decimals, and seconds / 86400 often lands on a tie there (1 s is 0.0000115740..
    days, 27 s is exactly 0.0003125), which DuckDB and Spark round apart. -#}
{% macro exact_avg_of_whole(expression, units_per_whole) -%}
    cast({{ safe_divide('cast(sum(cast(round(' ~ expression ~ ' * ' ~ units_per_whole ~ ', 0) as bigint)) as double) / ' ~ units_per_whole ~ '.0', 'count(' ~ expression ~ ')') }} as double)
{%- endmacro %}
