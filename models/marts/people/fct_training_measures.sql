{{ config(materialized=view_materialization()) }}
-- Training measure contributions, one row per learning event, each with its month, rep e-mail,
-- event date and the rep's team / region in force on that date (NULL without an HR period):
--   completed / passed statement -> training seconds (hours x 3600, summed exactly)
--   first completed / passed statement of a (rep, course, month) -> one course completed
--   passed / failed statement with a scaled score -> one scored attempt and its score
--   assignment whose due_date has been reached ("now" = newest extract date loaded) -> one due
--   (month and date of its due_date), on time, overdue; one due later is not counted yet
-- Summing these rows by month and rep, team, region or nothing gives every kpi_training grain.
-- Only reps count (issue 12): METRICS fixes rep_email as a CRM User's e-mail, so a learner whose
-- e-mail is no CRM User's (an LMS that covers the whole company) is in no training mart, roll-ups
-- and kpi_training_impact included. The raw suite lms_statements reports such actors (warning
-- lms_actor_is_crm_user); fct_training_events / fct_training_assignments keep every learner.
with training_events as (
    select *
    from {{ ref('fct_training_events') }}
),

assignments as (
    select *
    from {{ ref('fct_training_assignments') }}
),

ranked_completions as (
    select
        training_events.*,
        row_number() over (
            partition by training_events.rep_email, training_events.course_id, training_events.month
            order by training_events.statement_at asc nulls last, training_events.statement_id asc
        ) as completion_rank
    from training_events
    where training_events.is_completion
),

measure_rows as (
    select
        month,
        rep_email,
        statement_date as event_date,
        cast(hours * 3600 as double) as training_seconds,
        case when completion_rank = 1 then 1 else 0 end as courses_completed,
        0 as assignments_due,
        0 as assignments_completed_on_time,
        0 as overdue_assignments,
        0 as scored_attempts,
        cast(null as double) as scaled_score
    from ranked_completions

    union all

    select
        month,
        rep_email,
        statement_date as event_date,
        cast(null as double) as training_seconds,
        0 as courses_completed,
        0 as assignments_due,
        0 as assignments_completed_on_time,
        0 as overdue_assignments,
        1 as scored_attempts,
        scaled_score
    from training_events
    where verb in ('passed', 'failed')
        and scaled_score is not null

    union all

    select
        due_month as month,
        rep_email,
        due_date as event_date,
        cast(null as double) as training_seconds,
        0 as courses_completed,
        1 as assignments_due,
        case when is_completed_on_time then 1 else 0 end as assignments_completed_on_time,
        case when is_overdue then 1 else 0 end as overdue_assignments,
        0 as scored_attempts,
        cast(null as double) as scaled_score
    from assignments
)

select
    measure_rows.month,
    measure_rows.rep_email,
    measure_rows.event_date,
    worker_periods.team,
    worker_periods.region,
    measure_rows.training_seconds,
    measure_rows.courses_completed,
    measure_rows.assignments_due,
    measure_rows.assignments_completed_on_time,
    measure_rows.overdue_assignments,
    measure_rows.scored_attempts,
    measure_rows.scaled_score
from measure_rows
inner join {{ ref('int_crm__reps_by_email') }} as reps
    on measure_rows.rep_email = reps.rep_email
left join {{ ref('int_hr__worker_periods') }} as worker_periods
    on measure_rows.rep_email = worker_periods.work_email
    and {{ in_force('worker_periods', 'measure_rows.event_date') }}
