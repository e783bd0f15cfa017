{#- Continuous percentile (linear interpolation) of `expression` as an aggregate; p in 0..1.
    METRICS.md: medians and p90 are continuous percentiles. NULLs are ignored. -#}
{% macro percentile_cont(expression, p) -%}
    {{ return(adapter.dispatch('percentile_cont', 'salesops')(expression, p)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, p) -%}
    percentile_cont({{ p }}) within group (order by {{ expression }})
{%- endmacro %}

{#- DuckDB: Spark's arithmetic, written out, so both engines give the same bits: position =
    (n - 1) * p over the sorted non-NULL values; a whole position is that value, otherwise
    (ceil - position) * lower + (position - floor) * upper. DuckDB's own quantile_cont
    interpolates with other arithmetic (the same number to about 15 digits, but not the same
    last bits). -#}
{% macro duckdb__percentile_cont(expression, p) -%}
    {%- set sorted_values = 'list_sort(list(' ~ expression ~ ') filter (where (' ~ expression ~ ') is not null))' -%}
    {%- set position = '(cast(count(' ~ expression ~ ') - 1 as double) * cast(' ~ p ~ ' as double))' -%}
    {%- set lower = 'cast(' ~ sorted_values ~ '[cast(floor(' ~ position ~ ') as bigint) + 1] as double)' -%}
    {%- set upper = 'cast(' ~ sorted_values ~ '[cast(ceil(' ~ position ~ ') as bigint) + 1] as double)' -%}
    case
        when count({{ expression }}) = 0 then null
        when floor({{ position }}) = ceil({{ position }}) then {{ lower }}
        else (ceil({{ position }}) - {{ position }}) * {{ lower }}
            + ({{ position }} - floor({{ position }})) * {{ upper }}
    end
{%- endmacro %}

{% macro spark__percentile_cont(expression, p) -%}
    percentile({{ expression }}, {{ p }})
{%- endmacro %}

{#- A percentile of money or days, published rounded to 6 decimals (as exact_sum fixes money to
    6 decimals), so interpolation noise (48.000000000000014) never reaches those numbers. -#}
{% macro rounded_percentile(expression, p) -%}
    round(cast({{ percentile_cont(expression, p) }} as double), 6)
{%- endmacro %}
