-- Retention of the whole sales organisation per month (METRICS.md section 2).
-- Grain: month, one row for every month of the series (int_people__months: the earliest hire's
-- month to the newest HR drop), with 0 headcount and NULL rates in a month nobody was employed.
-- fct_retention_event_months holds each event once per month whose figures it counts in (its
-- own month and the 11 after it).
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

company_month_sums as (
    select
        months.month,
        {{ retention_sums() }}
    from months
    left join event_months
        on months.month = event_months.month
    group by months.month
)

select
    company_month_sums.month,
    {{ retention_rates('company_month_sums', 'months') }}
from company_month_sums
inner join months
    on company_month_sums.month = months.month
