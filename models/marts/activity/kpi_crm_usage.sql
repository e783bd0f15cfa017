-- CRM usage (METRICS.md section 3) per rep and month (sparse: a row where the rep has something to
-- count that month). rep_name is the CRM User's name; team and region are as of the last day of
-- the month.
{{ rep_month_mart(
    ref('fct_crm_usage_parts'),
    activity_crm_usage_sums(),
    activity_crm_usage_ratios('rep_months')
) }}
