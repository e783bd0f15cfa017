-- Salesforce Opportunities, latest version per record (highest SystemModstamp, then later drop,
-- then later line; 15- and 18-character Ids are the same record). A record deleted in its
-- latest version is left out. A reopened opportunity (closed before, open now) is open here.
with source_rows as (
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
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'crm_opportunity') }}
),

ranked_versions as (
    select
        source_rows.*,
        {{ latest_version_rank('opportunity_id') }} as version_rank
    from source_rows
    where opportunity_id is not null
)

select
    opportunity_id,
    account_id,
    owner_id,
    opportunity_name,
    stage_name,
    forecast_category,
    is_closed,
    is_won,
    close_date,
    created_at,
    cast(created_at as date) as created_date,
    amount,
    currency_iso_code,
    probability,
    lead_source,
    opportunity_type,
    next_step,
    system_modstamp,
    drop_date
from ranked_versions
where version_rank = 1
    and not coalesce(is_deleted, false)
