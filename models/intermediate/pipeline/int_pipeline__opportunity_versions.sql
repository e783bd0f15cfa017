-- Every version of every Salesforce Opportunity (one row per raw row), keyed by drop date and
-- line, with the 15-character record identity, its amount converted to the reporting currency
-- at the DatedConversionRate in force on that version's CloseDate, and when it counts:
-- a version is the one in force for the snapshots of the drop dates d with
-- counts_from <= d < counts_until, i.e. from its own drop until a better-ranked version
-- (higher SystemModstamp, then later drop, then later line) has arrived. A version that
-- arrived after a better one never counts (counts_until <= counts_from).
with source_rows as (
    select
        {{ sf_id('id') }} as opportunity_id,
        {{ sf_id('accountid') }} as account_id,
        {{ sf_id('ownerid') }} as owner_id,
        {{ clean_string('stagename') }} as stage_name,
        {{ clean_string('forecastcategory') }} as forecast_category,
        isclosed as is_closed,
        iswon as is_won,
        closedate as close_date,
        amount as amount,
        coalesce(upper({{ clean_string('currencyisocode') }}), '{{ var('reporting_currency') }}') as currency_iso_code,
        probability as probability,
        coalesce(isdeleted, false) as is_deleted,
        systemmodstamp as system_modstamp,
        _drop_date as drop_date,
        _line as source_line
    from {{ source('raw', 'crm_opportunity') }}
),

identified_versions as (
    select *
    from source_rows
    where opportunity_id is not null
        and drop_date is not null
),

ranked_versions as (
    select
        identified_versions.*,
        {{ latest_version_rank('opportunity_id') }} as version_rank
    from identified_versions
),

superseded_versions as (
    -- the earliest drop that delivered a better-ranked version of the same record
    select
        ranked_versions.*,
        min(drop_date) over (
            partition by opportunity_id
            order by version_rank asc nulls last
            rows between unbounded preceding and 1 preceding
        ) as counts_until
    from ranked_versions
),

latest_versions as (
    select
        opportunity_id,
        is_deleted as is_deleted_in_latest_version
    from ranked_versions
    where version_rank = 1
),

converted_amounts as (
    {{ convert_to_reporting('identified_versions', ['drop_date', 'source_line'], 'amount', 'currency_iso_code', 'close_date') }}
)

select
    superseded_versions.opportunity_id,
    superseded_versions.drop_date,
    superseded_versions.source_line,
    superseded_versions.system_modstamp,
    superseded_versions.version_rank,
    superseded_versions.drop_date as counts_from,
    superseded_versions.counts_until,
    superseded_versions.is_deleted,
    latest_versions.is_deleted_in_latest_version,
    superseded_versions.account_id,
    superseded_versions.owner_id,
    superseded_versions.stage_name,
    superseded_versions.forecast_category,
    superseded_versions.is_closed,
    superseded_versions.is_won,
    superseded_versions.close_date,
    superseded_versions.amount,
    superseded_versions.currency_iso_code,
    converted_amounts.amount_reporting,
    superseded_versions.probability
from superseded_versions
inner join latest_versions
    on superseded_versions.opportunity_id = latest_versions.opportunity_id
left join converted_amounts
    on superseded_versions.drop_date = converted_amounts.drop_date
    and superseded_versions.source_line = converted_amounts.source_line
