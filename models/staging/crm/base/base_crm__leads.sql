-- Every raw version of every Salesforce Lead, typed and renamed (one row per raw row): the one
-- place the Lead columns are typed. Ids and references are 15-character identities (sf_id);
-- source_id is the Id as delivered. stg_crm__leads keeps the latest version of each record.
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
    id as source_id,
    _drop_date as drop_date,
    _line as source_line
from {{ source('raw', 'crm_lead') }}
