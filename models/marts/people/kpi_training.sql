-- Training per rep and month (sparse: a row where the rep has a learning event or an assignment
-- due that month). The rep is the LMS actor (work e-mail): rep_name is the CRM User's name with
-- that e-mail (NULL for a learner without a CRM User); team and region are the HR attributes in
-- force on the last day of the month.
{{ rep_month_mart(
    ref('int_people__training_measures'),
    people_training_sums(),
    people_training_ratios('rep_months')
) }}
