-- Sales cycle and 90-day sales velocity of the whole company per month (METRICS.md section 6).
-- Grain: one row per month where an opportunity was closed in the month or one was created or
-- closed in the month's trailing 90-day window (months up to the as-of month).
-- Rules: sales_cycle_sums / sales_cycle_columns, the same at every grain.
with cycle_events as (
    select *
    from {{ ref('fct_sales_cycle_events') }}
),

company_month_sums as (
    select
        month,
        {{ sales_cycle_sums() }}
    from cycle_events
    group by month
)

select
    company_month_sums.month,
    {{ sales_cycle_columns('company_month_sums') }}
from company_month_sums
