-- Quota attainment per region and month: each won opportunity counts for the region its owner was in
-- on its CloseDate, each quota for the region its owner was in on its StartDate; reps without an
-- HR match form the NULL region, so the region rows sum to the company.
with attainment_events as (
    select *
    from {{ ref('fct_quota_attainment_events') }}
),

region_month_sums as (
    select
        month,
        region,
        {{ pipeline_quota_sums() }}
    from attainment_events
    group by month, region
)

select
    region_month_sums.month,
    cast(region_month_sums.region as {{ dbt.type_string() }}) as region,
    {{ pipeline_quota_measures('region_month_sums') }}
from region_month_sums
