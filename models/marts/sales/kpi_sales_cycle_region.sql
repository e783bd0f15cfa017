-- Sales cycle and 90-day sales velocity per region and month (METRICS.md section 6).
-- Grain: one row per (month, region) where the region closed an opportunity in the month or has
-- an opportunity created or closed in the month's trailing 90-day window (months up to the
-- as-of month); owners without an HR period in force form the NULL region.
-- Rules: each opportunity counts for the region its owner was in on the event's date (CloseDate
-- for closes, CreatedDate for creations). Percentiles and velocity come from the region's own
-- opportunities, never from rep rows (sales_cycle_sums / sales_cycle_columns, the same at every
-- grain).
with cycle_events as (
    select *
    from {{ ref('fct_sales_cycle_events') }}
),

region_month_sums as (
    select
        month,
        region,
        {{ sales_cycle_sums() }}
    from cycle_events
    group by month, region
)

select
    region_month_sums.month,
    cast(region_month_sums.region as {{ dbt.type_string() }}) as region,
    {{ sales_cycle_columns('region_month_sums') }}
from region_month_sums
