-- Retention per HR region and month (METRICS.md section 2). Each headcount counts under the
-- region in force on its day, a separation under the region in force on the termination date;
-- workers without a region form the NULL region, so region rows sum to the company.
-- Grain: month x region, a row when the region had an event in the month or the trailing 12
-- months (fct_retention_event_months holds each event once per month whose figures it counts in).
-- Measures: retention_sums / retention_rates (one definition for every grain).
with event_months as (
    select *
    from {{ ref('fct_retention_event_months') }}
),

months as (
    select
        month,
        month_index
    from {{ ref('int_people__months') }}
),

region_month_sums as (
    select
        month,
        region,
        {{ retention_sums() }}
    from event_months
    group by month, region
)

select
    region_month_sums.month,
    cast(region_month_sums.region as {{ dbt.type_string() }}) as region,
    {{ retention_rates('region_month_sums', 'months') }}
from region_month_sums
inner join months
    on region_month_sums.month = months.month
