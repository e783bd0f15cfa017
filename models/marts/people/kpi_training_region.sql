-- Training per region and month. Each learning event counts for the region in force on its date (an
-- assignment on its due_date), so a rep who moved mid-month splits; learners without an HR
-- period in force form the NULL region row. The region rows sum to the company.
with measure_rows as (
    select *
    from {{ ref('fct_training_measures') }}
),

region_month_sums as (
    select
        month,
        region,
        {{ people_training_sums() }}
    from measure_rows
    group by month, region
)

select
    region_month_sums.month,
    cast(region_month_sums.region as {{ dbt.type_string() }}) as region,
    {{ people_training_ratios('region_month_sums') }}
from region_month_sums
