-- Salesforce Accounts, latest version per record (every version typed in base_crm__accounts);
-- records deleted in their latest version are out.
with account_versions as (
    select *
    from {{ ref('base_crm__accounts') }}
),

ranked_versions as (
    select
        account_versions.*,
        {{ latest_version_rank('account_id') }} as version_rank
    from account_versions
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
