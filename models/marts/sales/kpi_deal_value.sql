-- Deal value per rep and close month (sparse: a row where the rep won at least one opportunity
-- that month). rep_name is the CRM User's name; team and region are as of the last day of the
-- month. Median and largest are computed from the rep's own deals.
{{ rep_month_mart(
    ref('fct_closed_opportunities'),
    sales_deal_value_measures(),
    sales_deal_value_columns('rep_months'),
    events_filter='is_won'
) }}
