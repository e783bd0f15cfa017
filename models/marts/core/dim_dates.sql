-- Calendar: one row per day from the first of January of the earliest opportunity / HR date
-- to the end of the year after the as-of date (or of the latest CloseDate, if later), with
-- ISO weeks, months, quarters and the fiscal calendar (var fiscal_year_start_month; a fiscal
-- year is named after the calendar year in which it ends). Empty while nothing is loaded.
{%- set fiscal_start = var('fiscal_year_start_month') | int %}

with bounds_source as (
    select cast(created_at as date) as day_value from {{ ref('stg_crm__opportunities') }}
    union all
    select close_date from {{ ref('stg_crm__opportunities') }}
    union all
    select hire_date from {{ ref('stg_hr__workers') }}
    union all
    select as_of_date from {{ ref('int_as_of_date') }}
),

bounds as (
    select
        cast({{ dbt.date_trunc('year', 'min(day_value)') }} as date) as first_day,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('year', 2, dbt.date_trunc('year', 'max(day_value)'))) }} as date) as last_day
    from bounds_source
    where day_value is not null
),

day_numbers as (
    -- 1 .. 16384: up to 44 years of days
    {{ dbt.generate_series(16384) }}
),

calendar_days as (
    select cast({{ dbt.dateadd('day', 'day_numbers.generated_number - 1', 'bounds.first_day') }} as date) as date_day
    from bounds
    cross join day_numbers
    where day_numbers.generated_number - 1 <= {{ dbt.datediff('bounds.first_day', 'bounds.last_day', 'day') }}
),

calendar_parts as (
    select
        date_day,
        {{ iso_day_of_week('date_day') }} as iso_day_of_week,
        extract(year from date_day) as calendar_year,
        extract(month from date_day) as calendar_month,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start,
        cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start
    from calendar_days
),

fiscal_parts as (
    select
        calendar_parts.*,
        -- months since the start of the fiscal year (0 .. 11)
        (calendar_month - {{ fiscal_start }} + 12) % 12 as fiscal_month_index
    from calendar_parts
)

select
    date_day,
    cast(iso_day_of_week as integer) as iso_day_of_week,
    iso_day_of_week <= 5 as is_weekday,
    cast({{ dbt.dateadd('day', '1 - iso_day_of_week', 'date_day') }} as date) as iso_week_start,
    month_start,
    cast({{ dbt.last_day('date_day', 'month') }} as date) as month_end,
    quarter_start,
    year_start,
    cast(calendar_year as integer) as calendar_year,
    cast(calendar_month as integer) as calendar_month,
    cast(floor((calendar_month - 1) / 3) + 1 as integer) as calendar_quarter,
    cast(
        calendar_year + case when {{ fiscal_start }} > 1 and calendar_month >= {{ fiscal_start }} then 1 else 0 end
        as integer
    ) as fiscal_year,
    cast(floor(fiscal_month_index / 3) + 1 as integer) as fiscal_quarter,
    cast(fiscal_month_index + 1 as integer) as fiscal_month,
    cast({{ dbt.dateadd('month', '-1 * fiscal_month_index', 'month_start') }} as date) as fiscal_year_start,
    cast({{ dbt.dateadd('month', '-1 * (fiscal_month_index % 3)', 'month_start') }} as date) as fiscal_quarter_start
from fiscal_parts
