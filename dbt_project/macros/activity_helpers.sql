{#- Elapsed minutes between two timestamps, fractional (seconds / 60). -#}
{% macro activity_minutes_between(start_at, end_at) -%}
    cast({{ dbt.datediff(start_at, end_at, 'second') }} as double) / 60.0
{%- endmacro %}

{#- CRM-usage sums (one definition for every grain): from a relation of additive parts. -#}
{% macro activity_crm_usage_sums() -%}
    cast(coalesce(sum(activities_logged), 0) as bigint) as activities_logged,
    cast(coalesce(sum(logins), 0) as bigint) as logins,
    cast(coalesce(sum(active_days), 0) as bigint) as active_days,
    cast(coalesce(sum(active_working_days), 0) as bigint) as active_working_days,
    cast(coalesce(sum(working_days), 0) as bigint) as working_days,
    cast(coalesce(sum(selling_seconds), 0) as double) / 3600.0 as selling_hours,
    cast(coalesce(sum(admin_minutes), 0) as double) / 60.0 as admin_hours,
    cast(coalesce(sum(open_opps), 0) as bigint) as open_opps,
    cast(coalesce(sum(stale_open_opps), 0) as bigint) as stale_open_opps
{%- endmacro %}

{#- CRM-usage ratios recomputed from the sums of `relation`; NULL on a 0 denominator. Adoption
    (METRICS, 2026-12-04) = active WORKING days / working days: every active working day of a
    rep is one of the working days counted for that rep and team, so the ratio of the sums
    never exceeds 1 at any grain. -#}
{% macro activity_crm_usage_ratios(relation) -%}
    {{ relation }}.activities_logged,
    {{ relation }}.logins,
    {{ relation }}.active_days,
    {{ relation }}.active_working_days,
    {{ relation }}.working_days,
    cast({{ safe_divide(relation ~ '.active_working_days', relation ~ '.working_days') }} as double) as adoption_rate,
    {{ relation }}.selling_hours,
    {{ relation }}.admin_hours,
    cast({{ safe_divide(relation ~ '.selling_hours', relation ~ '.selling_hours + ' ~ relation ~ '.admin_hours') }} as double) as selling_share,
    {{ relation }}.open_opps,
    {{ relation }}.stale_open_opps,
    cast({{ safe_divide(relation ~ '.stale_open_opps', relation ~ '.open_opps') }} as double) as stale_open_opp_share
{%- endmacro %}

{#- Outreach sums from a relation of additive parts. -#}
{% macro activity_outreach_sums() -%}
    cast(coalesce(sum(touches), 0) as bigint) as touches,
    cast(coalesce(sum(lead_touches), 0) as bigint) as lead_touches,
    cast(coalesce(sum(leads_touched), 0) as bigint) as leads_touched,
    cast(coalesce(sum(leads_owned), 0) as bigint) as leads_owned,
    cast(coalesce(sum(leads_final), 0) as bigint) as leads_final,
    cast(coalesce(sum(leads_converted), 0) as bigint) as leads_converted,
    cast(coalesce(sum(converted_lead_touches), 0) as bigint) as converted_lead_touches,
    cast(coalesce(sum(leads_under_touched), 0) as bigint) as leads_under_touched,
    cast(coalesce(sum(leads_over_nurtured), 0) as bigint) as leads_over_nurtured
{%- endmacro %}

{% macro activity_outreach_ratios(relation) -%}
    {{ relation }}.touches,
    {{ relation }}.lead_touches,
    {{ relation }}.leads_touched,
    cast({{ safe_divide(relation ~ '.lead_touches', relation ~ '.leads_touched') }} as double) as touches_per_touched_lead,
    {{ relation }}.leads_owned,
    {{ relation }}.leads_final,
    {{ relation }}.leads_converted,
    cast({{ safe_divide(relation ~ '.leads_converted', relation ~ '.leads_final') }} as double) as lead_conversion_rate,
    {{ relation }}.converted_lead_touches,
    cast({{ safe_divide(relation ~ '.converted_lead_touches', relation ~ '.leads_converted') }} as double) as touches_per_converted_lead,
    {{ relation }}.leads_under_touched,
    cast({{ safe_divide(relation ~ '.leads_under_touched', relation ~ '.leads_final') }} as double) as under_touched_share,
    {{ relation }}.leads_over_nurtured,
    cast({{ safe_divide(relation ~ '.leads_over_nurtured', relation ~ '.leads_final') }} as double) as over_nurtured_share
{%- endmacro %}

{#- Lead-response aggregates over lead rows (fct_lead_response): counts, and
    continuous percentiles over answered leads (response_minutes is NULL when unanswered). -#}
{% macro activity_lead_response_measures() -%}
    cast(count(*) as bigint) as leads_created,
    cast(count(case when is_answered then 1 end) as bigint) as leads_answered,
    cast(count(case when is_pending then 1 end) as bigint) as leads_pending,
    cast(count(case when is_within_sla then 1 end) as bigint) as leads_within_sla,
    cast(count(case when is_never_answered then 1 end) as bigint) as leads_never_answered,
    cast({{ percentile_cont('response_minutes', 0.5) }} as double) as median_response_minutes,
    cast({{ percentile_cont('response_minutes', 0.9) }} as double) as p90_response_minutes,
    cast({{ safe_divide('count(case when is_within_sla then 1 end)', 'count(case when not is_pending then 1 end)') }} as double) as within_sla_share,
    cast({{ safe_divide('count(case when is_never_answered then 1 end)', 'count(case when not is_pending then 1 end)') }} as double) as never_answered_share
{%- endmacro %}
