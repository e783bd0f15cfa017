-- Every raw OpportunityHistory row, typed and renamed (one row per raw row): the one place the
-- OpportunityHistory columns are typed. Ids and references are 15-character identities
-- (sf_id); source_id and source_opportunity_id are the Id and OpportunityId as delivered, for
-- the incremental models' semi-joins on the raw columns (macro sf_source_id_in).
-- stg_crm__opportunity_history keeps the latest delivery of each row.
select
    {{ sf_id('id') }} as opportunity_history_id,
    {{ sf_id('opportunityid') }} as opportunity_id,
    {{ clean_string('stagename') }} as stage_name,
    amount as amount,
    probability as probability,
    closedate as close_date,
    {{ clean_string('forecastcategory') }} as forecast_category,
    createddate as created_at,
    {{ sf_id('createdbyid') }} as created_by_id,
    id as source_id,
    opportunityid as source_opportunity_id,
    _drop_date as drop_date,
    _line as source_line
from {{ source('raw', 'crm_opportunity_history') }}
