-- Employment spans: one row per worker (employee_id) per hire_date of the newest HR snapshot; a
-- rehire (a new hire_date) is a new span. The span's e-mail, name, termination_date,
-- termination_type and regrettable flag are those of its latest HR row (by effective_date), so
-- a later correction wins. Rows without a hire_date cannot be placed and are left out.
with workers as (
    select *
    from {{ ref('stg_hr__workers') }}
    where hire_date is not null
),

ranked_rows as (
    select
        workers.*,
        row_number() over (
            partition by workers.employee_id, workers.hire_date
            order by workers.effective_date desc nulls last
        ) as row_rank
    from workers
),

spans as (
    select
        employee_id,
        work_email,
        full_name,
        hire_date,
        termination_date,
        termination_type,
        is_regrettable
    from ranked_rows
    where row_rank = 1
),

numbered_spans as (
    select
        spans.*,
        row_number() over (partition by spans.employee_id order by spans.hire_date asc) as span_number
    from spans
),

hr_as_of as (
    select max(drop_date) as hr_as_of_date
    from {{ ref('stg_hr__workers') }}
)

select
    cast(numbered_spans.employee_id as {{ dbt.type_string() }}) as employee_id,
    cast(numbered_spans.span_number as integer) as span_number,
    cast(numbered_spans.work_email as {{ dbt.type_string() }}) as work_email,
    cast(numbered_spans.full_name as {{ dbt.type_string() }}) as full_name,
    numbered_spans.hire_date,
    numbered_spans.termination_date,
    cast(numbered_spans.termination_type as {{ dbt.type_string() }}) as termination_type,
    numbered_spans.is_regrettable,
    numbered_spans.span_number > 1 as is_rehire,
    cast({{ dbt.date_trunc('month', 'numbered_spans.hire_date') }} as date) as hire_month,
    -- tenure so far: to the termination date, else to the newest HR drop
    {{ dbt.datediff('numbered_spans.hire_date', 'coalesce(numbered_spans.termination_date, hr_as_of.hr_as_of_date)', 'day') }} as tenure_days
from numbered_spans
cross join hr_as_of
