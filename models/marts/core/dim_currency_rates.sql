-- Currency rates (Salesforce DatedConversionRate, latest version per IsoCode and StartDate):
-- conversion_rate is units of iso_code per one unit of the corporate currency, in force from
-- start_date up to (not including) next_start_date. Amounts are converted with the macro
-- convert_to_reporting; this table shows the rates it uses.
{%- set reporting_currency = var('reporting_currency') %}

with rates as (
    select *
    from {{ ref('stg_crm__dated_conversion_rates') }}
)

select
    iso_code,
    start_date,
    next_start_date,
    conversion_rate,
    iso_code = '{{ reporting_currency }}' as is_reporting_currency,
    drop_date
from rates
