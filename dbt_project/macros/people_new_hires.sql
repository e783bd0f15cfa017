{#- New-hire attrition and ramp time per hire cohort month (dim_rep_ramp), for one grouping:
    group_by = 'team' or 'region' (in force on the hire date) or none (company). Sparse: a row
    per cohort month (and group) with at least one hire. Ratios and averages are recomputed from
    the spans at every grain; NULL on an empty population. -#}
{% macro people_new_hire_mart(group_by=none) -%}
with hires as (
    select *
    from {{ ref('dim_rep_ramp') }}
),

cohort_sums as (
    select
        hire_month as month,
        {%- if group_by is not none %}
        {{ group_by }},
        {%- endif %}
        cast(count(*) as bigint) as hires,
        cast(count(case when is_90_day_window_complete then 1 end) as bigint) as hires_90_day_window_complete,
        cast(count(case when left_within_90_days then 1 end) as bigint) as left_within_90_days,
        cast(count(case when ramp_days is not null then 1 end) as bigint) as ramped_hires,
        cast(avg(cast(ramp_days as double)) as double) as avg_ramp_days,
        cast({{ percentile_cont('cast(ramp_days as double)', 0.5) }} as double) as median_ramp_days
    from hires
    group by
        hire_month
        {%- if group_by is not none %},
        {{ group_by }}
        {%- endif %}
)

select
    cohort_sums.month,
    {%- if group_by is not none %}
    cast(cohort_sums.{{ group_by }} as {{ dbt.type_string() }}) as {{ group_by }},
    {%- endif %}
    cohort_sums.hires,
    cohort_sums.hires_90_day_window_complete,
    cohort_sums.left_within_90_days,
    cast({{ safe_divide('cohort_sums.left_within_90_days', 'cohort_sums.hires') }} as double) as new_hire_attrition_rate_90d,
    cohort_sums.hires_90_day_window_complete = cohort_sums.hires as is_cohort_complete,
    cohort_sums.ramped_hires,
    cohort_sums.avg_ramp_days,
    cohort_sums.median_ramp_days
from cohort_sums
{%- endmacro %}
