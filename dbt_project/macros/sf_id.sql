{#- Record identity of a Salesforce Id or reference: its first 15 characters
    (the 15- and 18-character forms name the same record); empty -> NULL. -#}
{% macro sf_id(column) -%}
    nullif(substring(trim({{ column }}), 1, 15), '')
{%- endmacro %}
