-- LMS assignments with their due month and outcome. On time: a completed / passed statement of
-- the assignee for the course dated on or before due_date (METRICS precise reading: any such
-- statement, also one dated before the assignment). Overdue: due in its month and still not
-- completed by the end of that month; for the month still running the cutoff is "now" (the
-- newest extract date loaded) and an assignment due after "now" is not overdue yet. is_due:
-- the due_date has been reached (due_date <= "now"). kpi_training counts every assignment in
-- its due month (METRICS: "assignments due in the month"), future months included.
with assignments as (
    select *
    from {{ ref('stg_lms__assignments') }}
),

completions as (
    select
        rep_email,
        course_id,
        statement_date
    from {{ ref('fct_training_events') }}
    where is_completion
),

courses as (
    select *
    from {{ ref('stg_lms__courses') }}
),

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

assignment_cutoffs as (
    select
        assignments.work_email,
        assignments.course_id,
        assignments.assigned_date,
        assignments.due_date,
        cast({{ dbt.date_trunc('month', 'assignments.due_date') }} as date) as due_month,
        case
            when as_of.as_of_date is not null
                and as_of.as_of_date < cast({{ dbt.last_day('assignments.due_date', 'month') }} as date)
                then as_of.as_of_date
            else cast({{ dbt.last_day('assignments.due_date', 'month') }} as date)
        end as overdue_cutoff_date,
        as_of.as_of_date
    from assignments
    cross join as_of
    where assignments.due_date is not null
),

assignment_completions as (
    select
        assignment_cutoffs.work_email,
        assignment_cutoffs.course_id,
        assignment_cutoffs.assigned_date,
        assignment_cutoffs.due_date,
        assignment_cutoffs.due_month,
        assignment_cutoffs.overdue_cutoff_date,
        assignment_cutoffs.as_of_date,
        min(case when completions.statement_date <= assignment_cutoffs.due_date then completions.statement_date end)
            as first_on_time_completion_date,
        min(case when completions.statement_date > assignment_cutoffs.due_date then completions.statement_date end)
            as first_late_completion_date,
        count(case when completions.statement_date <= assignment_cutoffs.overdue_cutoff_date then 1 end)
            as completions_by_cutoff
    from assignment_cutoffs
    left join completions
        on assignment_cutoffs.work_email = completions.rep_email
        and assignment_cutoffs.course_id = completions.course_id
    group by
        assignment_cutoffs.work_email,
        assignment_cutoffs.course_id,
        assignment_cutoffs.assigned_date,
        assignment_cutoffs.due_date,
        assignment_cutoffs.due_month,
        assignment_cutoffs.overdue_cutoff_date,
        assignment_cutoffs.as_of_date
)

select
    cast(assignment_completions.work_email as {{ dbt.type_string() }}) as rep_email,
    assignment_completions.course_id,
    courses.course_title,
    courses.category,
    assignment_completions.assigned_date,
    assignment_completions.due_date,
    assignment_completions.due_month,
    assignment_completions.first_on_time_completion_date,
    assignment_completions.first_late_completion_date,
    assignment_completions.first_on_time_completion_date is not null as is_completed_on_time,
    assignment_completions.overdue_cutoff_date,
    assignment_completions.due_date <= assignment_completions.as_of_date as is_due,
    assignment_completions.due_date <= assignment_completions.overdue_cutoff_date
        and assignment_completions.completions_by_cutoff = 0 as is_overdue
from assignment_completions
left join courses
    on assignment_completions.course_id = courses.course_id
