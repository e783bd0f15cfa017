{#- The body of a CTE giving each (month, rep_email) of `relation` the rep's team and region
    in force on the month's last day (METRICS: a rep x month row carries the rep's team and
    region as of the last day of the month). Reps without an HR period on that day get no row
    (NULL team/region after a left join). -#}
{% macro rep_attributes_at_month_end(relation, month_column='month') -%}
    {%- set month_end = 'cast(' ~ dbt.last_day(relation ~ '.' ~ month_column, 'month') ~ ' as date)' -%}
    select
        {{ relation }}.{{ month_column }},
        {{ relation }}.rep_email,
        worker_periods.team,
        worker_periods.region
    from {{ relation }}
    inner join {{ ref('int_hr__worker_periods') }} as worker_periods
        on {{ relation }}.rep_email = worker_periods.work_email
        and worker_periods.valid_from <= {{ month_end }}
        and (worker_periods.valid_to is null or {{ month_end }} <= worker_periods.valid_to)
{%- endmacro %}
