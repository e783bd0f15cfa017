-- Lead response time (METRICS.md section 9) per rep and month (sparse: a row where the rep has
-- something to count that month). rep_name is the CRM User's name; team and region are as of the
-- last day of the month. Percentiles are computed from the leads of the row (continuous).
{% set measures %}
    rep_months.leads_created,
    rep_months.leads_answered,
    rep_months.leads_pending,
    rep_months.leads_within_sla,
    rep_months.leads_never_answered,
    rep_months.median_response_minutes,
    rep_months.p90_response_minutes,
    rep_months.within_sla_share,
    rep_months.never_answered_share
{% endset %}

{{ rep_month_mart(
    ref('fct_lead_response'),
    activity_lead_response_measures(),
    measures
) }}
