{#- Continuous percentile (linear interpolation) of `expression` as an aggregate; p in 0..1.
    METRICS.md: medians and p90 are continuous percentiles. NULLs are ignored. -#}
{% macro percentile_cont(expression, p) -%}
    {{ return(adapter.dispatch('percentile_cont', 'salesops')(expression, p)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, p) -%}
    percentile_cont({{ p }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__percentile_cont(expression, p) -%}
    quantile_cont({{ expression }}, {{ p }})
{%- endmacro %}

{% macro spark__percentile_cont(expression, p) -%}
    percentile({{ expression }}, {{ p }})
{%- endmacro %}

{#- The published form of a percentile: continuous, rounded to 6 decimals (as exact_sum fixes
    money to 6 decimals). Engines interpolate with different arithmetic (DuckDB's quantile_cont
    and Spark's percentile differ in the last bits) and leave noise such as 48.000000000000014;
    rounded, every engine publishes the same number. -#}
{% macro rounded_percentile(expression, p) -%}
    round(cast({{ percentile_cont(expression, p) }} as double), 6)
{%- endmacro %}
