{#- Pipeline-forecast aggregates over fct_forecast_events (one definition for every
    grain). Sums are exact decimal sums, 0 in a row that exists; NULL amounts (no applicable
    conversion rate) are left out. Probability is a percent: the weighted amount is
    amount x probability / 100 (computed in fct_pipeline_snapshots). The open pipeline holds
    every open opportunity, Omitted ones included (they are shown apart in omitted_amount), and
    so does the weighted pipeline (METRICS: sum(Amount x Probability / 100) over the snapshot's
    open opportunities); the forecast categories and roll-ups never hold Omitted ones. Which
    ForecastCategory feeds which measure (forecast_bucket) is reference data: the seed
    forecast_categories (Pipeline -> pipeline, BestCase -> best_case, Forecast -> commit,
    Omitted -> omitted). -#}
{% macro pipeline_forecast_sums() -%}
    cast(count(case when is_open then 1 end) as bigint) as open_opportunity_count,
    coalesce({{ exact_sum("case when is_open then amount_reporting end") }}, 0) as open_pipeline_amount,
    coalesce({{ exact_sum("case when is_open then weighted_amount_reporting end") }}, 0) as weighted_pipeline_amount,
    coalesce({{ exact_sum("case when is_open and forecast_bucket = 'pipeline' then amount_reporting end") }}, 0) as pipeline_amount,
    coalesce({{ exact_sum("case when is_open and forecast_bucket = 'best_case' then amount_reporting end") }}, 0) as best_case_amount,
    coalesce({{ exact_sum("case when is_open and forecast_bucket = 'commit' then amount_reporting end") }}, 0) as commit_amount,
    coalesce({{ exact_sum("case when is_open and forecast_bucket = 'omitted' then amount_reporting end") }}, 0) as omitted_amount,
    cast(count(case when is_closed_won then 1 end) as bigint) as closed_won_count,
    coalesce({{ exact_sum("case when is_closed_won then amount_reporting end") }}, 0) as closed_won_amount,
    coalesce({{ exact_sum("quota_amount_reporting") }}, 0) as quota_amount
{%- endmacro %}

{#- The published measures from the sums: Salesforce's cumulative forecast categories
    (commit = closed won + Forecast; best case = commit + BestCase; pipeline = best case +
    Pipeline) and quota attainment = closed won / quota, NULL without a quota or with quota 0. -#}
{% macro pipeline_forecast_measures(relation) -%}
    {{ relation }}.open_opportunity_count,
    cast({{ relation }}.open_pipeline_amount as double) as open_pipeline_amount,
    cast({{ relation }}.weighted_pipeline_amount as double) as weighted_pipeline_amount,
    cast({{ relation }}.pipeline_amount as double) as pipeline_amount,
    cast({{ relation }}.best_case_amount as double) as best_case_amount,
    cast({{ relation }}.commit_amount as double) as commit_amount,
    cast({{ relation }}.omitted_amount as double) as omitted_amount,
    {{ relation }}.closed_won_count,
    cast({{ relation }}.closed_won_amount as double) as closed_won_amount,
    cast({{ relation }}.closed_won_amount + {{ relation }}.commit_amount as double) as commit_forecast,
    cast({{ relation }}.closed_won_amount + {{ relation }}.commit_amount + {{ relation }}.best_case_amount as double) as best_case_forecast,
    cast({{ relation }}.closed_won_amount + {{ relation }}.commit_amount + {{ relation }}.best_case_amount + {{ relation }}.pipeline_amount as double) as pipeline_forecast,
    cast({{ relation }}.quota_amount as double) as quota_amount,
    cast({{ safe_divide(relation ~ '.closed_won_amount', relation ~ '.quota_amount') }} as double) as quota_attainment
{%- endmacro %}

{#- Quota attainment aggregates over fct_quota_attainment_events. -#}
{% macro pipeline_quota_sums() -%}
    cast(count(case when is_won then 1 end) as bigint) as won_count,
    coalesce({{ exact_sum("case when is_won then amount_reporting end") }}, 0) as won_amount,
    coalesce({{ exact_sum("quota_amount_reporting") }}, 0) as quota_amount
{%- endmacro %}

{% macro pipeline_quota_measures(relation) -%}
    {{ relation }}.won_count,
    cast({{ relation }}.won_amount as double) as won_amount,
    cast({{ relation }}.quota_amount as double) as quota_amount,
    cast({{ safe_divide(relation ~ '.won_amount', relation ~ '.quota_amount') }} as double) as quota_attainment
{%- endmacro %}

{#- Forecast-accuracy aggregates over fct_forecast_accuracy_events. -#}
{% macro pipeline_accuracy_sums(horizons=[30, 60, 90]) -%}
    cast(count(case when is_actual_won then 1 end) as bigint) as won_count,
    coalesce({{ exact_sum("case when is_actual_won then won_amount end") }}, 0) as won_amount
    {%- for horizon in horizons %},
    coalesce({{ exact_sum("case when horizon_days = " ~ horizon ~ " then commit_amount end") }}, 0) as commit_forecast_{{ horizon }}d,
    coalesce({{ exact_sum("case when horizon_days = " ~ horizon ~ " then weighted_amount end") }}, 0) as weighted_pipeline_{{ horizon }}d
    {%- endfor %}
{%- endmacro %}

{#- Accuracy = actual won amount / the forecast as it stood at the horizon's snapshot. Without
    such a snapshot the forecast is unknown (NULL) and so is the accuracy; a forecast of 0
    gives a NULL accuracy. `months` is the relation holding snapshot_date_<h>d. -#}
{% macro pipeline_accuracy_measures(relation, months, horizons=[30, 60, 90]) -%}
    {{ relation }}.won_count,
    cast({{ relation }}.won_amount as double) as won_amount
    {%- for horizon in horizons %}
    {%- set snapshot = months ~ '.snapshot_date_' ~ horizon ~ 'd' %}
    {%- set commit = 'case when ' ~ snapshot ~ ' is not null then ' ~ relation ~ '.commit_forecast_' ~ horizon ~ 'd end' %}
    {%- set weighted = 'case when ' ~ snapshot ~ ' is not null then ' ~ relation ~ '.weighted_pipeline_' ~ horizon ~ 'd end' %},
    {{ snapshot }},
    cast({{ commit }} as double) as commit_forecast_{{ horizon }}d,
    cast({{ weighted }} as double) as weighted_pipeline_{{ horizon }}d,
    cast({{ safe_divide(relation ~ '.won_amount', commit) }} as double) as commit_accuracy_{{ horizon }}d,
    cast({{ safe_divide(relation ~ '.won_amount', weighted) }} as double) as weighted_accuracy_{{ horizon }}d
    {%- endfor %}
{%- endmacro %}
