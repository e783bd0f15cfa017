{#- Deal value, sales cycle and velocity measures (METRICS.md sections 5-6), one definition for
    every grain. Sums and counts are 0 in a row that exists; averages and percentiles are NULL
    when their population is empty. NULL amounts (no applicable rate) are left out of every
    amount measure; negative cycle days (a data-quality failure) are left out of every cycle
    measure and counted in negative_cycle_count. -#}

{#- Over won opportunities (is_won already filtered). -#}
{% macro sales_deal_value_measures(amount='amount_reporting') -%}
    cast(count(*) as bigint) as won_count,
    cast(count({{ amount }}) as bigint) as won_with_amount_count,
    cast(coalesce({{ exact_sum(amount) }}, 0) as double) as bookings_amount,
    cast({{ safe_divide(exact_sum(amount), 'count(' ~ amount ~ ')') }} as double) as avg_won_amount,
    cast({{ rounded_percentile(amount, 0.5) }} as double) as median_won_amount,
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

{#- Sales-cycle and velocity sums over fct_sales_cycle_events rows of one group and month: the
    cycle measures over the 'closed_in_month' rows (won and lost opportunities closed in the
    month), the velocity sums over the 'created_in_90d' / 'closed_in_90d' rows (the trailing
    90-day window). -#}
{% macro sales_cycle_sums() -%}
    {%- set closed = "event_type = 'closed_in_month'" -%}
    {%- set won_cycle = "case when " ~ closed ~ " and is_won and cycle_days >= 0 then cycle_days end" -%}
    {%- set closed_cycle = "case when " ~ closed ~ " and cycle_days >= 0 then cycle_days end" -%}
    {%- set won_amount_90d = "case when event_type = 'closed_in_90d' and is_won then amount_reporting end" -%}
    {%- set won_cycle_90d = "case when event_type = 'closed_in_90d' and is_won and cycle_days >= 0 then cycle_days end" -%}
    cast(count(case when {{ closed }} then 1 end) as bigint) as closed_count,
    cast(count(case when {{ closed }} and is_won then 1 end) as bigint) as won_count,
    cast(count(case when {{ closed }} and cycle_days < 0 then 1 end) as bigint) as negative_cycle_count,
    cast(count({{ won_cycle }}) as bigint) as won_cycle_count,
    cast(coalesce(sum({{ won_cycle }}), 0) as bigint) as won_cycle_days_total,
    cast(count({{ closed_cycle }}) as bigint) as closed_cycle_count,
    cast(coalesce(sum({{ closed_cycle }}), 0) as bigint) as closed_cycle_days_total,
    cast({{ rounded_percentile(won_cycle, 0.5) }} as double) as median_cycle_days_won,
    cast({{ rounded_percentile(won_cycle, 0.9) }} as double) as p90_cycle_days_won,
    cast({{ rounded_percentile(closed_cycle, 0.5) }} as double) as median_cycle_days_closed,
    cast({{ rounded_percentile(closed_cycle, 0.9) }} as double) as p90_cycle_days_closed,
    cast(count(case when event_type = 'created_in_90d' then 1 end) as bigint) as created_count_90d,
    cast(count(case when event_type = 'closed_in_90d' then 1 end) as bigint) as closed_count_90d,
    cast(count(case when event_type = 'closed_in_90d' and is_won then 1 end) as bigint) as won_count_90d,
    cast(count({{ won_amount_90d }}) as bigint) as won_with_amount_count_90d,
    cast(coalesce({{ exact_sum(won_amount_90d) }}, 0) as double) as bookings_amount_90d,
    cast(count({{ won_cycle_90d }}) as bigint) as won_cycle_count_90d,
    cast(coalesce(sum({{ won_cycle_90d }}), 0) as bigint) as won_cycle_days_total_90d
{%- endmacro %}

{#- The published cycle and velocity columns from the sales_cycle_sums of one relation. Averages
    are NULL when their population is empty. velocity = N x avg won amount x win rate # / avg
    won cycle days; NULL when a factor's denominator is 0 (no closed deal, no won deal with an
    amount, no won deal with a valid cycle, or an average won cycle of 0 days). -#}
{% macro sales_cycle_columns(relation) -%}
    {%- set avg_amount = safe_divide(relation ~ '.bookings_amount_90d', relation ~ '.won_with_amount_count_90d') -%}
    {%- set win_rate = safe_divide(relation ~ '.won_count_90d', relation ~ '.closed_count_90d') -%}
    {%- set avg_cycle = safe_divide(relation ~ '.won_cycle_days_total_90d', relation ~ '.won_cycle_count_90d') -%}
    {{ relation }}.closed_count,
    {{ relation }}.won_count,
    {{ relation }}.negative_cycle_count,
    {{ relation }}.won_cycle_count,
    {{ relation }}.won_cycle_days_total,
    {{ relation }}.closed_cycle_count,
    {{ relation }}.closed_cycle_days_total,
    cast({{ safe_divide(relation ~ '.won_cycle_days_total', relation ~ '.won_cycle_count') }} as double) as avg_cycle_days_won,
    {{ relation }}.median_cycle_days_won,
    {{ relation }}.p90_cycle_days_won,
    cast({{ safe_divide(relation ~ '.closed_cycle_days_total', relation ~ '.closed_cycle_count') }} as double) as avg_cycle_days_closed,
    {{ relation }}.median_cycle_days_closed,
    {{ relation }}.p90_cycle_days_closed,
    {{ relation }}.created_count_90d as opportunities_created_90d,
    {{ relation }}.closed_count_90d,
    {{ relation }}.won_count_90d,
    {{ relation }}.bookings_amount_90d,
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
