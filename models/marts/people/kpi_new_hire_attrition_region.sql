-- New-hire attrition and ramp time per hire cohort month and region.
-- Grain: hire month x HR region in force on the hire date (dim_rep_ramp); sparse: a row per
-- cohort with a hire. Every employment span is a hire (a rehire too).
-- Measures: new_hire_sums / new_hire_rates (one definition for every grain).
with hires as (
    select *
    from {{ ref('dim_rep_ramp') }}
),

region_month_sums as (
    select
        hire_month as month,
        region,
        {{ new_hire_sums() }}
    from hires
    group by hire_month, region
)

select
    region_month_sums.month,
    cast(region_month_sums.region as {{ dbt.type_string() }}) as region,
    {{ new_hire_rates('region_month_sums') }}
from region_month_sums
