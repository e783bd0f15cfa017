-- Headcount by month: one row per employment span per month of the retention series in which
-- the span is employed on at least one day. Flags say whether the worker counts in the month's
-- headcount on its first day (headcount_start), on its last day (headcount_end; the newest HR
-- drop date for the month still running) and whether the span ends in the month (a separation:
-- termination_date in the month). Team, region and role are the worker's HR attributes in force
-- on each of those days (a worker who changes team mid-month starts under the old team and ends
-- under the new one; a separation counts under the team in force on the termination date).
-- The attributes are the worker's OWN (int_hr__employee_periods, joined by employee_id), never
-- found through the work e-mail, which two workers may share (issue 12).
with spans as (
    select *
    from {{ ref('fct_employment') }}
),

months as (
    select *
    from {{ ref('int_people__months') }}
),

worker_periods as (
    select *
    from {{ ref('int_hr__employee_periods') }}
),

span_months as (
    select
        months.month,
        months.month_end,
        months.period_end,
        spans.employee_id,
        spans.span_number,
        spans.work_email,
        spans.hire_date,
        spans.termination_date,
        spans.termination_type,
        spans.is_regrettable,
        spans.hire_date <= months.month
            and (spans.termination_date is null or months.month <= spans.termination_date) as is_employed_start,
        spans.hire_date <= months.period_end
            and (spans.termination_date is null or months.period_end <= spans.termination_date) as is_employed_end,
        coalesce(
            spans.termination_date >= months.month and spans.termination_date <= months.period_end,
            false
        ) as is_separation
    from spans
    inner join months
        on spans.hire_date <= months.period_end
        and (spans.termination_date is null or spans.termination_date >= months.month)
)

select
    span_months.month,
    span_months.employee_id,
    span_months.span_number,
    cast(span_months.work_email as {{ dbt.type_string() }}) as work_email,
    span_months.hire_date,
    span_months.termination_date,
    span_months.termination_type,
    span_months.is_regrettable,
    span_months.is_employed_start,
    span_months.is_employed_end,
    span_months.is_separation,
    start_periods.team as team_start,
    start_periods.region as region_start,
    start_periods.job_title as role_start,
    end_periods.team as team_end,
    end_periods.region as region_end,
    end_periods.job_title as role_end,
    separation_periods.team as team_at_separation,
    separation_periods.region as region_at_separation,
    separation_periods.job_title as role_at_separation
from span_months
left join worker_periods as start_periods
    on span_months.employee_id = start_periods.employee_id
    and {{ in_force('start_periods', 'span_months.month') }}
left join worker_periods as end_periods
    on span_months.employee_id = end_periods.employee_id
    and {{ in_force('end_periods', 'span_months.period_end') }}
left join worker_periods as separation_periods
    on span_months.employee_id = separation_periods.employee_id
    and span_months.is_separation
    and {{ in_force('separation_periods', 'span_months.termination_date') }}
