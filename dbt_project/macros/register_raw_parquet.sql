{#- The raw database from the Parquet raw layer (salesops/raw_parquet.py; docs/spark.md):

      dbt run-operation register_raw_parquet --args '{location: /abs/raw, tables: {...}}'

    `tables` is the folder's raw_tables.json ({table: {columns: [[name, spark type]], partition_by,
    rows}}): salesops.spark_build passes it. On Spark each table becomes an external Parquet
    table (partitioned by its drop date, partitions recovered from the folders); the dbt sources
    raw.<table> read them. Run before the build, not during it (Spark's embedded metastore
    admits one process at a time). -#}
{% macro register_raw_parquet(location, tables) -%}
    {{ return(adapter.dispatch('register_raw_parquet', 'salesops')(location, tables)) }}
{%- endmacro %}

{% macro default__register_raw_parquet(location, tables) -%}
    {{ exceptions.raise_compiler_error("register_raw_parquet: the raw layer as Parquet is read by the Spark targets; on " ~ target.type ~ " ingestion loads the warehouse's raw schema") }}
{%- endmacro %}

{% macro spark__register_raw_parquet(location, tables) -%}
    {%- set database = 'raw' -%}
    {% do run_query('create database if not exists ' ~ database) %}
    {%- for table, spec in tables.items() | sort %}
        {%- set columns = [] -%}
        {%- for column in spec['columns'] -%}
            {%- do columns.append('`' ~ column[0] ~ '` ' ~ column[1]) -%}
        {%- endfor -%}
        {% do run_query('drop table if exists ' ~ database ~ '.`' ~ table ~ '`') %}
        {% do run_query(
            'create table ' ~ database ~ '.`' ~ table ~ '` (' ~ columns | join(', ') ~ ') using parquet'
            ~ (' partitioned by (`' ~ spec['partition_by'] ~ '`)' if spec['partition_by'] else '')
            ~ " location '" ~ location ~ '/' ~ table ~ "'") %}
        {%- if spec['partition_by'] %}
            {% do run_query('alter table ' ~ database ~ '.`' ~ table ~ '` recover partitions') %}
        {%- endif %}
    {%- endfor %}
    {{ log('registered ' ~ tables | length ~ ' raw tables from ' ~ location, info=true) }}
{%- endmacro %}
