-- Lead response time (METRICS.md section 9) per region and month. Each part counts for the region
-- in force on the date it happened (a rep who moved mid-month splits between the two); reps
-- without an HR match form the NULL region row, so the region rows sum to the company. Percentiles
-- are computed from the leads of the row (continuous).
with parts as (
    select *
    from {{ ref('fct_lead_response') }}
),

region_month_sums as (
    select
        month,
        region,
        {{ activity_lead_response_measures() }}
    from parts
    group by month, region
)

select
    region_month_sums.month,
    cast(region_month_sums.region as {{ dbt.type_string() }}) as region,
    region_month_sums.leads_created,
    region_month_sums.leads_answered,
    region_month_sums.leads_pending,
    region_month_sums.leads_within_sla,
    region_month_sums.leads_never_answered,
    region_month_sums.median_response_minutes,
    region_month_sums.p90_response_minutes,
    region_month_sums.within_sla_share,
    region_month_sums.never_answered_share
from region_month_sums
