-- Retention per role (HR job_title) and month (METRICS.md section 2). Each headcount counts
-- under the role in force on its day (a promotion mid-month moves the worker between roles), a
-- separation under the role in force on the termination date, so role rows sum to the company.
-- Grain: month x role, a row when the role had an event in the month or the trailing 12 months
-- (fct_retention_event_months holds each event once per month whose figures it counts in).
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

role_month_sums as (
    select
        month,
        role,
        {{ retention_sums() }}
    from event_months
    group by month, role
)

select
    role_month_sums.month,
    cast(role_month_sums.role as {{ dbt.type_string() }}) as role,
    {{ retention_rates('role_month_sums', 'months') }}
from role_month_sums
inner join months
    on role_month_sums.month = months.month
