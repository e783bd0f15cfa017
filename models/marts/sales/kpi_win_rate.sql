-- Win rate per rep and close month (sparse: a row where the rep closed something that month).
-- rep_name is the CRM User's name; team and region are as of the last day of the month.
{{ rep_month_mart(
    ref('fct_closed_opportunities'),
    win_rate_sums(),
    win_rate_ratios('rep_months')
) }}
