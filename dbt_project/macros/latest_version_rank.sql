{#- The contract's rule for which version of a record counts: the highest SystemModstamp, ties
    broken by the later drop, then the later line of the file. Objects without SystemModstamp
    rank by drop and line alone (by_modstamp=false). Rank 1 is the version that counts. -#}
{% macro latest_version_rank(partition_by, by_modstamp=true) -%}
    row_number() over (
        partition by {{ partition_by }}
        order by
            {%- if by_modstamp %} system_modstamp desc nulls last,{% endif %}
            drop_date desc nulls last, source_line desc nulls last
    )
{%- endmacro %}
