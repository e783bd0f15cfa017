{{ config(materialized='table') }}
-- Additive parts of the CRM-usage KPIs at grain (month, rep_email, team, region), where team
-- and region are those in force on the day each part happened, so that summing the parts by
-- rep, by team, by region or for the company gives the same totals:
--   daily usage (fct_crm_usage_daily) on its day; working days (the days of the calendar month
--   whose weekday is a working day in the seed working_weekdays: Mon-Fri by default)
--   day by day with the team of that day; open opportunities on the month end.
-- Rep-months: every (month, rep_email) with daily usage or an open opportunity at month end
-- (sparse). working_days are counted for reps with an e-mail only: the NULL rep_email group
-- (unknown owners) has working_days 0, so its adoption_rate is NULL. active_working_days (the
-- active days that fall on a working weekday, the numerator of adoption) are counted for the same
-- population, on the same day and so under the same team as the working day they are part of:
-- active_working_days <= working_days for every (month, rep_email, team, region), so for
-- every sum of the parts.
with daily_usage as (
    select *
    from {{ ref('fct_crm_usage_daily') }}
),

working_weekdays as (
    -- reference data (seed): which ISO days of the week are working days
    select iso_day_of_week, is_working_day
    from {{ ref('working_weekdays') }}
),

open_opps as (
    select *
    from {{ ref('fct_open_opportunities_month_end') }}
),

rep_months as (
    select distinct month, rep_email from daily_usage
    union
    select distinct month, rep_email from open_opps
),

day_offsets as (
    {{ dbt.generate_series(31) }}
),

working_days as (
    select
        rep_months.month,
        rep_months.rep_email,
        cast({{ dbt.dateadd('day', 'day_offsets.generated_number - 1', 'rep_months.month') }} as date) as work_day
    from rep_months
    cross join day_offsets
    inner join working_weekdays
        on working_weekdays.iso_day_of_week
            = {{ iso_day_of_week(dbt.dateadd('day', 'day_offsets.generated_number - 1', 'rep_months.month')) }}
    where rep_months.rep_email is not null
        and day_offsets.generated_number - 1
            <= {{ dbt.datediff('rep_months.month', dbt.last_day('rep_months.month', 'month'), 'day') }}
        and working_weekdays.is_working_day
),

working_day_parts as (
    select
        working_days.month,
        working_days.rep_email,
        periods.team,
        periods.region,
        cast(0 as bigint) as activities_logged,
        cast(0 as bigint) as logins,
        cast(0 as bigint) as active_days,
        cast(0 as bigint) as active_working_days,
        cast(count(*) as bigint) as working_days,
        cast(0 as bigint) as selling_seconds,
        cast(0 as double) as admin_minutes,
        cast(0 as bigint) as open_opps,
        cast(0 as bigint) as stale_open_opps
    from working_days
    left join {{ ref('int_hr__worker_periods') }} as periods
        on working_days.rep_email = periods.work_email
        and {{ in_force('periods', 'working_days.work_day') }}
    group by working_days.month, working_days.rep_email, periods.team, periods.region
),

usage_parts as (
    select
        daily_usage.month,
        daily_usage.rep_email,
        periods.team,
        periods.region,
        cast(sum(daily_usage.activities_logged) as bigint) as activities_logged,
        cast(sum(daily_usage.logins) as bigint) as logins,
        cast(count(case when daily_usage.is_active_day then 1 end) as bigint) as active_days,
        cast(
            count(
                case
                    when daily_usage.is_active_day
                        and daily_usage.rep_email is not null
                        and coalesce(working_weekdays.is_working_day, false)
                        then 1
                end
            )
            as bigint
        ) as active_working_days,
        cast(0 as bigint) as working_days,
        cast(sum(daily_usage.selling_seconds) as bigint) as selling_seconds,
        cast(sum(daily_usage.admin_minutes) as double) as admin_minutes,
        cast(0 as bigint) as open_opps,
        cast(0 as bigint) as stale_open_opps
    from daily_usage
    left join {{ ref('int_hr__worker_periods') }} as periods
        on daily_usage.rep_email = periods.work_email
        and {{ in_force('periods', 'daily_usage.activity_date') }}
    left join working_weekdays
        on working_weekdays.iso_day_of_week = {{ iso_day_of_week('daily_usage.activity_date') }}
    group by daily_usage.month, daily_usage.rep_email, periods.team, periods.region
),

open_opp_parts as (
    select
        month,
        rep_email,
        team,
        region,
        cast(0 as bigint) as activities_logged,
        cast(0 as bigint) as logins,
        cast(0 as bigint) as active_days,
        cast(0 as bigint) as active_working_days,
        cast(0 as bigint) as working_days,
        cast(0 as bigint) as selling_seconds,
        cast(0 as double) as admin_minutes,
        cast(count(*) as bigint) as open_opps,
        cast(count(case when is_stale then 1 end) as bigint) as stale_open_opps
    from open_opps
    group by month, rep_email, team, region
)

select * from usage_parts
union all
select * from working_day_parts
union all
select * from open_opp_parts
