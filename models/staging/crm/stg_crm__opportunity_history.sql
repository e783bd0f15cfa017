-- Salesforce OpportunityHistory rows: no SystemModstamp, so the row of the latest drop (then
-- latest line) per Id wins. Rows of opportunities that are deleted are kept here; marts join
-- to stg_crm__opportunities to drop them.
with source_rows as (
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
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'crm_opportunity_history') }}
),

ranked_versions as (
    select
        source_rows.*,
        {{ latest_version_rank('opportunity_history_id', by_modstamp=false) }} as version_rank
    from source_rows
    where opportunity_history_id is not null
)

select
    opportunity_history_id,
    opportunity_id,
    stage_name,
    amount,
    probability,
    close_date,
    forecast_category,
    created_at,
    created_by_id,
    drop_date
from ranked_versions
where version_rank = 1
