{#- Deal value, sales cycle and velocity measures (METRICS.md sections 5-6), one definition for
    every grain. Sums and counts are 0 in a row that exists; averages and percentiles are NULL
    when their population is empty. NULL amounts (no applicable rate) are left out of every
    amount measure; negative cycle days (a data-quality failure) are left out of every cycle
    measure and counted in negative_cycle_count. -#}

{#- NULL-safe equality, for joining grains whose key may be the NULL group. -#}
{% macro sales_null_safe_equal(left, right) -%}
    ({{ left }} = {{ right }} or ({{ left }} is null and {{ right }} is null))
{%- endmacro %}

{#- A continuous percentile rounded to 6 decimals (as exact_sum fixes money to 6 decimals), so
    interpolation noise (48.000000000000014) never reaches the published numbers. -#}
{% macro sales_percentile(expression, p) -%}
    round(cast({{ percentile_cont(expression, p) }} as double), 6)
{%- endmacro %}

{#- Over won opportunities (is_won already filtered). -#}
{% macro sales_deal_value_measures(amount='amount_reporting') -%}
    cast(count(*) as bigint) as won_count,
    cast(count({{ amount }}) as bigint) as won_with_amount_count,
    cast(coalesce({{ exact_sum(amount) }}, 0) as double) as bookings_amount,
    cast({{ safe_divide(exact_sum(amount), 'count(' ~ amount ~ ')') }} as double) as avg_won_amount,
    cast({{ sales_percentile(amount, 0.5) }} as double) as median_won_amount,
    cast(round(max({{ amount }}), 6) as double) as largest_won_amount
{%- endmacro %}

{#- The published deal-value columns from the sales_deal_value_measures of one relation. -#}
{% macro sales_deal_value_columns(relation) -%}
    {{ relation }}.won_count,
    {{ relation }}.won_with_amount_count,
    {{ relation }}.bookings_amount,
    {{ relation }}.avg_won_amount,
    {{ relation }}.median_won_amount,
    {{ relation }}.largest_won_amount
{%- endmacro %}

{#- Over closed opportunities (won and lost) closed in the period. -#}
{% macro sales_cycle_measures(is_won='is_won', cycle_days='cycle_days') -%}
    {%- set won_cycle = 'case when ' ~ is_won ~ ' and ' ~ cycle_days ~ ' >= 0 then ' ~ cycle_days ~ ' end' -%}
    {%- set closed_cycle = 'case when ' ~ cycle_days ~ ' >= 0 then ' ~ cycle_days ~ ' end' -%}
    cast(count(*) as bigint) as closed_count,
    cast(count(case when {{ is_won }} then 1 end) as bigint) as won_count,
    cast(count(case when {{ cycle_days }} < 0 then 1 end) as bigint) as negative_cycle_count,
    cast(count({{ won_cycle }}) as bigint) as won_cycle_count,
    cast(coalesce(sum({{ won_cycle }}), 0) as bigint) as won_cycle_days_total,
    cast(count({{ closed_cycle }}) as bigint) as closed_cycle_count,
    cast(coalesce(sum({{ closed_cycle }}), 0) as bigint) as closed_cycle_days_total,
    cast({{ sales_percentile(won_cycle, 0.5) }} as double) as median_cycle_days_won,
    cast({{ sales_percentile(won_cycle, 0.9) }} as double) as p90_cycle_days_won,
    cast({{ sales_percentile(closed_cycle, 0.5) }} as double) as median_cycle_days_closed,
    cast({{ sales_percentile(closed_cycle, 0.9) }} as double) as p90_cycle_days_closed
{%- endmacro %}

{#- Over fct_sales_velocity_windows rows of one group and month (created and closed events of
    the trailing 90-day window). -#}
{% macro sales_velocity_sums() -%}
    {%- set won_amount = "case when event_type = 'closed' and is_won then amount_reporting end" -%}
    {%- set won_cycle = "case when event_type = 'closed' and is_won and cycle_days >= 0 then cycle_days end" -%}
    cast(count(case when event_type = 'created' then 1 end) as bigint) as created_count_90d,
    cast(count(case when event_type = 'closed' then 1 end) as bigint) as closed_count_90d,
    cast(count(case when event_type = 'closed' and is_won then 1 end) as bigint) as won_count_90d,
    cast(count({{ won_amount }}) as bigint) as won_with_amount_count_90d,
    cast(coalesce({{ exact_sum(won_amount) }}, 0) as double) as bookings_amount_90d,
    cast(count({{ won_cycle }}) as bigint) as won_cycle_count_90d,
    cast(coalesce(sum({{ won_cycle }}), 0) as bigint) as won_cycle_days_total_90d
{%- endmacro %}

{#- The velocity factors and velocity from the sums of one relation (NULL without the relation's
    row, i.e. a group-month with nothing in its window). velocity = N x avg won amount x win
    rate # / avg won cycle days; NULL when a factor's denominator is 0 (no closed deal, no won
    deal with an amount, no won deal with a valid cycle, or an average won cycle of 0 days). -#}
{% macro sales_velocity_ratios(relation) -%}
    {%- set avg_amount = safe_divide(relation ~ '.bookings_amount_90d', relation ~ '.won_with_amount_count_90d') -%}
    {%- set win_rate = safe_divide(relation ~ '.won_count_90d', relation ~ '.closed_count_90d') -%}
    {%- set avg_cycle = safe_divide(relation ~ '.won_cycle_days_total_90d', relation ~ '.won_cycle_count_90d') -%}
    cast(coalesce({{ relation }}.created_count_90d, 0) as bigint) as opportunities_created_90d,
    cast(coalesce({{ relation }}.closed_count_90d, 0) as bigint) as closed_count_90d,
    cast(coalesce({{ relation }}.won_count_90d, 0) as bigint) as won_count_90d,
    cast(coalesce({{ relation }}.bookings_amount_90d, 0) as double) as bookings_amount_90d,
    cast({{ avg_amount }} as double) as avg_won_amount_90d,
    cast({{ win_rate }} as double) as win_rate_count_90d,
    cast({{ avg_cycle }} as double) as avg_cycle_days_won_90d,
    cast(
        case
            when ({{ avg_amount }}) is null or ({{ win_rate }}) is null
                or ({{ avg_cycle }}) is null or ({{ avg_cycle }}) = 0
                then null
            else {{ relation }}.created_count_90d * ({{ avg_amount }}) * ({{ win_rate }}) / ({{ avg_cycle }})
        end
        as double
    ) as sales_velocity_90d
{%- endmacro %}

{#- Cycle columns of the published marts from the sums of one relation (counts 0 and averages
    NULL for a group-month without closed deals). -#}
{% macro sales_cycle_columns(relation) -%}
    cast(coalesce({{ relation }}.closed_count, 0) as bigint) as closed_count,
    cast(coalesce({{ relation }}.won_count, 0) as bigint) as won_count,
    cast(coalesce({{ relation }}.negative_cycle_count, 0) as bigint) as negative_cycle_count,
    cast(coalesce({{ relation }}.won_cycle_count, 0) as bigint) as won_cycle_count,
    cast(coalesce({{ relation }}.won_cycle_days_total, 0) as bigint) as won_cycle_days_total,
    cast(coalesce({{ relation }}.closed_cycle_count, 0) as bigint) as closed_cycle_count,
    cast(coalesce({{ relation }}.closed_cycle_days_total, 0) as bigint) as closed_cycle_days_total,
    cast({{ safe_divide(relation ~ '.won_cycle_days_total', relation ~ '.won_cycle_count') }} as double) as avg_cycle_days_won,
    {{ relation }}.median_cycle_days_won,
    {{ relation }}.p90_cycle_days_won,
    cast({{ safe_divide(relation ~ '.closed_cycle_days_total', relation ~ '.closed_cycle_count') }} as double) as avg_cycle_days_closed,
    {{ relation }}.median_cycle_days_closed,
    {{ relation }}.p90_cycle_days_closed
{%- endmacro %}

{#- The body of a kpi_sales_cycle grain: cycle measures of the opportunities closed in the month
    (grouped by `group_column`: team / region as on the CloseDate, rep_email; none = company)
    beside the 90-day velocity of the same group (events assigned to the group in force on the
    event's date). A row where the group closed something in the month or has an event in the
    month's 90-day window (months up to the as-of month). -#}
{% macro sales_cycle_grain(group_column=none) -%}
{%- set group_list = ['month'] + ([group_column] if group_column else []) -%}
with closed_opportunities as (
    select *
    from {{ ref('fct_closed_opportunities') }}
),

velocity_events as (
    select *
    from {{ ref('fct_sales_velocity_windows') }}
),

cycle_sums as (
    select
        {{ group_list | join(', ') }},
        {{ sales_cycle_measures() }}
    from closed_opportunities
    group by {{ group_list | join(', ') }}
),

velocity_sums as (
    select
        {{ group_list | join(', ') }},
        {{ sales_velocity_sums() }}
    from velocity_events
    group by {{ group_list | join(', ') }}
),

group_months as (
    select {{ group_list | join(', ') }} from cycle_sums
    union
    select {{ group_list | join(', ') }} from velocity_sums
)
{%- if group_column == 'rep_email' %},

month_end_attributes as (
    {{ rep_attributes_at_month_end('group_months') }}
)
{%- endif %}

select
    group_months.month,
    {%- if group_column == 'rep_email' %}
    cast(group_months.rep_email as {{ dbt.type_string() }}) as rep_email,
    cast(reps.rep_name as {{ dbt.type_string() }}) as rep_name,
    cast(month_end_attributes.team as {{ dbt.type_string() }}) as team,
    cast(month_end_attributes.region as {{ dbt.type_string() }}) as region,
    {%- elif group_column %}
    cast(group_months.{{ group_column }} as {{ dbt.type_string() }}) as {{ group_column }},
    {%- endif %}
    {{ sales_cycle_columns('cycle_sums') }},
    {{ sales_velocity_ratios('velocity_sums') }}
from group_months
left join cycle_sums
    on group_months.month = cycle_sums.month
    {%- if group_column %}
    and {{ sales_null_safe_equal('group_months.' ~ group_column, 'cycle_sums.' ~ group_column) }}
    {%- endif %}
left join velocity_sums
    on group_months.month = velocity_sums.month
    {%- if group_column %}
    and {{ sales_null_safe_equal('group_months.' ~ group_column, 'velocity_sums.' ~ group_column) }}
    {%- endif %}
{%- if group_column == 'rep_email' %}
left join {{ ref('int_crm__reps_by_email') }} as reps
    on group_months.rep_email = reps.rep_email
left join month_end_attributes
    on group_months.month = month_end_attributes.month
    and group_months.rep_email = month_end_attributes.rep_email
{%- endif %}
{%- endmacro %}
