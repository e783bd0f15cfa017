-- Quota attainment per rep and month (sparse: a row where the rep won something closing in the
-- month or has a quota for it). rep_name is the CRM User's name; team and region are the rep's
-- on the last day of the month.
{{ rep_month_mart(
    ref('fct_quota_attainment_events'),
    pipeline_quota_sums(),
    pipeline_quota_measures('rep_months')
) }}
