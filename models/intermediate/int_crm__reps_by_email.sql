-- One CRM User per rep email (rep_email is the published rep key). When several Users share
-- an email, the active one, then the most recently modified, then the smallest Id, names it.
with users as (
    select *
    from {{ ref('stg_crm__users') }}
    where email is not null
),

ranked_users as (
    select
        users.*,
        row_number() over (
            partition by email
            order by
                case when is_active then 0 else 1 end asc,
                system_modstamp desc nulls last,
                user_id asc nulls last
        ) as user_rank,
        count(*) over (partition by email) as user_count
    from users
)

select
    email as rep_email,
    user_id,
    user_name as rep_name,
    user_count
from ranked_users
where user_rank = 1
