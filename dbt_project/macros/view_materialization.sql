{#- The materialization of a model that is a view on DuckDB (a fact or dimension computed on
    read): a table on Spark, where every query over a chain of views replans and recomputes the
    whole chain (docs/spark.md). dbt_project.yml does the same for staging and intermediate. -#}
{% macro view_materialization() -%}
    {{ return('table' if target.type == 'spark' else 'view') }}
{%- endmacro %}
