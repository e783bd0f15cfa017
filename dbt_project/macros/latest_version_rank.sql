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

{#- Until when a version is the one in force, over versions ranked by latest_version_rank (as
    version_rank): the earliest drop that delivered a better-ranked version of the same record
    (exclusive end); NULL for the best version. A version counts for the drop dates d with
    its own drop_date <= d < this. -#}
{% macro version_counts_until(partition_by) -%}
    min(drop_date) over (
        partition by {{ partition_by }}
        order by version_rank asc nulls last
        rows between unbounded preceding and 1 preceding
    )
{%- endmacro %}

{#- xAPI statements are immutable: the same statement id delivered again is a re-delivery, and
    its first delivery (earliest drop, then earliest line) counts. Rank 1 is that delivery. -#}
{% macro first_delivery_rank(partition_by) -%}
    row_number() over (
        partition by {{ partition_by }}
        order by drop_date asc nulls last, source_line asc nulls last
    )
{%- endmacro %}
