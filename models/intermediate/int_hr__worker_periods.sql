-- The e-mail identity of HR: effective-dated periods per work e-mail, the key that joins a CRM
-- User (and an LMS actor) to an HR worker. One e-mail never has two periods in force on the
-- same day, and each period names the worker it took (employee_id) with that worker's HR
-- attributes of the day (team = manager's full name, region, role, ...), from
-- int_hr__employee_periods (each worker's own history, by employee_id).
--
-- An e-mail of one worker: that worker's periods with this e-mail, as they are.
-- An e-mail shared by several workers (two employee_ids with one work_email in the same HR
-- snapshot, issue 12): on each day d, among the workers with a period of this e-mail in force
-- on d, the e-mail names
--   1. the worker employed on d (hire_date <= d <= termination_date of one of their
--      employment spans); when several are, the one employed longest (earliest hire_date of
--      the span in force: a mailbox in use is not handed to a newcomer);
--   2. when none is employed on d, the one whose employment ended last (latest
--      termination_date before d);
--   3. then the smallest employee_id.
-- workers_sharing_email says how many workers have the e-mail (the raw suite hr_workers
-- reports such e-mails: warning work_email_one_worker).
with employee_periods as (
    select *
    from {{ ref('int_hr__employee_periods') }}
    where work_email is not null
),

email_workers as (
    select
        work_email,
        count(distinct employee_id) as workers_sharing_email
    from employee_periods
    group by work_email
),

email_periods as (
    select
        employee_periods.*,
        email_workers.workers_sharing_email
    from employee_periods
    inner join email_workers
        on employee_periods.work_email = email_workers.work_email
),

shared_periods as (
    select *
    from email_periods
    where workers_sharing_email > 1
),

shared_workers as (
    select distinct
        work_email,
        employee_id
    from shared_periods
),

spans as (
    -- employment spans of those workers: one per (employee_id, hire_date), the termination
    -- date of the span's latest row (as fct_employment)
    select
        employee_id,
        hire_date,
        termination_date
    from (
        select
            employee_id,
            hire_date,
            termination_date,
            row_number() over (
                partition by employee_id, hire_date
                order by effective_date desc nulls last
            ) as row_rank
        from {{ ref('stg_hr__workers') }}
        where hire_date is not null
            and employee_id in (select employee_id from shared_workers)
    ) as ranked_rows
    where row_rank = 1
),

boundaries as (
    -- every day on which the choice can change: a period or a span starts or ends
    select work_email, valid_from as boundary_date
    from shared_periods
    union
    select work_email, cast({{ dbt.dateadd('day', 1, 'valid_to') }} as date) as boundary_date
    from shared_periods
    where valid_to is not null
    union
    select shared_workers.work_email, spans.hire_date as boundary_date
    from shared_workers
    inner join spans
        on shared_workers.employee_id = spans.employee_id
    union
    select shared_workers.work_email, cast({{ dbt.dateadd('day', 1, 'spans.termination_date') }} as date) as boundary_date
    from shared_workers
    inner join spans
        on shared_workers.employee_id = spans.employee_id
    where spans.termination_date is not null
),

pieces as (
    select
        work_email,
        boundary_date as piece_from,
        cast(
            {{ dbt.dateadd('day', -1, 'lead(boundary_date) over (partition by work_email order by boundary_date asc)') }}
            as date
        ) as piece_to
    from boundaries
),

candidates as (
    select
        pieces.work_email,
        pieces.piece_from,
        pieces.piece_to,
        shared_periods.employee_id,
        shared_periods.valid_from as period_valid_from,
        max(
            case
                when spans.hire_date <= pieces.piece_from
                    and (spans.termination_date is null or pieces.piece_from <= spans.termination_date)
                    then spans.hire_date
            end
        ) as employed_since,
        max(case when spans.termination_date < pieces.piece_from then spans.termination_date end) as last_left_on
    from pieces
    inner join shared_periods
        on pieces.work_email = shared_periods.work_email
        and {{ in_force('shared_periods', 'pieces.piece_from') }}
    left join spans
        on shared_periods.employee_id = spans.employee_id
    group by
        pieces.work_email,
        pieces.piece_from,
        pieces.piece_to,
        shared_periods.employee_id,
        shared_periods.valid_from
),

ranked_candidates as (
    select
        candidates.*,
        row_number() over (
            partition by candidates.work_email, candidates.piece_from
            order by
                case when candidates.employed_since is not null then 0 else 1 end asc,
                candidates.employed_since asc nulls last,
                candidates.last_left_on desc nulls last,
                candidates.employee_id asc
        ) as choice_rank
    from candidates
),

chosen_pieces as (
    select
        ranked_candidates.*,
        row_number() over (
            partition by ranked_candidates.work_email
            order by ranked_candidates.piece_from asc
        )
        - row_number() over (
            partition by ranked_candidates.work_email, ranked_candidates.employee_id, ranked_candidates.period_valid_from
            order by ranked_candidates.piece_from asc
        ) as island_id
    from ranked_candidates
    where ranked_candidates.choice_rank = 1
),

chosen_periods as (
    -- consecutive pieces that chose the same worker's same period are one period
    select
        work_email,
        employee_id,
        period_valid_from,
        min(piece_from) as valid_from,
        case when count(piece_to) = count(*) then max(piece_to) end as valid_to
    from chosen_pieces
    group by work_email, employee_id, period_valid_from, island_id
),

periods_in_force as (
    -- an e-mail of one worker: each of its periods as it is; of several: the chosen pieces
    select
        work_email,
        employee_id,
        valid_from as period_valid_from,
        valid_from,
        valid_to
    from email_periods
    where workers_sharing_email = 1

    union all

    select
        work_email,
        employee_id,
        period_valid_from,
        valid_from,
        valid_to
    from chosen_periods
)

select
    email_periods.work_email,
    email_periods.employee_id,
    email_periods.full_name,
    email_periods.department,
    email_periods.job_title,
    email_periods.job_level,
    email_periods.manager_employee_id,
    email_periods.team,
    email_periods.region,
    email_periods.hire_date,
    email_periods.termination_date,
    email_periods.termination_type,
    email_periods.is_regrettable,
    periods_in_force.valid_from,
    cast(periods_in_force.valid_to as date) as valid_to,
    cast(email_periods.workers_sharing_email as integer) as workers_sharing_email
from periods_in_force
inner join email_periods
    on periods_in_force.work_email = email_periods.work_email
    and periods_in_force.employee_id = email_periods.employee_id
    and periods_in_force.period_valid_from = email_periods.valid_from
