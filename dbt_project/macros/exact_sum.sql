{#- A sum of money that comes out the same whatever order the rows are added in: each value is
    fixed to 6 decimals and summed as a decimal, so parallel aggregation can't change the last
    digits between runs (a double sum can). -#}
{% macro exact_sum(expression) -%}
    sum(cast({{ expression }} as decimal(38, 6)))
{%- endmacro %}
