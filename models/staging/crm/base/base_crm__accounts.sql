-- Every raw version of every Salesforce Account, typed and renamed (one row per raw row): the
-- one place the Account columns are typed. Ids and references are 15-character identities
-- (sf_id); source_id is the Id as delivered. stg_crm__accounts keeps the latest version of
-- each record.
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
    id as source_id,
    _drop_date as drop_date,
    _line as source_line
from {{ source('raw', 'crm_account') }}
