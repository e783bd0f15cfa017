-- Salesforce Users, latest version per record (highest SystemModstamp, then later drop, then
-- later line). User has no IsDeleted: deactivated users stay, flagged by is_active.
with source_rows as (
    select
        {{ sf_id('id') }} as user_id,
        {{ clean_string('name') }} as user_name,
        {{ clean_email('email') }} as email,
        isactive as is_active,
        {{ sf_id('managerid') }} as manager_id,
        {{ sf_id('userroleid') }} as user_role_id,
        {{ clean_string('title') }} as title,
        createddate as created_at,
        systemmodstamp as system_modstamp,
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'crm_user') }}
),

ranked_versions as (
    select
        source_rows.*,
        {{ latest_version_rank('user_id') }} as version_rank
    from source_rows
    where user_id is not null
)

select
    user_id,
    user_name,
    email,
    is_active,
    manager_id,
    user_role_id,
    title,
    created_at,
    system_modstamp,
    drop_date
from ranked_versions
where version_rank = 1
