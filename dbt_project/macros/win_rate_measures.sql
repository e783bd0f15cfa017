{#- Win-rate aggregates over closed opportunities (one definition for every grain).
    Counts are 0 and amounts 0 in a row that exists; NULL amounts (no applicable rate) are
    left out of the sums. -#}
{% macro win_rate_sums(is_won='is_won', amount='amount_reporting') -%}
    cast(count(case when {{ is_won }} then 1 end) as bigint) as won_count,
    cast(count(case when not {{ is_won }} then 1 end) as bigint) as lost_count,
    cast(coalesce({{ exact_sum('case when ' ~ is_won ~ ' then ' ~ amount ~ ' end') }}, 0) as double) as won_amount,
    cast(coalesce({{ exact_sum('case when not ' ~ is_won ~ ' then ' ~ amount ~ ' end') }}, 0) as double) as lost_amount
{%- endmacro %}

{#- Ratios recomputed from summed counts and amounts (never averaged); NULL on a 0 denominator. -#}
{% macro win_rate_ratios(relation) -%}
    {{ relation }}.won_count,
    {{ relation }}.lost_count,
    cast({{ safe_divide(relation ~ '.won_count', relation ~ '.won_count + ' ~ relation ~ '.lost_count') }} as double) as win_rate_count,
    {{ relation }}.won_amount,
    {{ relation }}.lost_amount,
    cast({{ safe_divide(relation ~ '.won_amount', relation ~ '.won_amount + ' ~ relation ~ '.lost_amount') }} as double) as win_rate_amount
{%- endmacro %}
