-- The retention month series (METRICS precise readings): every month from the month of the
-- earliest hire to the month of the newest HR drop. period_end is the month's last day, or the
-- newest HR drop date for the month still running (nothing after the snapshot is known).
-- month_index counts months from the start of the series (0 = first month).
with bounds as (
    select
        cast({{ dbt.date_trunc('month', 'min(hire_date)') }} as date) as first_month,
        max(drop_date) as hr_as_of_date
    from {{ ref('stg_hr__workers') }}
),

month_numbers as (
    -- 1 .. 1200: up to 100 years of months
    {{ dbt.generate_series(1200) }}
),

months as (
    select
        cast({{ dbt.dateadd('month', 'month_numbers.generated_number - 1', 'bounds.first_month') }} as date) as month,
        cast(month_numbers.generated_number - 1 as integer) as month_index,
        bounds.hr_as_of_date
    from bounds
    cross join month_numbers
    where bounds.first_month is not null
        and bounds.hr_as_of_date is not null
        and {{ dbt.dateadd('month', 'month_numbers.generated_number - 1', 'bounds.first_month') }} <= bounds.hr_as_of_date
)

select
    month,
    month_index,
    cast({{ dbt.last_day('month', 'month') }} as date) as month_end,
    case
        when hr_as_of_date < cast({{ dbt.last_day('month', 'month') }} as date) then hr_as_of_date
        else cast({{ dbt.last_day('month', 'month') }} as date)
    end as period_end,
    hr_as_of_date
from months
