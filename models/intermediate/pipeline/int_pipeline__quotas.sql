-- ForecastingQuotas per rep and month: the quota owner's CRM User email (QuotaOwnerId -> User),
-- the quota month (first day of the StartDate month), QuotaAmount converted to the reporting
-- currency at the DatedConversionRate in force on StartDate, and the owner's team / region in
-- force on StartDate (the quota's event date). Quotas without a StartDate are left out.
with quotas as (
    select *
    from {{ ref('stg_crm__forecasting_quotas') }}
    where start_date is not null
),

converted_quotas as (
    {{ convert_to_reporting('quotas', ['forecasting_quota_id'], 'quota_amount', 'currency_iso_code', 'start_date') }}
)

select
    quotas.forecasting_quota_id,
    quotas.quota_owner_id,
    owners.email as rep_email,
    cast({{ dbt.date_trunc('month', 'quotas.start_date') }} as date) as quota_month,
    quotas.start_date,
    quotas.quota_amount,
    quotas.currency_iso_code,
    converted_quotas.amount_reporting as quota_amount_reporting,
    worker_periods.team as start_team,
    worker_periods.region as start_region
from quotas
left join converted_quotas
    on quotas.forecasting_quota_id = converted_quotas.forecasting_quota_id
left join {{ ref('stg_crm__users') }} as owners
    on quotas.quota_owner_id = owners.user_id
left join {{ ref('int_hr__worker_periods') }} as worker_periods
    on owners.email = worker_periods.work_email
    and {{ in_force('worker_periods', 'quotas.start_date') }}
