-- New-hire attrition and ramp time per hire cohort month for the whole company.
-- Grain: hire month (dim_rep_ramp); sparse: a row per month with a hire. Every employment span
-- is a hire (a rehire too).
-- Measures: new_hire_sums / new_hire_rates (one definition for every grain).
with hires as (
    select *
    from {{ ref('dim_rep_ramp') }}
),

company_month_sums as (
    select
        hire_month as month,
        {{ new_hire_sums() }}
    from hires
    group by hire_month
)

select
    company_month_sums.month,
    {{ new_hire_rates('company_month_sums') }}
from company_month_sums
