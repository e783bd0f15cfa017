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
