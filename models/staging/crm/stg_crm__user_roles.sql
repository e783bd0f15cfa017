-- Salesforce UserRoles: no SystemModstamp, so the row of the latest drop (then latest line) wins.
with source_rows as (
    select
        {{ sf_id('id') }} as user_role_id,
        {{ clean_string('name') }} as role_name,
        {{ sf_id('parentroleid') }} as parent_role_id,
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'crm_user_role') }}
),

ranked_versions as (
    select
        source_rows.*,
        {{ latest_version_rank('user_role_id', by_modstamp=false) }} as version_rank
    from source_rows
    where user_role_id is not null
)

select
    user_role_id,
    role_name,
    parent_role_id,
    drop_date
from ranked_versions
where version_rank = 1
