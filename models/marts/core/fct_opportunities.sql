-- One row per live opportunity (latest version, not deleted), with its amount converted to the
-- reporting currency at the DatedConversionRate in force on the CloseDate, and its owner's
-- team and region as of the CloseDate.
{%- set reporting_currency = var('reporting_currency') %}

with opportunities as (
    select
        stg.*,
        coalesce(stg.currency_iso_code, '{{ reporting_currency }}') as record_currency
    from {{ ref('stg_crm__opportunities') }} as stg
),

owners as (
    select
        user_id,
        email,
        user_name
    from {{ ref('stg_crm__users') }}
),

converted_amounts as (
    -- amount / rate(record currency) * rate(reporting currency), rates in force on CloseDate
    {{ convert_to_reporting('opportunities', ['opportunity_id'], 'amount', 'record_currency', 'close_date') }}
),

owner_periods as (
    select
        opportunities.opportunity_id,
        worker_periods.team,
        worker_periods.region
    from opportunities
    inner join owners
        on opportunities.owner_id = owners.user_id
    inner join {{ ref('int_hr__worker_periods') }} as worker_periods
        on owners.email = worker_periods.work_email
        and {{ in_force('worker_periods', 'opportunities.close_date') }}
)

select
    opportunities.opportunity_id,
    opportunities.account_id,
    opportunities.owner_id,
    owners.email as owner_email,
    opportunities.opportunity_name,
    opportunities.stage_name,
    opportunities.forecast_category,
    opportunities.is_closed,
    opportunities.is_won,
    opportunities.close_date,
    opportunities.created_date,
    opportunities.created_at,
    opportunities.amount,
    opportunities.record_currency as currency_iso_code,
    cast(converted_amounts.amount_reporting as double) as amount_reporting,
    opportunities.probability,
    opportunities.lead_source,
    opportunities.opportunity_type,
    opportunities.next_step,
    case
        when opportunities.is_closed
            then {{ dbt.datediff('opportunities.created_date', 'opportunities.close_date', 'day') }}
    end as cycle_days,
    owner_periods.team as owner_team,
    owner_periods.region as owner_region,
    opportunities.system_modstamp,
    opportunities.drop_date,
    cast({{ dbt.date_trunc('month', 'opportunities.close_date') }} as date) as close_month,
    owners.user_name as owner_name
from opportunities
left join owners
    on opportunities.owner_id = owners.user_id
left join converted_amounts
    on opportunities.opportunity_id = converted_amounts.opportunity_id
left join owner_periods
    on opportunities.opportunity_id = owner_periods.opportunity_id
