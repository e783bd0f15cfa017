-- Every raw version of every Salesforce Opportunity, typed and renamed (one row per raw row):
-- the one place the Opportunity columns are typed. Ids and references are 15-character
-- identities (sf_id); source_id is the Id as delivered, for the incremental models' semi-join
-- on the raw column (macro sf_source_id_in). stg_crm__opportunities keeps the latest version of each
-- record; the pipeline models read every version.
select
    {{ sf_id('id') }} as opportunity_id,
    {{ sf_id('accountid') }} as account_id,
    {{ sf_id('ownerid') }} as owner_id,
    {{ clean_string('name') }} as opportunity_name,
    {{ clean_string('stagename') }} as stage_name,
    {{ clean_string('forecastcategory') }} as forecast_category,
    isclosed as is_closed,
    iswon as is_won,
    closedate as close_date,
    createddate as created_at,
    amount as amount,
    upper({{ clean_string('currencyisocode') }}) as currency_iso_code,
    probability as probability,
    {{ clean_string('leadsource') }} as lead_source,
    {{ clean_string('type') }} as opportunity_type,
    {{ clean_string('nextstep') }} as next_step,
    systemmodstamp as system_modstamp,
    isdeleted as is_deleted,
    id as source_id,
    _drop_date as drop_date,
    _line as source_line
from {{ source('raw', 'crm_opportunity') }}
