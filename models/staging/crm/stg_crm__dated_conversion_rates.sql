-- Salesforce DatedConversionRates, latest row per (IsoCode, StartDate) by drop, then line.
-- conversion_rate = units of iso_code per one unit of the corporate currency; in force for
-- start_date <= day < next_start_date (NULL next_start_date = open-ended).
with source_rows as (
    select
        upper({{ clean_string('isocode') }}) as iso_code,
        startdate as start_date,
        nextstartdate as next_start_date,
        conversionrate as conversion_rate,
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'crm_dated_conversion_rate') }}
),

ranked_versions as (
    select
        source_rows.*,
        {{ latest_version_rank('iso_code, start_date', by_modstamp=false) }} as version_rank
    from source_rows
    where iso_code is not null
        and start_date is not null
)

select
    iso_code,
    start_date,
    next_start_date,
    conversion_rate,
    drop_date
from ranked_versions
where version_rank = 1
