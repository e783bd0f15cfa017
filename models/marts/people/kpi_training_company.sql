-- Training of the whole sales organisation per month: every rep (CRM User) who trained, with
-- or without an HR match; learners who are not CRM Users are not counted.
with measure_rows as (
    select *
    from {{ ref('fct_training_measures') }}
),

company_month_sums as (
    select
        month,
        {{ people_training_sums() }}
    from measure_rows
    group by month
)

select
    company_month_sums.month,
    {{ people_training_ratios('company_month_sums') }}
from company_month_sums
