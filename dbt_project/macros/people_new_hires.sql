{#- New-hire attrition and ramp time (METRICS.md section 2): one definition for every grain.
    new_hire_sums() aggregates dim_rep_ramp rows (one per employment span, a rehire too) grouped
    by the hire month and the grain's columns. -#}
{% macro new_hire_sums() -%}
    cast(count(*) as bigint) as hires,
    cast(count(case when is_90_day_window_complete then 1 end) as bigint) as hires_90_day_window_complete,
    cast(count(case when left_within_90_days then 1 end) as bigint) as left_within_90_days,
    cast(count(case when ramp_days is not null then 1 end) as bigint) as ramped_hires,
    cast(avg(cast(ramp_days as double)) as double) as avg_ramp_days,
    cast({{ percentile_cont('cast(ramp_days as double)', 0.5) }} as double) as median_ramp_days
{%- endmacro %}

{#- The published new-hire columns from a row of new_hire_sums(): the attrition rate is
    recomputed from the counts (NULL without hires); a cohort is complete when every hire's
    90-day window has passed. -#}
{% macro new_hire_rates(relation) -%}
    {{ relation }}.hires,
    {{ relation }}.hires_90_day_window_complete,
    {{ relation }}.left_within_90_days,
    cast({{ safe_divide(relation ~ '.left_within_90_days', relation ~ '.hires') }} as double) as new_hire_attrition_rate_90d,
    {{ relation }}.hires_90_day_window_complete = {{ relation }}.hires as is_cohort_complete,
    {{ relation }}.ramped_hires,
    {{ relation }}.avg_ramp_days,
    {{ relation }}.median_ramp_days
{%- endmacro %}
