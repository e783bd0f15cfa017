{#- kpi_training aggregates over fct_training_measures rows (one definition for every
    grain). Sums and counts are 0 in a row that exists; hours (summed as seconds) and scores
    are exact decimal sums so a rerun gives the same digits. -#}
{% macro people_training_sums() -%}
    cast(coalesce({{ exact_sum('training_seconds') }}, 0) as double) / 3600.0 as training_hours,
    cast(sum(courses_completed) as bigint) as courses_completed,
    cast(sum(assignments_due) as bigint) as assignments_due,
    cast(sum(assignments_completed_on_time) as bigint) as assignments_completed_on_time,
    cast(sum(overdue_assignments) as bigint) as overdue_assignments,
    cast(sum(scored_attempts) as bigint) as scored_attempts,
    cast({{ exact_sum('scaled_score') }} as double) as scaled_score_sum
{%- endmacro %}

{#- Ratios recomputed from the summed counts (never averaged); NULL on an empty population. -#}
{% macro people_training_ratios(relation) -%}
    {{ relation }}.training_hours,
    {{ relation }}.courses_completed,
    {{ relation }}.assignments_due,
    {{ relation }}.assignments_completed_on_time,
    cast({{ safe_divide(relation ~ '.assignments_completed_on_time', relation ~ '.assignments_due') }} as double) as on_time_completion_rate,
    {{ relation }}.overdue_assignments,
    {{ relation }}.scored_attempts,
    cast({{ safe_divide(relation ~ '.scaled_score_sum', relation ~ '.scored_attempts') }} as double) as avg_scaled_score
{%- endmacro %}
