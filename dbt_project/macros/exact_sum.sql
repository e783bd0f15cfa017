{#- A sum of money that comes out the same whatever order the rows are added in: each value is
    fixed to 6 decimals and summed as a decimal, so parallel aggregation can't change the last
    digits between runs (a double sum can). -#}
{% macro exact_sum(expression) -%}
    sum(cast({{ expression }} as decimal(38, 6)))
{%- endmacro %}

{#- The average of a duration kept in a larger unit (days, hours) that is a whole number of a
    smaller one (seconds, milliseconds): the whole small units are summed exactly as integers,
    then divided, so the result is the same whatever the order of the rows and whatever the
    engine (avg() over doubles depends on the order of the additions: DuckDB itself gave other
    last digits for the same input in two builds). Not exact_sum's 6 decimals: s / 86400 days
    often lands exactly on a 6-decimal tie (27 s is 0.0003125 days), which DuckDB (from the
    binary value) and Spark (from the shortest decimal form) round apart. -#}
{% macro exact_avg_of_whole(expression, units_per_whole) -%}
    cast({{ safe_divide('cast(sum(cast(round(' ~ expression ~ ' * ' ~ units_per_whole ~ ', 0) as bigint)) as double) / ' ~ units_per_whole ~ '.0', 'count(' ~ expression ~ ')') }} as double)
{%- endmacro %}
