-- Salesforce Leads, latest version per record; records deleted in their latest version are out.
with source_rows as (
    select
        {{ sf_id('id') }} as lead_id,
        {{ sf_id('ownerid') }} as owner_id,
        {{ clean_string('status') }} as status,
        isconverted as is_converted,
        converteddate as converted_date,
        {{ sf_id('convertedopportunityid') }} as converted_opportunity_id,
        {{ sf_id('convertedaccountid') }} as converted_account_id,
        {{ clean_string('leadsource') }} as lead_source,
        {{ clean_email('email') }} as email,
        {{ clean_string('company') }} as company,
        createddate as created_at,
        systemmodstamp as system_modstamp,
        isdeleted as is_deleted,
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'crm_lead') }}
),

ranked_versions as (
    select
        source_rows.*,
        {{ latest_version_rank('lead_id') }} as version_rank
    from source_rows
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
