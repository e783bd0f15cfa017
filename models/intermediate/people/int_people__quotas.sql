-- ForecastingQuota amounts per rep e-mail in the reporting currency, converted like
-- fct_opportunities but on the quota's StartDate: amount / rate(quota currency) x rate(reporting
-- currency), with the DatedConversionRate in force (StartDate <= day < NextStartDate). No rates
-- at all: amounts as they are; quota already in the reporting currency: as it is; the reporting
-- currency missing from the rates: it is the corporate currency (rate 1); otherwise no rate: NULL.
{%- set reporting_currency = var('reporting_currency') %}

with quotas as (
    select *
    from {{ ref('stg_crm__forecasting_quotas') }}
    where start_date is not null
),

conversion_rates as (
    select *
    from {{ ref('stg_crm__dated_conversion_rates') }}
),

rate_coverage as (
    select
        count(*) as rate_count,
        count(case when iso_code = '{{ reporting_currency }}' then 1 end) as reporting_rate_count
    from conversion_rates
),

quota_rates as (
    select
        quotas.forecasting_quota_id,
        max(case when conversion_rates.iso_code = quotas.currency_iso_code then conversion_rates.conversion_rate end)
            as quota_currency_rate,
        max(case when conversion_rates.iso_code = '{{ reporting_currency }}' then conversion_rates.conversion_rate end)
            as reporting_currency_rate
    from quotas
    inner join conversion_rates
        on conversion_rates.iso_code in (quotas.currency_iso_code, '{{ reporting_currency }}')
        and conversion_rates.start_date <= quotas.start_date
        and (conversion_rates.next_start_date is null or quotas.start_date < conversion_rates.next_start_date)
    group by quotas.forecasting_quota_id
)

select
    quotas.forecasting_quota_id,
    quotas.quota_owner_id,
    users.email as rep_email,
    quotas.start_date,
    quotas.quota_amount,
    quotas.currency_iso_code,
    cast(
        case
            when quotas.quota_amount is null then null
            when rate_coverage.rate_count = 0 then quotas.quota_amount
            when quotas.currency_iso_code = '{{ reporting_currency }}' then quotas.quota_amount
            when rate_coverage.reporting_rate_count = 0 and quota_rates.quota_currency_rate is not null
                then quotas.quota_amount / quota_rates.quota_currency_rate
            when quota_rates.quota_currency_rate is null or quota_rates.reporting_currency_rate is null
                then null
            else quotas.quota_amount / quota_rates.quota_currency_rate * quota_rates.reporting_currency_rate
        end
        as double
    ) as quota_amount_reporting
from quotas
cross join rate_coverage
left join quota_rates
    on quotas.forecasting_quota_id = quota_rates.forecasting_quota_id
left join {{ ref('stg_crm__users') }} as users
    on quotas.quota_owner_id = users.user_id
