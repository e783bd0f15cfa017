-- Reps (CRM Users) joined to their HR worker and LMS actor by e-mail, with their current
-- attributes: the HR period in force on the as-of date (newest extract date loaded); a rep
-- whose HR history starts after it gets the first period, and with nothing loaded yet the
-- latest period counts.
with rep_history as (
    select *
    from {{ ref('dim_rep_history') }}
),

users as (
    select *
    from {{ ref('stg_crm__users') }}
),

user_roles as (
    select *
    from {{ ref('stg_crm__user_roles') }}
),

lms_actors as (
    -- the learning platform's actors (mailto: + work email), joined by the same e-mail
    select
        actor_email,
        count(*) as lms_statement_count
    from {{ ref('stg_lms__statements') }}
    where actor_email is not null
    group by actor_email
),

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

ranked_periods as (
    select
        rep_history.*,
        row_number() over (
            partition by rep_history.user_id
            order by
                case
                    when rep_history.is_current then 0
                    when as_of.as_of_date is null or rep_history.valid_from <= as_of.as_of_date then 1
                    else 2
                end asc,
                case
                    when as_of.as_of_date is null or rep_history.valid_from <= as_of.as_of_date
                        then rep_history.valid_from
                end desc nulls last,
                rep_history.valid_from asc nulls last
        ) as period_rank
    from rep_history
    cross join as_of
)

select
    users.user_id,
    users.email as rep_email,
    users.user_name as rep_name,
    users.is_active,
    users.title,
    users.manager_id,
    users.user_role_id,
    user_roles.role_name as crm_role_name,
    ranked_periods.employee_id,
    ranked_periods.hr_workers_sharing_email,
    ranked_periods.team,
    ranked_periods.region,
    ranked_periods.role,
    ranked_periods.job_level,
    ranked_periods.department,
    ranked_periods.hire_date,
    ranked_periods.termination_date,
    ranked_periods.valid_from as attributes_valid_from,
    ranked_periods.has_hr_match,
    lms_actors.actor_email as lms_actor_email,
    coalesce(lms_actors.lms_statement_count, 0) as lms_statement_count,
    users.created_at,
    users.system_modstamp
from users
left join ranked_periods
    on users.user_id = ranked_periods.user_id
    and ranked_periods.period_rank = 1
left join user_roles
    on users.user_role_id = user_roles.user_role_id
left join lms_actors
    on users.email = lms_actors.actor_email
