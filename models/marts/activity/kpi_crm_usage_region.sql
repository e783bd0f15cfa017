-- CRM usage (METRICS.md section 3) per region and month. Each part counts for the region in force
-- on the date it happened (a rep who moved mid-month splits between the two); reps without an HR
-- match form the NULL region row, so the region rows sum to the company.
with parts as (
    select *
    from {{ ref('fct_crm_usage_parts') }}
),

region_month_sums as (
    select
        month,
        region,
        {{ activity_crm_usage_sums() }}
    from parts
    group by month, region
)

select
    region_month_sums.month,
    cast(region_month_sums.region as {{ dbt.type_string() }}) as region,
    {{ activity_crm_usage_ratios('region_month_sums') }}
from region_month_sums
