{#- Retention (METRICS.md section 2) for one grouping of workers: group_by = 'team', 'region',
    'role' or none (company). Each headcount / separation counts under the group in force on
    its own day (fct_headcount_monthly), so every grouping sums to the company. The month x
    group grid is dense over the retention series so the trailing-12-month window is always
    12 rows; rows whose measures and trailing-year components are all 0 are left out (the
    company keeps every month of the series). -#}
{% macro people_retention_mart(group_by=none) -%}
{%- if group_by is none -%}
    {%- set start_col = 'cast(null as ' ~ dbt.type_string() ~ ')' -%}
    {%- set end_col = start_col -%}
    {%- set separation_col = start_col -%}
{%- else -%}
    {%- set start_col = group_by ~ '_start' -%}
    {%- set end_col = group_by ~ '_end' -%}
    {%- set separation_col = group_by ~ '_at_separation' -%}
{%- endif -%}
with months as (
    select *
    from {{ ref('int_people__months') }}
),

worker_months as (
    select *
    from {{ ref('fct_headcount_monthly') }}
),

headcount_events as (
    select
        month,
        {{ start_col }} as group_value,
        1 as headcount_start,
        0 as headcount_end,
        0 as separations,
        0 as voluntary_separations,
        0 as involuntary_separations,
        0 as regrettable_separations
    from worker_months
    where is_employed_start

    union all

    select
        month,
        {{ end_col }} as group_value,
        0 as headcount_start,
        1 as headcount_end,
        0 as separations,
        0 as voluntary_separations,
        0 as involuntary_separations,
        0 as regrettable_separations
    from worker_months
    where is_employed_end

    union all

    select
        month,
        {{ separation_col }} as group_value,
        0 as headcount_start,
        0 as headcount_end,
        1 as separations,
        case when termination_type = 'voluntary' then 1 else 0 end as voluntary_separations,
        case when termination_type = 'involuntary' then 1 else 0 end as involuntary_separations,
        case when is_regrettable then 1 else 0 end as regrettable_separations
    from worker_months
    where is_separation
),

group_values as (
    select distinct group_value
    from headcount_events
    {%- if group_by is none %}
    union
    select cast(null as {{ dbt.type_string() }}) as group_value
    {%- endif %}
),

month_group_grid as (
    select
        months.month,
        months.month_index,
        group_values.group_value
    from months
    cross join group_values
),

monthly_sums as (
    select
        month_group_grid.month,
        month_group_grid.month_index,
        month_group_grid.group_value,
        cast(coalesce(sum(headcount_events.headcount_start), 0) as bigint) as headcount_start,
        cast(coalesce(sum(headcount_events.headcount_end), 0) as bigint) as headcount_end,
        cast(coalesce(sum(headcount_events.separations), 0) as bigint) as separations,
        cast(coalesce(sum(headcount_events.voluntary_separations), 0) as bigint) as voluntary_separations,
        cast(coalesce(sum(headcount_events.involuntary_separations), 0) as bigint) as involuntary_separations,
        cast(coalesce(sum(headcount_events.regrettable_separations), 0) as bigint) as regrettable_separations
    from month_group_grid
    left join headcount_events
        on month_group_grid.month = headcount_events.month
        and (
            month_group_grid.group_value = headcount_events.group_value
            or (month_group_grid.group_value is null and headcount_events.group_value is null)
        )
    group by
        month_group_grid.month,
        month_group_grid.month_index,
        month_group_grid.group_value
),

monthly_rates as (
    select
        monthly_sums.*,
        cast((monthly_sums.headcount_start + monthly_sums.headcount_end) / 2.0 as double) as avg_headcount
    from monthly_sums
),

trailing_sums as (
    select
        monthly_rates.*,
        sum(monthly_rates.separations) over (
            partition by monthly_rates.group_value
            order by monthly_rates.month asc
            rows between 11 preceding and current row
        ) as trailing_separations,
        sum(monthly_rates.avg_headcount) over (
            partition by monthly_rates.group_value
            order by monthly_rates.month asc
            rows between 11 preceding and current row
        ) / 12.0 as trailing_avg_headcount
    from monthly_rates
)

select
    trailing_sums.month,
    {%- if group_by is not none %}
    cast(trailing_sums.group_value as {{ dbt.type_string() }}) as {{ group_by }},
    {%- endif %}
    trailing_sums.headcount_start,
    trailing_sums.headcount_end,
    trailing_sums.avg_headcount,
    trailing_sums.separations,
    trailing_sums.voluntary_separations,
    trailing_sums.involuntary_separations,
    trailing_sums.regrettable_separations,
    cast({{ safe_divide('trailing_sums.separations', 'trailing_sums.avg_headcount') }} as double) as turnover_rate,
    cast(1 - {{ safe_divide('trailing_sums.separations', 'trailing_sums.avg_headcount') }} as double) as retention_rate,
    cast(case when trailing_sums.month_index >= 11 then trailing_sums.trailing_separations end as bigint)
        as separations_t12m,
    cast(case when trailing_sums.month_index >= 11 then trailing_sums.trailing_avg_headcount end as double)
        as avg_headcount_t12m,
    cast(
        case
            when trailing_sums.month_index >= 11
                then {{ safe_divide('trailing_sums.trailing_separations', 'trailing_sums.trailing_avg_headcount') }}
        end
        as double
    ) as turnover_rate_t12m
from trailing_sums
{%- if group_by is not none %}
where trailing_sums.headcount_start > 0
    or trailing_sums.headcount_end > 0
    or trailing_sums.separations > 0
    or trailing_sums.trailing_separations > 0
    or trailing_sums.trailing_avg_headcount > 0
{%- endif %}
{%- endmacro %}
