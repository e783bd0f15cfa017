{#- Emails join systems case-insensitively: lower-cased, trimmed, empty -> NULL. -#}
{% macro clean_email(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}
