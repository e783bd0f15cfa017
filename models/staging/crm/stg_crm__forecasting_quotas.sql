-- Salesforce ForecastingQuotas: no SystemModstamp, so the row of the latest drop (then latest
-- line) per Id wins. An empty CurrencyIsoCode is the reporting currency.
with source_rows as (
    select
        {{ sf_id('id') }} as forecasting_quota_id,
        {{ sf_id('quotaownerid') }} as quota_owner_id,
        startdate as start_date,
        quotaamount as quota_amount,
        coalesce(upper({{ clean_string('currencyisocode') }}), '{{ var('reporting_currency') }}') as currency_iso_code,
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'crm_forecasting_quota') }}
),

ranked_versions as (
    select
        source_rows.*,
        {{ latest_version_rank('forecasting_quota_id', by_modstamp=false) }} as version_rank
    from source_rows
    where forecasting_quota_id is not null
)

select
    forecasting_quota_id,
    quota_owner_id,
    start_date,
    quota_amount,
    currency_iso_code,
    drop_date
from ranked_versions
where version_rank = 1
