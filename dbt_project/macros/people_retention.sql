{#- Retention (METRICS.md section 2): one definition of the measures for every grain.
    retention_sums() aggregates fct_retention_event_months rows grouped by month and the grain's
    columns: the month's own events give headcount and separations, every row of the group (the
    trailing 12 months' events) gives the trailing-year totals. Counts are 0 in a row that exists. -#}
{% macro retention_sums() -%}
    cast(count(case when is_event_month and event_type = 'headcount_start' then 1 end) as bigint) as headcount_start,
    cast(count(case when is_event_month and event_type = 'headcount_end' then 1 end) as bigint) as headcount_end,
    cast(count(case when is_event_month and event_type = 'separation' then 1 end) as bigint) as separations,
    cast(count(case when is_event_month and event_type = 'separation' and termination_type = 'voluntary' then 1 end) as bigint)
        as voluntary_separations,
    cast(count(case when is_event_month and event_type = 'separation' and termination_type = 'involuntary' then 1 end) as bigint)
        as involuntary_separations,
    cast(count(case when is_event_month and event_type = 'separation' and is_regrettable then 1 end) as bigint)
        as regrettable_separations,
    cast(count(case when event_type = 'separation' then 1 end) as bigint) as trailing_separations,
    cast(count(case when event_type in ('headcount_start', 'headcount_end') then 1 end) as bigint) as trailing_headcounts
{%- endmacro %}

{#- The published retention columns from a row of retention_sums() (relation `sums`) and its
    month of int_people__months (relation `months`). avg_headcount = (start + end) / 2; the
    trailing-year average headcount is the mean of the 12 monthly averages = trailing headcounts
    / 2 / 12. Rates are NULL on a 0 average headcount; the t12m columns are NULL for the first 11
    months of the series (month_index < 11). -#}
{% macro retention_rates(sums, months) -%}
    {%- set avg_headcount = '(' ~ sums ~ '.headcount_start + ' ~ sums ~ '.headcount_end) / 2.0' -%}
    {%- set avg_headcount_t12m = 'cast(' ~ sums ~ '.trailing_headcounts as double) / 2.0 / 12.0' -%}
    {{ sums }}.headcount_start,
    {{ sums }}.headcount_end,
    cast({{ avg_headcount }} as double) as avg_headcount,
    {{ sums }}.separations,
    {{ sums }}.voluntary_separations,
    {{ sums }}.involuntary_separations,
    {{ sums }}.regrettable_separations,
    cast({{ safe_divide(sums ~ '.separations', avg_headcount) }} as double) as turnover_rate,
    cast(1 - {{ safe_divide(sums ~ '.separations', avg_headcount) }} as double) as retention_rate,
    cast(case when {{ months }}.month_index >= 11 then {{ sums }}.trailing_separations end as bigint)
        as separations_t12m,
    cast(case when {{ months }}.month_index >= 11 then {{ avg_headcount_t12m }} end as double)
        as avg_headcount_t12m,
    cast(
        case
            when {{ months }}.month_index >= 11
                then {{ safe_divide(sums ~ '.trailing_separations', avg_headcount_t12m) }}
        end
        as double
    ) as turnover_rate_t12m
{%- endmacro %}
