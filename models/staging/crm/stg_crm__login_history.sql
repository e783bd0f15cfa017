-- Salesforce LoginHistory: distinct login events (the same event delivered in two drops counts once).
with source_rows as (
    select
        {{ sf_id('userid') }} as user_id,
        logintime as login_at,
        {{ clean_string('status') }} as status
    from {{ source('raw', 'crm_login_history') }}
),

distinct_logins as (
    select distinct
        user_id,
        login_at,
        status
    from source_rows
    where user_id is not null
)

select
    user_id,
    login_at,
    cast(login_at as date) as login_date,
    status,
    coalesce(status = 'Success', false) as is_success
from distinct_logins
