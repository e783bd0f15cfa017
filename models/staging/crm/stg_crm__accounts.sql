-- Salesforce Accounts, latest version per record; records deleted in their latest version are out.
with source_rows as (
    select
        {{ sf_id('id') }} as account_id,
        {{ clean_string('name') }} as account_name,
        {{ sf_id('ownerid') }} as owner_id,
        {{ clean_string('industry') }} as industry,
        {{ clean_string('billingcountry') }} as billing_country,
        annualrevenue as annual_revenue,
        numberofemployees as number_of_employees,
        createddate as created_at,
        systemmodstamp as system_modstamp,
        isdeleted as is_deleted,
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'crm_account') }}
),

ranked_versions as (
    select
        source_rows.*,
        {{ latest_version_rank('account_id') }} as version_rank
    from source_rows
    where account_id is not null
)

select
    account_id,
    account_name,
    owner_id,
    industry,
    billing_country,
    annual_revenue,
    number_of_employees,
    created_at,
    system_modstamp,
    drop_date
from ranked_versions
where version_rank = 1
    and not coalesce(is_deleted, false)
