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

record_currency_rates as (
    select
        opportunities.opportunity_id,
        conversion_rates.conversion_rate,
        row_number() over (
            partition by opportunities.opportunity_id
            order by conversion_rates.start_date desc nulls last
        ) as rate_rank
    from opportunities
    inner join conversion_rates
        on opportunities.record_currency = conversion_rates.iso_code
        and conversion_rates.start_date <= opportunities.close_date
        and (conversion_rates.next_start_date is null or opportunities.close_date < conversion_rates.next_start_date)
),

reporting_currency_rates as (
    select
        opportunities.opportunity_id,
        conversion_rates.conversion_rate,
        row_number() over (
            partition by opportunities.opportunity_id
            order by conversion_rates.start_date desc nulls last
        ) as rate_rank
    from opportunities
    inner join conversion_rates
        on conversion_rates.iso_code = '{{ reporting_currency }}'
        and conversion_rates.start_date <= opportunities.close_date
        and (conversion_rates.next_start_date is null or opportunities.close_date < conversion_rates.next_start_date)
),

converted_amounts as (
    select
        opportunities.opportunity_id,
        case
            when opportunities.amount is null then null
            -- no DatedConversionRate at all: amounts are taken as they are
            when rate_coverage.rate_count = 0 then opportunities.amount
            when opportunities.record_currency = '{{ reporting_currency }}' then opportunities.amount
            -- the reporting currency never appears among the rates: it is the corporate currency
            when rate_coverage.reporting_rate_count = 0 and record_currency_rates.conversion_rate is not null
                then opportunities.amount / record_currency_rates.conversion_rate
            when record_currency_rates.conversion_rate is null or reporting_currency_rates.conversion_rate is null
                then null
            else opportunities.amount / record_currency_rates.conversion_rate * reporting_currency_rates.conversion_rate
        end as amount_reporting
    from opportunities
    cross join rate_coverage
    left join record_currency_rates
        on opportunities.opportunity_id = record_currency_rates.opportunity_id
        and record_currency_rates.rate_rank = 1
    left join reporting_currency_rates
        on opportunities.opportunity_id = reporting_currency_rates.opportunity_id
        and reporting_currency_rates.rate_rank = 1
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
        and worker_periods.valid_from <= opportunities.close_date
        and (worker_periods.valid_to is null or opportunities.close_date <= worker_periods.valid_to)
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
