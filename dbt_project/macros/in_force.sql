{#- True when the effective-dated row `periods` (valid_from .. valid_to, inclusive; an open end
    is NULL) is in force on `day`: the join condition of every "as of that day" lookup. -#}
{% macro in_force(periods, day) -%}
    {{ periods }}.valid_from <= {{ day }}
    and ({{ periods }}.valid_to is null or {{ day }} <= {{ periods }}.valid_to)
{%- endmacro %}
