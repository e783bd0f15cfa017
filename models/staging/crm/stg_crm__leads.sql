-- Salesforce Leads, latest version per record (every version typed in base_crm__leads); records
-- deleted in their latest version are out.
with lead_versions as (
    select *
    from {{ ref('base_crm__leads') }}
),

ranked_versions as (
    select
        lead_versions.*,
        {{ latest_version_rank('lead_id') }} as version_rank
    from lead_versions
    where lead_id is not null
)

select
    lead_id,
    owner_id,
    status,
    is_converted,
    converted_date,
    converted_opportunity_id,
    converted_account_id,
    lead_source,
    email,
    company,
    created_at,
    cast(created_at as date) as created_date,
    system_modstamp,
    drop_date
from ranked_versions
where version_rank = 1
    and not coalesce(is_deleted, false)
