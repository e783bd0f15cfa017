-- Outreach effectiveness (METRICS.md section 8) per rep and month (sparse: a row where the rep has
-- something to count that month). rep_name is the CRM User's name; team and region are as of the
-- last day of the month.
{{ rep_month_mart(
    ref('fct_outreach_parts'),
    activity_outreach_sums(),
    activity_outreach_ratios('rep_months')
) }}
