-- Training per rep and month (sparse: a row where the rep has a learning event or an assignment
-- due that month). The rep is the LMS actor whose e-mail is a CRM User's (learners who are not
-- CRM Users are left out upstream, in fct_training_measures): rep_name is that CRM
-- User's name; team and region are the HR attributes in force on the last day of the month.
{{ rep_month_mart(
    ref('fct_training_measures'),
    people_training_sums(),
    people_training_ratios('rep_months')
) }}
